"""store.py: atomic writes (a killed writer leaves the old file whole), schema-version errors,
unreadable files skipped with their reason named, and NaN scores that survive a round trip
instead of silently dropping a finished run."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from llmselect import fileio, store
from llmselect.errors import EnvironmentProblem, UserError
from llmselect.nan_scores import drop_nan_scores, nan_tasks

REPO = Path(__file__).resolve().parents[1]
T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)


def run(run_id: str = "r1", value: float = 0.5, minutes: int = 0, status: str = "complete",
        **task_fields) -> store.RunResult:
    task = store.TaskResult(task="mmlu", benchmark="mmlu", metric="acc", value=value, n=10,
                            sampled=True, **task_fields)
    return store.RunResult(run_id=run_id, created_at=T0 + timedelta(minutes=minutes),
                           status=status, model=store.ModelInfo(spec="m", backend="fake"),
                           suite="quick", tasks={"mmlu": task}, resume_key="k")


def temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.endswith(".tmp")]


# ---------------------------------------------------------------- atomic writes

def test_save_then_load_round_trips_and_leaves_no_temp_file(tmp_path):
    path = store.save_run(run(), tmp_path)
    assert path == tmp_path / "r1.json"
    assert store.load_run(path) == run()
    assert json.loads(path.read_text())["version"] == store.SCHEMA_VERSION
    assert temp_files(tmp_path) == []


def test_failed_rename_keeps_the_old_file_whole_and_removes_the_temp(tmp_path, monkeypatch):
    path = store.save_run(run(value=0.5), tmp_path)
    before = path.read_bytes()

    def refuse(src, dst):
        assert Path(src).read_text() == run(value=0.9).model_dump_json(indent=2)  # fully written
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileio.os, "replace", refuse)
    with pytest.raises(EnvironmentProblem, match="cannot write results to .*No space left"):
        store.save_run(run(value=0.9), tmp_path)
    assert path.read_bytes() == before and temp_files(tmp_path) == []


def test_writer_killed_between_write_and_rename_never_shows_half_a_file(tmp_path):
    """A real SIGKILL at the worst moment (after the temp file is written and synced, before the
    rename): the reader sees the old run whole; the orphaned temp file is a dot-file that no
    scan reads or reports."""
    store.save_run(run(value=0.5), tmp_path)
    code = (
        "import os, signal, sys\n"
        "from llmselect import fileio, store\n"
        "sys.path.insert(0, sys.argv[2]); from test_store import run\n"
        "fileio.os.replace = lambda src, dst: os.kill(os.getpid(), signal.SIGKILL)\n"
        "store.save_run(run(value=0.9), sys.argv[1])\n")
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path), str(Path(__file__).parent)],
                          env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True,
                          text=True)
    assert proc.returncode == -9, proc.stderr
    [orphan] = temp_files(tmp_path)  # the killed writer's temp: complete, never renamed
    assert json.loads(orphan.read_text())["tasks"]["mmlu"]["value"] == 0.9
    runs, skipped = store.scan_runs(tmp_path)
    assert [r.tasks["mmlu"].value for r in runs] == [0.5] and skipped == []


# ---------------------------------------------------------------- schema version, unreadable files

@pytest.mark.parametrize("version, shown", [(2, "2"), (None, "None"), ("1", "'1'")])
def test_other_schema_versions_are_one_line_naming_both(tmp_path, version, shown):
    raw = json.loads(run().model_dump_json())
    raw["version"] = version
    path = tmp_path / "r1.json"
    path.write_text(json.dumps(raw))
    with pytest.raises(UserError) as err:
        store.load_run(path)
    message = str(err.value)
    assert message == f"{path}: result schema version {shown}, this llmselect reads version 1"


def test_scan_names_every_unreadable_file_with_its_reason(tmp_path):
    store.save_run(run("good"), tmp_path)
    (tmp_path / "broken.json").write_text('{"version": 1, "run_id": ')
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "latin1.json").write_bytes(b'{"x": "\xe9"}')
    raw = json.loads(run("typo").model_dump_json())
    raw["tasks"]["mmlu"]["valeu"] = raw["tasks"]["mmlu"].pop("value")
    (tmp_path / "typo.json").write_text(json.dumps(raw))
    (tmp_path / ".hidden.json").write_text("not a run, and not ours to report")
    runs, skipped = store.scan_runs(tmp_path)
    assert [r.run_id for r in runs] == ["good"]
    reasons = {s.path.name: s.reason for s in skipped}
    assert set(reasons) == {"broken.json", "list.json", "latin1.json", "typo.json"}
    assert reasons["broken.json"].startswith("not valid JSON")
    assert reasons["list.json"].startswith("not a llmselect result file (top level is a list")
    assert reasons["latin1.json"].startswith("not UTF-8 text")
    assert reasons["typo.json"].startswith("tasks.mmlu.")  # the field path of the problem
    assert all(str(tmp_path) not in r for r in reasons.values())  # the path is said once, before


def test_load_runs_warns_on_stderr_or_raises_when_strict(tmp_path, capsys):
    store.save_run(run("good"), tmp_path)
    (tmp_path / "broken.json").write_text("{")
    assert [r.run_id for r in store.load_runs(tmp_path)] == ["good"]
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"skipped {tmp_path / 'broken.json'}: not valid JSON" in err
    with pytest.raises(UserError, match="broken.json: not valid JSON"):
        store.load_runs(tmp_path, strict=True)
    seen = []
    store.load_runs(tmp_path, on_skip=seen.extend)
    assert [s.path.name for s in seen] == ["broken.json"]


def test_run_lookup_skips_unreadable_files(tmp_path):
    store.save_run(run("old-partial", status="partial"), tmp_path)
    store.save_run(run("new-partial", minutes=5, status="partial"), tmp_path)
    store.save_run(run("done", minutes=9), tmp_path)
    (tmp_path / "zz.json").write_text("{")
    assert store.find_unfinished(tmp_path, "k").run_id == "new-partial"
    assert store.find_unfinished(tmp_path, "other") is None
    found, path = store.latest_complete(tmp_path, lambda r: True)
    assert found.run_id == "done" and path.name == "done.json"


def test_sample_log_round_trip_and_bad_line_named(tmp_path):
    log = tmp_path / "samples.jsonl"
    store.write_sample_log(log, [{"doc_id": 0, "acc": 1.0}, {"doc_id": 1, "acc": 0.0}])
    assert store.read_sample_log(log) == [{"doc_id": 0, "acc": 1.0}, {"doc_id": 1, "acc": 0.0}]
    log.write_text('{"doc_id": 0}\n{"doc_id": \n')
    with pytest.raises(UserError, match=rf"^{log}:2: not valid JSON"):
        store.read_sample_log(log)


@pytest.mark.parametrize("sep", ["\x85", "\u2028", "\u2029"])
def test_sample_log_keeps_items_whose_text_holds_a_line_separator(tmp_path, sep):
    """JSON leaves these characters raw in strings (ensure_ascii=False, as lm-eval writes too);
    str.splitlines would cut the line there (an MMLU management question holds U+0085 and broke
    a real race after 1,713 items). Every per-item reader splits at "\\n" only."""
    from llmselect.ownsuite import judge
    from llmselect.results_import.lmeval_files import read_samples

    rows = [{"doc_id": 0, "doc": {"question": f"Functional structures{sep}help"}, "acc": 1.0},
            {"doc_id": 1, "acc": 0.0}]
    log = tmp_path / "samples.jsonl"
    store.write_sample_log(log, rows)
    assert store.read_sample_log(log) == rows
    assert read_samples(log) == rows
    cache = tmp_path / "verdicts.jsonl"
    cache.write_text(json.dumps({"key": "k", "verdict": f"yes{sep}"}, ensure_ascii=False) + "\n",
                     encoding="utf-8")
    assert judge._load_cache(cache) == {"k": f"yes{sep}"}


# ---------------------------------------------------------------- NaN is never lost

def test_nan_scores_round_trip_and_the_run_is_kept(tmp_path):
    """pass@k is NaN when k exceeds the samples: the finished run must still be read back
    (it used to be written as null, rejected on reading, and dropped from every listing)."""
    nan, inf = float("nan"), float("inf")
    saved = run(value=nan, stderr=nan, extra_metrics={"pass@10": nan, "pass@1": 0.25})
    saved.speed.ttft_s = inf
    path = store.save_run(saved, tmp_path)
    text = path.read_text()
    assert '"value": "NaN"' in text and "null" not in text.split('"extra_metrics"')[1][:60]
    runs, skipped = store.scan_runs(tmp_path)
    assert skipped == [] and len(runs) == 1
    task = runs[0].tasks["mmlu"]
    assert math.isnan(task.value) and math.isnan(task.stderr)
    assert math.isnan(task.extra_metrics["pass@10"]) and task.extra_metrics["pass@1"] == 0.25
    assert runs[0].speed.ttft_s == inf


def test_nan_scores_are_named_and_left_out_of_rankings_explicitly(tmp_path):
    nan_run = run("with-nan", value=float("nan"))
    nan_run.tasks["gsm8k"] = nan_run.tasks["mmlu"].model_copy(update={"task": "gsm8k",
                                                                     "value": 0.4})
    messages = []
    kept = drop_nan_scores([nan_run, run("fine")], on_nan=messages.extend)
    assert nan_tasks(nan_run) == ["mmlu"]
    assert [list(r.tasks) for r in kept] == [["gsm8k"], ["mmlu"]]
    assert messages == ["run with-nan: task mmlu scored NaN (not a number); left out of the "
                        "ranking, its published score (if any) is used"]
    assert list(nan_run.tasks) == ["mmlu", "gsm8k"]  # the run itself is untouched

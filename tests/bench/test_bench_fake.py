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
from llmselect.store import load_run, load_runs

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
    assert run.memory.peak_rss_mb > 0 and run.command[:2] == ["llmselect", "bench"] or run.command
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


def _run(env, out_dir, counts, extra=()):
    cmd = [sys.executable, "-m", "llmselect", "bench", "smollm2-135m", "--dry-run", "--no-probe",
           "--suite", "fakesuite", "-o", str(out_dir), "--backend-arg", "delay=0.01",
           "--backend-arg", f"count_file={counts}", *extra]
    return subprocess.Popen(cmd, env=os.environ.copy(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_resume_after_kill_9_equals_an_uninterrupted_run(env):
    """kill -9 mid-run, rerun the same command: finished requests are not recomputed and the
    scores equal an uninterrupted run's."""
    full = _run(env, env / "full", env / "full.count")
    assert full.wait(timeout=300) == 0, full.stderr.read()
    total = len((env / "full.count").read_text().splitlines())

    killed = _run(env, env / "resumed", env / "resumed.count")
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:  # wait until the first task is stored and the 2nd started
        done = list((env / "resumed").glob("*.json"))
        if done and load_run(done[0]).tasks and (env / "resumed.count").is_file():
            if len((env / "resumed.count").read_text().splitlines()) > 24 + 2:
                break
        time.sleep(0.2)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    before = len((env / "resumed.count").read_text().splitlines())
    assert 0 < before < total
    again = _run(env, env / "resumed", env / "resumed.count")
    assert again.wait(timeout=300) == 0, again.stderr.read()
    after = len((env / "resumed.count").read_text().splitlines())
    assert after - before <= total - before + 2  # at most the last uncommitted requests again
    assert after < total + 4
    [a], [b] = load_runs(env / "full"), load_runs(env / "resumed")
    assert b.status == "complete"  # one run file: the rerun continued the killed run
    assert {k: (t.value, t.n) for k, t in a.tasks.items()} == {k: (t.value, t.n) for k, t in b.tasks.items()}
    assert not (env / "resumed" / b.run_id / "partial").exists()

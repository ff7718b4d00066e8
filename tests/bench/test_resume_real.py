"""Resume on the real backends: `llmselect bench smollm2-135m` on llama.cpp (in process) and on
transformers (its GGUF de-quantised, fp32) is killed with SIGKILL in the middle of its second
task, rerun with the same command, and must then hold, per sample, exactly what an uninterrupted
run holds; the finished first task is not run again. Tiny on purpose (2 MMLU questions, 4 GSM8K
ones with 24 new tokens): the point is the resume, not the scores."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from llmselect.store import load_runs

pytestmark = pytest.mark.slow

SUITE = """description: resume on a real model
sampled: true
tasks:
  - {task: mmlu_anatomy, benchmark: mmlu, metric: acc, num_fewshot: 0, limit: 2}
  - task: gsm8k_cot
    benchmark: gsm8k
    metric: exact_match,strict-match
    num_fewshot: 0
    limit: 4
    gen_kwargs: {max_gen_toks: 24}
"""
COMPARED = ("task", "doc_id", "filter", "resps", "filtered_resps", "acc", "exact_match",
            "doc_hash", "prompt_hash", "target_hash")
BACKEND_ARGS = {"llamacpp": ["--backend-arg", "n_threads=2"], "hf": []}


@pytest.fixture
def env(tmp_path, shared_datasets, data_cache):
    (tmp_path / "resume.yaml").write_text(SUITE)
    return {**os.environ, "LLMSELECT_CACHE_DIR": str(data_cache), "HF_HUB_OFFLINE": "1",
            "HF_DATASETS_OFFLINE": "1", "LLMSELECT_DATA_DIR": str(shared_datasets)}


def bench(backend: str, out: Path, env: dict, suite: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "llmselect", "bench", "smollm2-135m", "--backend", backend,
           "--suite", str(suite), "-o", str(out), "--no-probe", *BACKEND_ARGS[backend]]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)


def cached_requests(out: Path, task: str) -> int:
    """Rows in lm-eval's request cache (sqlite) of ``task`` in the unfinished run."""
    dbs = list(out.glob(f"*/partial/requests_{task}_rank0.db"))
    if not dbs:
        return 0
    try:
        with sqlite3.connect(f"file:{dbs[0]}?mode=ro", uri=True) as con:
            return con.execute("SELECT COUNT(*) FROM unnamed").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet, or locked mid-write
        return 0


def stored_tasks(out: Path) -> list[str]:
    runs = load_runs(out, on_skip=None)
    return list(runs[0].tasks) if runs else []


def samples(out: Path) -> dict[str, list[dict]]:
    [run] = load_runs(out)
    return {key: [{k: row.get(k) for k in COMPARED} for row in
                  map(json.loads, (out / t.samples_file).read_text().splitlines())]
            for key, t in run.tasks.items()}


@pytest.mark.parametrize("backend", ["llamacpp", "hf"])
def test_kill_9_mid_task_then_resume_equals_an_uninterrupted_run(backend, env, tmp_path):
    suite = tmp_path / "resume.yaml"
    full = bench(backend, tmp_path / "full", env, suite)
    assert full.wait(timeout=600) == 0, full.stderr.read()[-2000:]

    out = tmp_path / "resumed"
    killed = bench(backend, out, env, suite)
    deadline = time.monotonic() + 600
    # the kill point: MMLU stored, and GSM8K under way with at least one answer in the cache
    while not (stored_tasks(out) == ["mmlu_anatomy"] and cached_requests(out, "gsm8k_cot") >= 1):
        if killed.poll() is not None:
            pytest.fail(f"the run ended (exit {killed.returncode}) before the kill point: "
                        f"{killed.stderr.read()[-1000:]}")
        if time.monotonic() > deadline:
            killed.kill()
            pytest.fail("the kill point (MMLU stored, a GSM8K answer cached) was never reached")
        time.sleep(0.05)
    killed.send_signal(signal.SIGKILL)
    assert killed.wait() == -signal.SIGKILL
    [partial] = load_runs(out)
    assert partial.status == "partial" and list(partial.tasks) == ["mmlu_anatomy"]
    assert cached_requests(out, "gsm8k_cot") < 4  # killed mid-task, not after it
    mmlu_log = out / partial.tasks["mmlu_anatomy"].samples_file
    mmlu_written = (mmlu_log.stat().st_ino, mmlu_log.stat().st_mtime_ns)

    again = bench(backend, out, env, suite)
    assert again.wait(timeout=600) == 0, again.stderr.read()[-2000:]
    [resumed] = load_runs(out)
    assert resumed.run_id == partial.run_id and resumed.status == "complete"
    assert (mmlu_log.stat().st_ino, mmlu_log.stat().st_mtime_ns) == mmlu_written  # not rerun
    assert not (out / resumed.run_id / "partial").exists()

    [uninterrupted] = load_runs(tmp_path / "full")
    assert samples(out) == samples(tmp_path / "full")
    assert ({k: (t.value, t.n) for k, t in resumed.tasks.items()}
            == {k: (t.value, t.n) for k, t in uninterrupted.tasks.items()})
    assert {k: t.n for k, t in resumed.tasks.items()} == {"mmlu_anatomy": 2, "gsm8k_cot": 4}

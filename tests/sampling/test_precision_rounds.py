"""bench --precision with the fake model on real lm-eval: rounds grow over one random order,
earlier rounds replay from the request cache (counted), the interval closes on the exact score
when the task is exhausted, and a kill -9 mid-round resumes without recomputing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from llmselect.store import load_runs, read_sample_log

SUITE = """description: precision test suite
tasks:
  - {task: mmlu_anatomy, benchmark: mmlu, metric: acc, num_fewshot: 5}
"""
ITEMS, CHOICES = 135, 4


@pytest.fixture
def env(tmp_path, monkeypatch, shared_datasets, data_cache):
    (tmp_path / "suites").mkdir()
    (tmp_path / "suites" / "anatomy.yaml").write_text(SUITE)
    for key, value in {"LLMSELECT_SUITES_PATH": str(tmp_path / "suites"),
                       "LLMSELECT_CACHE_DIR": str(data_cache),
                       "LLMSELECT_DATA_DIR": str(shared_datasets), "HF_DATASETS_OFFLINE": "1",
                       "HF_HUB_OFFLINE": "1", "PYTHONPATH": os.pathsep.join(sys.path)}.items():
        monkeypatch.setenv(key, value)
    return tmp_path


def _run(env, out, counts, delay="0"):
    cmd = [sys.executable, "-m", "llmselect", "bench", "smollm2-135m", "--dry-run", "--no-probe",
           "--suite", "anatomy", "--precision", "0.02", "--seed", "5", "-o", str(out),
           "--backend-arg", f"delay={delay}", "--backend-arg", f"count_file={counts}"]
    return subprocess.Popen(cmd, env=os.environ.copy(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _lines(path):
    return len(path.read_text().splitlines()) if path.is_file() else 0


def test_rounds_reuse_the_cache_and_close_on_the_exact_score(env):
    proc = _run(env, env / "res", env / "count")
    assert proc.wait(timeout=600) == 0, proc.stderr.read()
    [run] = load_runs(env / "res")
    t = run.tasks["mmlu_anatomy"]
    assert t.sampling.design == "sequential-random" and t.sampling.rounds == [100, ITEMS]
    # round 2 re-asked all 135 items but only the 35 new ones were computed
    assert _lines(env / "count") == ITEMS * CHOICES
    rows = read_sample_log(env / "res" / t.samples_file)
    assert t.value == pytest.approx(sum(r["acc"] for r in rows) / ITEMS)
    assert t.sampling.interval == [t.value, t.value] and t.stderr == 0.0 and not t.sampled


def test_kill_9_mid_round_resumes_from_the_cache(env):
    proc = _run(env, env / "res", env / "count", delay="0.02")
    deadline = time.monotonic() + 400
    while time.monotonic() < deadline and _lines(env / "count") < 100 * CHOICES + 40:
        time.sleep(0.2)  # inside round 2
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = _lines(env / "count")
    assert 100 * CHOICES < before < ITEMS * CHOICES
    again = _run(env, env / "res", env / "count", delay="0.02")  # the same command
    assert again.wait(timeout=600) == 0, again.stderr.read()
    assert _lines(env / "count") <= ITEMS * CHOICES + 2  # nothing finished was recomputed
    [run] = load_runs(env / "res")
    assert run.status == "complete" and run.tasks["mmlu_anatomy"].n == ITEMS


def test_killed_race_resumes_from_the_cache(env):
    """A race killed inside its second round: the same command finds both candidates' runs by
    their keys and replays every computed request from their caches."""
    def race(delay):
        cmd = [sys.executable, "-m", "llmselect", "race", "smollm2-135m", "gemma3-270m",
               "--dry-run", "--suite", "anatomy", "-o", str(env / "res"),
               "--backend-arg", f"delay={delay}", "--backend-arg", f"count_file={env / 'count'}"]
        return subprocess.Popen(cmd, env=os.environ.copy(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    proc = race("0.01")
    deadline = time.monotonic() + 400
    while time.monotonic() < deadline and _lines(env / "count") < 2 * 100 * CHOICES + 40:
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = _lines(env / "count")
    assert 2 * 100 * CHOICES < before < 2 * ITEMS * CHOICES
    again = race("0.01")
    assert again.wait(timeout=600) == 0, again.stderr.read()
    assert _lines(env / "count") <= 2 * ITEMS * CHOICES + 2
    assert len(load_runs(env / "res")) == 2

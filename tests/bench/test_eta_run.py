"""ETA in a real bench run (issue 14), with the fake model on the real offline data and real
lm-eval: the run counts the requests lm-eval hands the model (the same counts as ``--plan``),
builds no task's requests a second time and runs no model call beyond its one speed probe."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from llmselect.bench import requests as requests_mod
from llmselect.cli.main import app
from llmselect.store import load_runs

SUITE = """description: eta suite
sampled: true
tasks:
  - {task: mmlu_anatomy, benchmark: mmlu, metric: acc, num_fewshot: 5, limit: 3}
  - {task: gsm8k_cot, benchmark: gsm8k, metric: 'exact_match,strict-match', limit: 2}
"""
SPEED_PROBE_CALLS = 7  # speed_probe: 3 prefill + 3 first-token + 1 generation
OVERHEAD_CALLS = 8  # eta._call_overhead: eight short loglikelihoods
NOTE = re.compile(r"ETA (\S+): predicted [\d.]+ s, actual [\d.]+ s .* for (\d+) requests, "
                  r"(\d+) tokens evaluated")


@pytest.fixture
def env(tmp_path, monkeypatch, shared_datasets, data_cache):
    (tmp_path / "suites").mkdir()
    (tmp_path / "suites" / "etasuite.yaml").write_text(SUITE)
    for key, value in {"LLMSELECT_SUITES_PATH": str(tmp_path / "suites"),
                       "LLMSELECT_CACHE_DIR": str(data_cache),
                       "LLMSELECT_DATA_DIR": str(shared_datasets), "HF_DATASETS_OFFLINE": "1",
                       "HF_HUB_OFFLINE": "1"}.items():
        monkeypatch.setenv(key, value)
    return tmp_path


def test_run_counts_the_plans_requests_once_and_probes_once(env, monkeypatch):
    counted = env / "calls.txt"
    args = ["bench", "smollm2-135m", "--backend", "fake", "--suite", "etasuite",
            "--backend-arg", f"count_file={counted}"]
    plan = CliRunner().invoke(app, [*args, "--plan", "--format", "json"])
    assert plan.exit_code == 0, plan.output
    planned = {t["task"]: t for t in json.loads(plan.stdout[plan.stdout.index("{"):])["tasks"]}
    counted.unlink(missing_ok=True)  # the plan's own probe calls

    builds = []
    real_build = requests_mod.build_instances
    monkeypatch.setattr(requests_mod, "build_instances",
                        lambda *a, **k: builds.append(a) or real_build(*a, **k))
    out = CliRunner().invoke(app, [*args, "-o", str(env / "res"), "--format", "json"])
    assert out.exit_code == 0, out.output
    [run] = load_runs(env / "res")
    assert any(n.startswith("ETA method: this run's speed probe") for n in run.notes)
    seen = {m.group(1): (int(m.group(2)), int(m.group(3)))
            for n in run.notes if (m := NOTE.match(n))}
    assert seen == {k: (sum(t["requests"].values()), t["evaluated"]) for k, t in planned.items()}
    assert seen["mmlu_anatomy"][0] == 12 and seen["gsm8k_cot"][0] == 2
    assert builds == []  # the run counted what lm-eval built; it built nothing itself
    calls = counted.read_text().splitlines()
    assert len(calls) == SPEED_PROBE_CALLS + OVERHEAD_CALLS + 12 + 2  # nothing run twice
    assert run.speed.method


def test_no_probe_no_eta(env):
    out = CliRunner().invoke(app, ["bench", "smollm2-135m", "--backend", "fake", "--suite",
                                   "etasuite", "--no-probe", "-o", str(env / "res")])
    assert out.exit_code == 0, out.output
    [run] = load_runs(env / "res")
    assert not [n for n in run.notes if n.startswith("ETA")] and not run.speed.method

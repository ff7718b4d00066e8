"""Shared test fixtures. Every test gets its own results folder so nothing leaks into ./results."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATASETS = Path(os.environ.get("LLMSELECT_SHARED_DATASETS", REPO.parent / "shared" / "datasets"))


@pytest.fixture(autouse=True)
def _isolated_results(tmp_path, monkeypatch):
    monkeypatch.setenv("LLMSELECT_RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.delenv("LLMSELECT_DEBUG", raising=False)


@pytest.fixture(scope="session")
def shared_datasets() -> Path:
    """../shared/datasets beside the checkout (CI has it too)."""
    if not (SHARED_DATASETS / "MANIFEST.sha256").is_file():
        pytest.fail(f"offline datasets not found at {SHARED_DATASETS}")
    return SHARED_DATASETS


@pytest.fixture(scope="session")
def data_cache(tmp_path_factory) -> Path:
    """One converted-data cache for the whole session (conversion is done once)."""
    return tmp_path_factory.mktemp("llmselect-data-cache")

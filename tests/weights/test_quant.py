"""The quantization that fits, table-driven over machine sizes (Llama 3 8B's card: 8B params,
32 layers x 8 KV heads x 128, 4096-token KV cache = 0.54 GB, 1 GB headroom)."""

from __future__ import annotations

import pytest

from llmselect.catalog import load_catalog
from llmselect.errors import EnvironmentProblem, UserError
from llmselect.weights import quant


@pytest.fixture(scope="module")
def llama():
    return load_catalog().find_model("llama3-8b")


@pytest.mark.parametrize(("free_gb", "expected"), [
    (64, "Q8_0"), (11.0, "Q8_0"), (10.0, "Q6_K"), (8.5, "Q5_K_M"), (7.5, "Q4_K_M"),
    (6.5, "Q3_K_M")])
def test_cpu_ladder(llama, free_gb, expected):
    fit = quant.choose_gguf_quant(llama, free_gb, quant.context_for(llama))
    assert fit.quant == expected and fit.needed_gb <= free_gb


def test_cpu_too_small_says_how_much(llama):
    with pytest.raises(EnvironmentProblem, match=r"needs 6\.1 GB at Q3_K_M .* 5\.0 GB of free"):
        quant.choose_gguf_quant(llama, 5.0, quant.context_for(llama))


def test_only_what_the_repo_has(llama):
    assert quant.choose_gguf_quant(llama, 64, 4096, ["Q4_K_M", "Q3_K_M"]).quant == "Q4_K_M"
    with pytest.raises(UserError, match=r"has no Q5_K_M file .* \(it has: Q4_K_M\)"):
        quant.choose_gguf_quant(llama, 64, 4096, ["Q4_K_M"], wanted="q5_k_m")


def test_no_param_count_defaults_to_q4_k_m(llama):
    card = llama.model_copy(update={"params_total_b": None})
    assert quant.choose_gguf_quant(card, 2.0, 4096).quant == "Q4_K_M"


@pytest.mark.parametrize(("vram_gb", "expected", "option"), [
    (80, "bf16", None), (24, "bf16", None), (16, "int8", "8bit"), (8, "int4", "4bit")])
def test_gpu_ladder(llama, vram_gb, expected, option):
    fit = quant.choose_gpu_precision(llama, vram_gb, 4096)
    assert (fit.quant, quant.quantize_option(fit)) == (expected, option)


def test_gpu_too_small(llama):
    with pytest.raises(EnvironmentProblem, match="needs 6.5 GB at int4 .* of VRAM"):
        quant.choose_gpu_precision(llama, 4, 4096)


@pytest.mark.parametrize(("name", "q"), [
    ("Meta-Llama-3-8B-Instruct-Q4_K_M.gguf", "Q4_K_M"), ("qwen2.5-7b-instruct-q5_k_m-00001-of-00002.gguf", "Q5_K_M"),
    ("mistral-7b-instruct-v0.2.Q8_0.gguf", "Q8_0"), ("phi-4-Q6_K.gguf", "Q6_K"), ("model.gguf", None)])
def test_quant_of_file_names(name, q):
    assert quant.quant_of(name) == q


def test_pattern_files_and_split_parts():
    files = ["a/x-Q8_0-00002-of-00002.gguf", "a/x-Q8_0-00001-of-00002.gguf", "x-Q4_K_M.gguf",
             "README.md"]
    assert quant.quants_in("*x-{quant}*.gguf", files) == ["Q8_0", "Q4_K_M"]
    parts = quant.pattern_files("*x-{quant}*.gguf", files, "Q8_0")
    assert quant.first_part(parts) == "a/x-Q8_0-00001-of-00002.gguf" and len(parts) == 2


def test_bad_quant_name():
    with pytest.raises(UserError, match="not a GGUF quantization name"):
        quant.normalise("Q9_Z")


def test_every_open_model_has_a_sourced_gguf_repo():
    catalog = load_catalog()
    open_models = [c for c in catalog.models.values() if c.open_weights.value]
    assert len(open_models) >= 17
    for card in open_models:
        assert card.weights.gguf_repo and "{quant}" in card.weights.gguf_pattern, card.id
        assert card.weights.source in catalog.sources, card.id

"""Memory estimate: weights at the quantization + KV cache + overhead; MoE by total params."""

from __future__ import annotations

import pytest

from llmselect.catalog import load_catalog
from llmselect import memory
from helpers.scoring import card

LLAMA3_8B_ARCH = (32, 8, 128)   # layers, kv_heads, head_dim (config.json)


@pytest.mark.parametrize("quant, bytes_per_param", [
    ("fp32", 4.0), ("fp16", 2.0), ("bf16", 2.0), ("int8", 8.25 / 8), ("int4", 4.25 / 8),
    ("Q8_0", 34 / 32), ("Q4_0", 18 / 32), ("Q4_1", 20 / 32), ("Q4_K_M", 4.84 / 8),
])
def test_bytes_per_param(quant, bytes_per_param):
    assert memory.BYTES_PER_PARAM[quant] == pytest.approx(bytes_per_param)


def test_llama3_8b_fp16_is_16_gb_plus_kv_cache():
    c = card(params_total_b=8.03, architecture=LLAMA3_8B_ARCH)
    est = memory.estimate(c, "fp16", context_tokens=8192)
    assert est.weights_gb == pytest.approx(16.06)
    # 2 (K,V) x 32 layers x 8 kv heads x 128 dims x 2 bytes = 131,072 B per token
    assert est.kv_cache_gb == pytest.approx(131072 * 8192 / 1e9)     # ~1.07 GB
    assert est.overhead_gb == pytest.approx(0.05 * 16.06 + 0.5)
    assert 18 < est.total_gb < 19
    assert est.total_gb <= memory.available_gb(1, 24)                 # fits one RTX 4090 (C)


def test_kv_cache_scales_with_context_and_sequences():
    c = card(architecture=LLAMA3_8B_ARCH)
    assert memory.kv_cache_gb(c, 8192, 4) == pytest.approx(4 * memory.kv_cache_gb(c, 8192, 1))
    assert memory.kv_cache_gb(c, 4096) == pytest.approx(memory.kv_cache_gb(c, 8192) / 2)


def test_unknown_architecture_leaves_kv_unknown_not_guessed():
    est = memory.estimate(card(architecture=None), "fp16", 8192)
    assert est.kv_cache_gb is None
    assert est.total_gb == pytest.approx(est.weights_gb + est.overhead_gb)


def test_moe_memory_follows_total_speed_follows_active():
    c = card(params_total_b=141, params_active_b=39)
    assert memory.estimate(c, "fp16", 4096).weights_gb == pytest.approx(282)
    assert memory.active_params_b(c) == 39
    assert memory.active_params_b(card(params_total_b=7)) == 7


def test_best_fit_picks_first_allowed_quantization_that_fits():
    c = card(params_total_b=13)   # fp16 26 GB > 24 GiB card; int8 ~13.4 GB fits
    est, fits = memory.best_fit(c, ["fp16", "int8", "int4"], 4096, 1, 1, memory.available_gb(1, 24))
    assert fits and est.quantization == "int8"


def test_best_fit_reports_smallest_when_nothing_fits():
    c = card(params_total_b=70)
    est, fits = memory.best_fit(c, ["fp16", "int4"], 4096, 1, 1, memory.available_gb(1, 24))
    assert not fits and est.quantization == "int4"


def test_gguf_only_model_uses_its_native_format():
    c = card(params_total_b=0.135, native_quantization="Q4_1")
    est, fits = memory.best_fit(c, ["fp16"], 2048, 1, 1, 4.0)
    assert fits and est.quantization == "Q4_1"


def test_multi_device_adds_overhead_per_device_spanned():
    c = card(params_total_b=70)
    est = memory.estimate(c, "fp16", 4096, device_gb=80 * memory.GIB)
    assert est.devices == 2
    assert est.overhead_gb == pytest.approx(0.05 * 140 + 2 * 0.5)


def test_catalog_llama3_70b_fits_two_a100_80gb_at_fp16():
    """DOMAIN.md §4 (C): 70B on 2x A100 80 GB."""
    c = load_catalog().get_model("llama3-70b")
    est, fits = memory.best_fit(c, ["fp16"], 4096, 1, 2, memory.available_gb(2, 80))
    assert fits and est.devices == 2


def test_miss_on_a_single_device_target_counts_one_device_overhead():
    c = card(params_total_b=8, architecture=LLAMA3_8B_ARCH)
    est, fits = memory.best_fit(c, ["Q4_0"], 2048, 1, 1, memory.available_gb(1, 4))
    assert not fits and est.devices == 1
    assert est.total_gb == pytest.approx(4.5 * 1.05 + 0.5 + 131072 * 2048 / 1e9)

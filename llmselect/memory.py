"""How much memory a model needs on the target: weights + KV cache + runtime overhead.

Why each term:

* **weights** = total parameters × bytes per parameter of the quantization. A mixture of experts
  keeps *every* expert in memory, so memory follows the TOTAL count (Mixtral 8x22B: 141B, not the
  39B active; DOMAIN.md §4). Speed and cost follow the ACTIVE count (see ``active_params_b``).
* **KV cache** = 2 (K and V) × layers × kv_heads × head_dim × context tokens × concurrent
  sequences × 2 bytes (fp16 cache). Needs the architecture from the card; when it is unknown
  the estimate says so (``kv_cache_gb`` None) instead of guessing.
* **overhead** = 5 % of the weights + 0.5 GB per device the model spans: CUDA/ggml context,
  activations and scratch buffers. A rule of thumb, documented as such; the output labels memory as estimated.

Sizes are decimal GB (1e9 bytes) everywhere llmselect prints one. Device memory is quoted by
vendors in GiB (a "24 GB" RTX 4090 has 24 GiB) and profiles take it as quoted, so
``available_gb`` converts once, at input; detected memory is measured in GB and converted back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from llmselect.config.catalog_schema import ModelCard

#: Bytes per parameter. GGUF block formats from llama.cpp's quantize README / ggml block layouts:
#: Q8_0 = 32 int8 + fp16 scale (34 B / 32 w = 8.5 bpw); Q4_0 = 4.5 bpw; Q4_1 = 16 B nibbles +
#: fp16 scale + fp16 min (20 B / 32 w = 5.0 bpw); K-quant mixes as measured on Llama 2 7B
#: (Q4_K_M 4.84, Q5_K_M 5.68, Q6_K 6.56, Q3_K_M 3.91, Q2_K 3.35 bpw). int4/int8 = GPTQ/AWQ with
#: group-128 fp16 scales (+0.125 bpw -> 4.25 / 8.25 bpw).
BYTES_PER_PARAM: dict[str, float] = {
    "fp32": 4.0, "bf16": 2.0, "fp16": 2.0, "fp8": 1.0,
    "int8": 8.25 / 8, "int4": 4.25 / 8,
    "Q8_0": 8.5 / 8, "Q6_K": 6.56 / 8, "Q5_K_M": 5.68 / 8, "Q4_K_M": 4.84 / 8,
    "Q4_1": 5.0 / 8, "Q4_0": 4.5 / 8, "Q3_K_M": 3.91 / 8, "Q2_K": 3.35 / 8,
}
KV_BYTES = 2.0
OVERHEAD_FRACTION = 0.05
OVERHEAD_GB_PER_DEVICE = 0.5
GIB = 1024**3 / 1e9


@dataclass(frozen=True)
class MemoryEstimate:
    quantization: str
    weights_gb: float
    kv_cache_gb: float | None
    overhead_gb: float
    devices: int = 1

    @property
    def total_gb(self) -> float:
        return self.weights_gb + (self.kv_cache_gb or 0.0) + self.overhead_gb

    def facts(self) -> dict[str, float | str | None]:
        return {"quantization": self.quantization, "weights_gb": round(self.weights_gb, 2),
                "kv_cache_gb": None if self.kv_cache_gb is None else round(self.kv_cache_gb, 2),
                "overhead_gb": round(self.overhead_gb, 2), "total_gb": round(self.total_gb, 2)}


def weights_gb(params_b: float, quantization: str) -> float:
    return params_b * BYTES_PER_PARAM[quantization]


def kv_cache_gb(card: ModelCard, context_tokens: int, sequences: int = 1) -> float | None:
    arch = card.architecture
    if arch is None:
        return None
    per_token = 2 * arch.layers * arch.kv_heads * arch.head_dim * KV_BYTES
    return per_token * context_tokens * sequences / 1e9


def estimate(card: ModelCard, quantization: str, context_tokens: int, sequences: int = 1,
             device_gb: float | None = None, max_devices: int | None = None
             ) -> MemoryEstimate | None:
    """None when the card gives no parameter count (nothing to estimate from).

    ``device_gb`` (memory per device) sets how many devices the model spans (at most
    ``max_devices``), each adding its per-device overhead; without it one device is assumed."""
    if card.params_total_b is None:
        return None
    weights = weights_gb(card.params_total_b.value, quantization)
    kv = kv_cache_gb(card, context_tokens, sequences)
    body = weights * (1 + OVERHEAD_FRACTION) + (kv or 0.0)
    devices = 1
    if device_gb:
        devices = max(1, math.ceil(body / max(device_gb - OVERHEAD_GB_PER_DEVICE, 1e-9)))
        devices = min(devices, max_devices or devices)
    overhead = OVERHEAD_FRACTION * weights + OVERHEAD_GB_PER_DEVICE * devices
    return MemoryEstimate(quantization, weights, kv, overhead, devices)


def available_gb(devices: int, memory_gib_per_device: float) -> float:
    return devices * memory_gib_per_device * GIB


def best_fit(card: ModelCard, allowed: list[str], context_tokens: int, sequences: int,
             devices: int, capacity_gb: float) -> tuple[MemoryEstimate | None, bool]:
    """The first allowed quantization (most preferred first) that fits ``capacity_gb``.

    A GGUF-only card (``native_quantization``) runs at that format only. Returns the estimate
    that fits, or the smallest one with ``False`` so the exclusion can say by how much it missed.
    """
    formats = allowed
    native = card.native_quantization.value if card.native_quantization else None
    if native is not None and native in BYTES_PER_PARAM:
        formats = [native]
    per_device = capacity_gb / devices
    estimates = [estimate(card, q, context_tokens, sequences, per_device, devices)
                 for q in formats]
    estimates = [e for e in estimates if e is not None]
    if not estimates:
        return None, False
    for est in estimates:
        if est.total_gb <= capacity_gb and est.total_gb <= est.devices * per_device:
            return est, True
    return min(estimates, key=lambda e: e.total_gb), False


def active_params_b(card: ModelCard) -> float | None:
    """Parameters read per generated token: active for a MoE, total otherwise."""
    if card.params_active_b is not None:
        return card.params_active_b.value
    return card.params_total_b.value if card.params_total_b else None

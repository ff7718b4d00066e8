"""Filtering the catalog for ``llmselect models``: open weights, licence, vendor, language, memory.

Memory uses the one estimate (``llmselect.memory``: weights at the
quantization + KV cache at the context from the architecture + runtime overhead) so ``models``
and ``recommend`` agree. Without it, a documented fallback: parameters × bytes per parameter
× 1.05 + 0.5 GB, no KV cache. A GGUF-only model (``native_quantization``) is always counted at
its own format. API-only models have nothing to host, so ``--max-memory`` leaves them out.
"""

from __future__ import annotations

from dataclasses import dataclass

from llmselect.catalog import Catalog
from llmselect.config.catalog_schema import ModelCard
from llmselect.errors import UserError, did_you_mean, unknown
from llmselect.memory import BYTES_PER_PARAM, estimate


@dataclass(frozen=True)
class ModelFilter:
    open_weights: bool | None = None
    license: str | None = None
    vendor: str | None = None
    language: str | None = None
    max_memory_gb: float | None = None
    quantization: str = "bf16"
    context_tokens: int = 4096


def check_quantization(quantization: str) -> str:
    table = BYTES_PER_PARAM
    match = {q.lower(): q for q in table}.get(quantization.lower())
    if match is None:
        raise UserError(f"--quantization: unknown format {quantization!r}"
                        f"{did_you_mean(quantization, table)}; one of: {', '.join(table)}")
    return match


def memory_gb(card: ModelCard, quantization: str, context_tokens: int) -> float | None:
    """Estimated memory to serve ``card`` on one device, GB; None for API-only or unknown size."""
    if not card.open_weights.value or card.params_total_b is None:
        return None
    quant = card.native_quantization.value if card.native_quantization else quantization
    est = estimate(card, quant if quant in BYTES_PER_PARAM else quantization, context_tokens)
    return est.total_gb if est else None


def resolve_vendor(catalog: Catalog, name: str) -> str:
    low = name.lower()
    for vendor in catalog.vendors.values():
        if low in (vendor.id.lower(), vendor.name.lower()):
            return vendor.id
    raise unknown("vendor", name, catalog.vendors)


def matches(card: ModelCard, flt: ModelFilter, vendor_id: str | None) -> bool:
    """All given filters hold. An unknown fact (no licence, no languages) does not match."""
    if flt.open_weights is not None and card.open_weights.value != flt.open_weights:
        return False
    if flt.license and (card.license is None or flt.license.lower() not in card.license.value.lower()):
        return False
    if vendor_id and card.vendor != vendor_id:
        return False
    if flt.language:
        langs = [x.lower() for x in card.languages.value] if card.languages else []
        if flt.language.lower() not in langs and "multi" not in langs:
            return False
    if flt.max_memory_gb is not None:
        need = memory_gb(card, flt.quantization, flt.context_tokens)
        if need is None or need > flt.max_memory_gb:
            return False
    return True


def select(catalog: Catalog, flt: ModelFilter) -> list[ModelCard]:
    vendor_id = resolve_vendor(catalog, flt.vendor) if flt.vendor else None
    if flt.max_memory_gb is not None and flt.max_memory_gb <= 0:
        raise UserError(f"--max-memory: {flt.max_memory_gb} GB; give a positive number of GB")
    return sorted((c for c in catalog.models.values() if matches(c, flt, vendor_id)),
                  key=lambda c: c.id)

"""Builders for scoring tests: catalog cards, vendors and profiles made in code, so the formula
tests do not move when the built-in catalog gains a fact. (No tests here.)"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from llmselect.catalog.benchmarks import BENCHMARKS
from llmselect.config.catalog_schema import ModelCard, VendorCard
from llmselect.config.profile_schema import Profile

S = "test-source"


def sourced(value: Any) -> dict:
    return {"value": value, "source": S}


def card(id: str = "m", **kw) -> ModelCard:
    """A card with sane defaults; keyword values are plain (wrapped as Sourced here)."""
    plain = {"open_weights": True, "license": "apache-2.0", "commercial_use": True,
             "params_total_b": 7.0, "context_tokens": 32768, "languages": ["en", "fr"]}
    plain.update({k: v for k, v in kw.items() if k in {
        "open_weights", "license", "commercial_use", "params_total_b", "params_active_b",
        "context_tokens", "languages", "speed_tokens_per_s", "native_quantization"}})
    data: dict[str, Any] = {"id": id, "name": id.upper(), "vendor": kw.get("vendor", "v")}
    data.update({k: sourced(v) for k, v in plain.items() if v is not None})
    for key in ("scores", "price", "architecture", "ecosystem", "training", "safety_tooling"):
        if key in kw and kw[key] is not None:
            data[key] = kw[key]
    if "scores" in data:
        data["scores"] = [{"benchmark": b, "value": v, "source": S} for b, v in data["scores"].items()]
    if "price" in data:
        i, o = data["price"]
        data["price"] = {"input_per_mtok_usd": i, "output_per_mtok_usd": o, "source": S}
    if "architecture" in data:
        layers, kv_heads, head_dim = data["architecture"]
        data["architecture"] = {"layers": layers, "kv_heads": kv_heads, "head_dim": head_dim,
                                "source": S}
    for key in ("ecosystem", "training"):
        if key in data:
            data[key] = {**data[key], "source": S}
    return ModelCard.model_validate(data)


def vendor(id: str = "v", eu: bool | None = None, **grid: str) -> VendorCard:
    data: dict[str, Any] = {"id": id, "name": id, "grid": {
        k: {"answer": a, "text": a, "source": S} for k, a in grid.items()}}
    if eu is not None:
        data["eu_based"] = sourced(eu)
        data["jurisdiction"] = sourced("FR" if eu else "US")
    return VendorCard.model_validate(data)


@dataclass
class FakeCatalog:
    models: dict[str, ModelCard] = field(default_factory=dict)
    vendors: dict[str, VendorCard] = field(default_factory=dict)


def catalog(*cards: ModelCard, vendors: list[VendorCard] | None = None) -> FakeCatalog:
    vendors = vendors or [vendor("v")]
    return FakeCatalog({c.id: c for c in cards}, {v.id: v for v in vendors})


def profile(**kw) -> Profile:
    """A profile with one GPU (24 GB, fp16/int8/int4), quality-only unless weights are given."""
    data: dict[str, Any] = {
        "name": "test", "description": "a test organisation", "use_case": "tests",
        "hardware": {"name": "1x 24 GB", "devices": 1, "memory_gb": 24,
                     "memory_bandwidth_gbps": 1000, "cost_per_hour_usd": 1.0,
                     "quantization": ["fp16", "int8", "int4"]},
        "criteria": {"weights": {"quality": 1}, "quality_benchmarks": {"mmlu": 1}},
    }
    for key, value in kw.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return Profile.model_validate(data)


def benchmarks() -> dict:
    return BENCHMARKS

"""How a model would be served under a profile, and what that costs and how fast it is.

A model is served one of two ways: **self-hosted** on the profile's target hardware (open
weights that fit in memory at an allowed quantization) or through its vendor's **API** (a
quoted price). Self-hosting is tried first because it keeps prompts inside the organisation
(DOMAIN.md §5, the GDPR argument). Everything downstream (GDPR score, cost, speed, hardware fit,
data-location constraint) depends on this choice, so it is made once, here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from llmselect.config.catalog_schema import ModelCard, VendorCard
from llmselect.config.profile_schema import Profile
from llmselect import memory
from llmselect.scoring.measured import MeasuredFacts

Mode = Literal["self-hosted", "api"]
SECONDS_PER_MONTH = 730 * 3600


@dataclass
class Deployment:
    mode: Mode | None
    memory: memory.MemoryEstimate | None = None
    fits: bool | None = None
    capacity_gb: float | None = None
    devices_used: int | None = None
    why_not: str | None = None
    constraint: str | None = None  # the hard constraint that fails when mode is None


@dataclass
class Estimate:
    """A derived number with its provenance: measured / published / estimated (+ sources)."""

    value: float
    provenance: str
    sources: list[str] = field(default_factory=list)
    note: str | None = None


@dataclass
class Candidate:
    """Everything the criteria need about one model under one profile."""

    card: ModelCard
    vendor: VendorCard | None
    deployment: Deployment
    measured: MeasuredFacts | None = None
    speed: Estimate | None = None
    cost_per_mtok: Estimate | None = None
    monthly_cost: Estimate | None = None


def capacity_gb(profile: Profile) -> float | None:
    if profile.constraints.max_memory_gb is not None:
        return profile.constraints.max_memory_gb
    hw = profile.hardware
    return memory.available_gb(hw.devices, hw.memory_gb) if hw else None


def choose(card: ModelCard, vendor: VendorCard | None, profile: Profile) -> Deployment:
    """Self-hosted when open weights fit the target; else the vendor API if priced and allowed."""
    hosted = _self_hosted(card, profile)
    if hosted.mode == "self-hosted":
        return hosted
    if card.price is None:
        return hosted if hosted.why_not else Deployment(
            None, why_not="API-only model without a known price", constraint="deployable")
    if profile.constraints.data_location == "on-premise":
        return hosted if hosted.why_not else Deployment(
            None, why_not="API only: data would leave the premises", constraint="data_location")
    if profile.constraints.data_location == "eu" and not _eu_vendor(vendor):
        where = vendor.jurisdiction.value if vendor and vendor.jurisdiction else "unknown"
        return Deployment(None, memory=hosted.memory, fits=hosted.fits,
                          why_not=f"API vendor is not EU-based (jurisdiction {where})"
                                  + (f"; self-hosting: {hosted.why_not}" if hosted.why_not else ""),
                          constraint="data_location")
    return Deployment("api", memory=hosted.memory, fits=hosted.fits, capacity_gb=hosted.capacity_gb)


def _eu_vendor(vendor: VendorCard | None) -> bool:
    return bool(vendor and vendor.eu_based and vendor.eu_based.value)


def _self_hosted(card: ModelCard, profile: Profile) -> Deployment:
    hw = profile.hardware
    if not card.open_weights.value:
        return Deployment(None)
    if hw is None:
        return Deployment(None, why_not="open weights but the profile names no target hardware",
                          constraint="deployable")
    cap = capacity_gb(profile)
    wl = profile.workload
    est, fits = memory.best_fit(card, hw.quantization, wl.context_tokens, wl.concurrency,
                                hw.devices, cap)
    if est is None:
        return Deployment(None, why_not="parameter count unknown: memory cannot be estimated",
                          constraint="max_memory_gb")
    if not fits:
        return Deployment(None, memory=est, fits=False, capacity_gb=cap,
                          why_not=f"needs ~{est.total_gb:.1f} GB at {est.quantization}, target "
                                  f"has {cap:.1f} GB ({hw.name})", constraint="max_memory_gb")
    return Deployment("self-hosted", memory=est, fits=True, capacity_gb=cap,
                      devices_used=est.devices)


def speed(c: Candidate, profile: Profile) -> Estimate | None:
    """Single-stream generation tokens/s: measured > roofline on the target > quoted.

    A measured speed counts only when it was measured on the target's kind of hardware: a CPU
    run says nothing about the 4xA100 server a profile targets (and the reverse).
    """
    target_kind = profile.hardware.kind if profile.hardware else None
    if (c.measured and c.measured.gen_tokens_per_s
            and c.measured.speed_on in (None, target_kind)):
        return Estimate(c.measured.gen_tokens_per_s, "measured", [c.measured.speed_run_id])
    roofline = _roofline(c, profile)
    if roofline is not None:
        return roofline
    if c.card.speed_tokens_per_s is not None:
        s = c.card.speed_tokens_per_s
        return Estimate(s.value, "published", [s.source])
    return None


def _roofline(c: Candidate, profile: Profile) -> Estimate | None:
    """Decoding is memory-bound: each token reads the active weights once, so
    tokens/s <= bandwidth × devices / (active params × bytes/param). An upper bound."""
    hw, dep = profile.hardware, c.deployment
    active = memory.active_params_b(c.card)
    if dep.mode != "self-hosted" or hw is None or not hw.memory_bandwidth_gbps or not active:
        return None
    bytes_per_token = active * memory.BYTES_PER_PARAM[dep.memory.quantization]
    value = hw.memory_bandwidth_gbps * dep.devices_used / bytes_per_token
    return Estimate(value, "estimated", [hw.source] if hw.source else [],
                    note="memory-bandwidth roofline (upper bound)")


def cost(c: Candidate, profile: Profile) -> tuple[Estimate | None, Estimate | None]:
    """($ per 1M tokens, $ per month) at the profile's workload."""
    mtok = profile.workload.tokens_per_month / 1e6
    per_mtok = _api_cost(c, profile) if c.deployment.mode == "api" else _hosted_cost(c, profile)
    if per_mtok is None:
        return None, None
    return per_mtok, Estimate(per_mtok.value * mtok, per_mtok.provenance, per_mtok.sources)


def _api_cost(c: Candidate, profile: Profile) -> Estimate | None:
    price, share = c.card.price, profile.workload.input_share
    if price is None:
        return None
    value = share * price.input_per_mtok_usd + (1 - share) * price.output_per_mtok_usd
    return Estimate(value, "published", [price.source], note="API price, blended by input share")


def _hosted_cost(c: Candidate, profile: Profile) -> Estimate | None:
    """Owned/reserved hardware: its monthly cost (share of devices used) over the monthly volume.
    On-demand: hourly cost of the devices used over the aggregate throughput
    (single-stream speed × concurrency, as batched decoding shares one read of the weights)."""
    hw, dep, wl = profile.hardware, c.deployment, profile.workload
    share = dep.devices_used / hw.devices
    sources = [hw.source] if hw.source else []
    if hw.monthly_cost_usd is not None:
        value = hw.monthly_cost_usd * share / (wl.tokens_per_month / 1e6)
        return Estimate(value, "estimated", sources, note="fixed monthly")
    if hw.cost_per_hour_usd is None or c.speed is None:
        return None
    tokens_per_hour = c.speed.value * wl.concurrency * 3600
    value = hw.cost_per_hour_usd * share / (tokens_per_hour / 1e6)
    return Estimate(value, "estimated", sources + c.speed.sources,
                    note=f"hourly hardware / throughput ({c.speed.provenance} speed)")

"""How a model would be served under a profile, and what that costs and how fast it is.

A model is served one of two ways: **self-hosted** on the profile's target hardware (open
weights that fit in memory at an allowed quantization) or through its vendor's **API** (a
quoted price). Self-hosting is tried first because it keeps prompts inside the organisation
(DOMAIN.md §5, the GDPR argument). Everything downstream (GDPR score, cost, speed, hardware fit,
data-location constraint) depends on this choice, so it is made once, here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from llmselect import memory
from llmselect.config.catalog_schema import ModelCard, VendorCard
from llmselect.config.profile_schema import Profile
from llmselect.scoring.measured import MeasuredFacts

Mode = Literal["self-hosted", "api"]


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
    spread: float = 0.0  # 1 sd of ln(value): the relative uncertainty of the figure


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
    quality_model: Any = None  # scoring.quality_model.QualityModel fitted on the catalog


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


#: Decoding reads the active weights once per token but does not reach the memory's peak
#: bandwidth: llama.cpp and vLLM decode typically reach 50-80 % of it on one stream. We take 0.6
#: with a spread of 0.35 (1 sd of ln), i.e. roughly x0.7-x1.4 around the figure.
DECODE_EFFICIENCY = 0.6
SPREAD = {"measured": 0.15, "roofline": 0.35, "published": 0.3}
DAYS_PER_MONTH = 365.25 / 12
#: Energy price when a profile gives none (USD per kWh): an assumption, stated in the output.
DEFAULT_ENERGY_USD_PER_KWH = 0.20


def speed(c: Candidate, profile: Profile) -> Estimate | None:
    """Single-stream generation tokens/s, each figure only where it was measured.

    * measured here (a bench run's speed probe) when it ran on the target's kind of hardware;
    * self-hosted: the memory-bandwidth roofline of the TARGET (bandwidth × devices / bytes read
      per token at the chosen quantization) × ``DECODE_EFFICIENCY``;
    * through the API: the published speed (it was measured on the vendor's service, which is
      what an API user gets).
    A published speed never stands for other hardware: a hosted API's 147 t/s says nothing
    about a laptop. Unknown otherwise (the missing-fact policy decides)."""
    target_kind = profile.hardware.kind if profile.hardware else None
    mode = c.deployment.mode
    if (mode == "self-hosted" and c.measured and c.measured.gen_tokens_per_s
            and c.measured.speed_on in (None, target_kind)):
        return Estimate(c.measured.gen_tokens_per_s, "measured", [c.measured.speed_run_id],
                        note="speed probe of a bench run on this kind of hardware",
                        spread=SPREAD["measured"])
    if mode == "self-hosted":
        return _roofline(c, profile)
    if mode == "api" and c.card.speed_tokens_per_s is not None:
        s = c.card.speed_tokens_per_s
        return Estimate(s.value, "published", [s.source], note="published, on the vendor's API",
                        spread=SPREAD["published"])
    return None


def _roofline(c: Candidate, profile: Profile) -> Estimate | None:
    """Decoding is memory-bound: each token reads the active weights once, so
    tokens/s ≈ efficiency × bandwidth × devices / (active params × bytes/param)."""
    hw, dep = profile.hardware, c.deployment
    active = memory.active_params_b(c.card)
    if dep.mode != "self-hosted" or hw is None or not hw.memory_bandwidth_gbps or not active:
        return None
    bytes_per_token = active * memory.BYTES_PER_PARAM[dep.memory.quantization]
    value = DECODE_EFFICIENCY * hw.memory_bandwidth_gbps * dep.devices_used / bytes_per_token
    return Estimate(value, "estimated", [hw.source] if hw.source else [],
                    note=f"{DECODE_EFFICIENCY:g} × memory-bandwidth roofline of the target",
                    spread=SPREAD["roofline"])


def cost(c: Candidate, profile: Profile) -> tuple[Estimate | None, Estimate | None]:
    """($ per 1M tokens, $ per month) at the profile's workload: total cost of ownership."""
    monthly = _api_monthly(c, profile) if c.deployment.mode == "api" else _hosted_monthly(c, profile)
    if monthly is None:
        return None, None
    mtok = profile.workload.tokens_per_month / 1e6
    per_mtok = Estimate(monthly.value / mtok, monthly.provenance, monthly.sources, monthly.note,
                        monthly.spread)
    return per_mtok, monthly


def _api_monthly(c: Candidate, profile: Profile) -> Estimate | None:
    """Input tokens × input price + output tokens × output price."""
    price, wl = c.card.price, profile.workload
    if price is None:
        return None
    mtok = wl.tokens_per_month / 1e6
    value = mtok * (wl.input_share * price.input_per_mtok_usd
                    + (1 - wl.input_share) * price.output_per_mtok_usd)
    return Estimate(value, "published", [price.source],
                    note=f"API: {mtok:g}M tokens × list prices")


def replica_plan(c: Candidate, profile: Profile) -> tuple[int, float] | None:
    """(replicas, hours each runs per month) for a self-hosted model.

    One replica is the devices the model needs; it decodes ``concurrency`` streams at once
    (single-stream speed × concurrency, as batched decoding shares each read of the weights).
    A live service runs all its service hours, with as many replicas as its average output
    rate needs (at least one); a batch job fills one node with replicas and runs only the hours
    its output tokens take."""
    wl = profile.workload
    out_tokens = wl.tokens_per_month * (1 - wl.input_share)
    if c.speed is None:
        return None
    per_replica = c.speed.value * wl.concurrency  # output tokens/s
    if wl.mode == "batch":  # every replica a node holds works on the job at once
        per_node = max(1, profile.hardware.devices // max(c.deployment.devices_used or 1, 1))
        return per_node, out_tokens / (per_replica * per_node) / 3600
    hours = wl.service_hours_per_day * DAYS_PER_MONTH
    needed = out_tokens / (hours * 3600)
    return max(1, math.ceil(needed / per_replica)), hours


def _hosted_monthly(c: Candidate, profile: Profile) -> Estimate | None:
    """Self-hosted TCO: the profile's ``hardware`` is a node (a machine rented or owned whole);
    the service needs ceil(replicas × devices per replica / devices per node) nodes.
    Cloud = nodes × $/h × the hours they run (a live service: every service hour, busy or not;
    a batch job: the hours its output tokens take). Owned = nodes × the machine's monthly cost
    (amortisation, as the profile states it) + energy at ``power_watts`` for the hours served."""
    hw, dep, wl = profile.hardware, c.deployment, profile.workload
    sources = [hw.source] if hw.source else []
    live = wl.mode == "live"
    plan = replica_plan(c, profile)
    if plan is None and not live:
        return None  # a batch job's hours need a speed
    replicas, hours = plan or (1, wl.service_hours_per_day * DAYS_PER_MONTH)
    nodes = math.ceil(replicas * dep.devices_used / hw.devices)
    spread = 0.0 if live else (c.speed.spread if c.speed else 0.5)
    if live and plan is not None and replicas > 1:
        spread = c.speed.spread  # the replica count rests on the speed estimate
    what = f"{nodes} node{'s' * (nodes > 1)}"
    if hw.monthly_cost_usd is None:
        if hw.cost_per_hour_usd is None:
            return None
        value = nodes * hw.cost_per_hour_usd * hours
        return Estimate(value, "estimated", sources + (c.speed.sources if c.speed and not live else []),
                        note=f"{what} × ${hw.cost_per_hour_usd:g}/h × {hours:,.0f} h/month",
                        spread=spread)
    price = hw.energy_usd_per_kwh if hw.energy_usd_per_kwh is not None else DEFAULT_ENERGY_USD_PER_KWH
    served = hours if live else min(hours, 24 * DAYS_PER_MONTH)
    energy_kwh = (hw.power_watts or 0.0) / 1000 * nodes * served
    value = nodes * hw.monthly_cost_usd + energy_kwh * price
    note = f"owned: {what} × ${hw.monthly_cost_usd:,.0f}/month"
    if hw.power_watts:
        note += f" + {energy_kwh:,.0f} kWh × ${price:g}/kWh"
    return Estimate(value, "estimated", sources, note=note, spread=spread if hw.power_watts else 0.0)

"""The ``Recommendation``: what ``recommend`` returns and ``recommend --format json`` prints.

Field names are a contract with the report renderer and with users' scripts: add fields, do not
rename them. ``version`` changes when a field changes meaning.

Provenance values: ``measured`` (a run in results/, source = run id), ``published`` (catalog,
source = source key), ``estimated`` (derived here, e.g. memory, roofline speed, hosted cost),
``mixed`` (several of those in one criterion), ``unknown`` (no fact; the missing-fact policy
gave the score in ``used``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from llmselect.strict import StrictModel

RECOMMENDATION_VERSION = 1


_Out = StrictModel


class CriterionDetail(_Out):
    score: float | None = Field(description="Criterion score in [0,1]; None = facts unknown")
    used: float = Field(description="Score used in the total (the policy's value when unknown)")
    weight: float = Field(description="Normalised weight (weights sum to 1)")
    contribution: float = Field(description="weight × used; the contributions sum to the total")
    provenance: Literal["published", "measured", "estimated", "mixed", "unknown"]
    sources: list[str] = Field(default_factory=list, description="Source keys or run ids")
    facts: dict[str, Any] = Field(default_factory=dict, description="The facts behind the score")
    stderr: float = Field(0.0, description="Standard error of the score (score units): source "
                          "spread, measurement stderr, estimation error, cost/speed spread")


class RankedModel(_Out):
    rank: int
    model: str = Field(description="Catalog model id")
    name: str
    vendor: str
    total: float = Field(description="Weighted score in [0,1]")
    stderr: float = Field(description="Standard error of the total (from benchmark stderr)")
    interval: tuple[float, float] = Field(description="95 % interval: total ± 1.96 stderr")
    p_first: float = Field(description="Share of weight-perturbation draws where it ranks #1")
    deployment: Literal["self-hosted", "api"]
    quantization: str | None = Field(None, description="Weight format chosen when self-hosted")
    memory_gb: float | None = Field(None, description="Estimated memory when self-hosted "
                                    "(GB = 10^9 bytes)")
    monthly_cost_usd: float | None = Field(None, description="Total cost of ownership per month "
                                           "at the profile's workload")
    cost_basis: str | None = Field(None, description="How the monthly cost was computed")
    why: str = Field("", description="Short why: the criteria where it gains most on the field")
    estimated: list[str] = Field(default_factory=list, description="Quality benchmarks estimated "
                                 "from the model's other facts (not published, not measured)")
    criteria: dict[str, CriterionDetail]
    key_facts: dict[str, Any] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)
    tie_with: list[str] = Field(default_factory=list, description="Models in its tie group (intervals chain-overlap), at most 5 ranks away")


class Exclusion(_Out):
    model: str
    constraint: str = Field(description="Profile constraint (or 'missing_facts') that excluded it")
    detail: str
    memory_gb: float | None = Field(None, description="Memory it would need (smallest allowed "
                                    "quantization), set when the memory limit excluded it")
    quality: float | None = Field(None, description="Its quality score, set when the memory "
                                  "limit excluded it (the report plots what the limit cuts off)")


class BreakEven(_Out):
    """Where self-hosting and the cheapest admissible API cost the same."""

    self_hosted_model: str
    self_hosted_monthly_usd: float
    api_model: str
    api_usd_per_mtok: float
    break_even_mtok_per_month: float | None = Field(
        None, description="Monthly volume (millions of tokens) above which self-hosting is cheaper")
    note: str = ""


class SeedCheck(_Out):
    """Does the profile reproduce the source it restates (its pick among its candidates)?"""

    source: str
    candidates: list[str]
    picks: list[str] = Field(description="The source's pick (or equally named alternatives)")
    ranked: list[str] = Field(description="The candidates as ranked here, excluded ones last")
    agrees: bool
    explanation: str = Field(description="Why it agrees, or what differs from the source")


class Sensitivity(_Out):
    draws: int
    perturbation: float = Field(description="Each weight multiplied by U(1 − p, 1 + p), renormalised")
    seed: int


class Recommendation(_Out):
    version: int = RECOMMENDATION_VERSION
    profile: str
    profile_file: str | None = None
    description: str
    use_case: str
    missing_facts: Literal["neutral", "penalise", "exclude"]
    missing_facts_rule: str = Field(description="What the policy does, in words")
    missing_facts_by_criterion: dict[str, str] = Field(default_factory=dict,
                                                       description="Per-criterion overrides")
    weights: dict[str, float] = Field(description="Normalised criterion weights")
    quality_benchmarks: dict[str, float]
    hardware: str | None = None
    capacity_gb: float | None = Field(None, description="Memory the target hardware offers")
    sensitivity: Sensitivity
    ranked: list[RankedModel]
    excluded: list[Exclusion]
    why_first: str | None = Field(None, description="One line on why #1 beats #2")
    p_first_beats_second: float | None = Field(None, description="Share of Monte Carlo draws "
                                               "(weights and facts) in which #1's total beats #2's")
    break_even: BreakEven | None = None
    uncertainty_note: str = Field("", description="What the intervals and p(#1) account for")
    units: str = "GB = 10^9 bytes; costs in USD per month at the profile's workload"
    seed_check: SeedCheck | None = None
    ties: list[list[str]] = Field(default_factory=list, description="Groups of models (by rank) "
                                  "whose intervals overlap: not ordered with confidence")
    measured_runs: list[str] = Field(default_factory=list, description="Run ids used")
    notes: list[str] = Field(default_factory=list)

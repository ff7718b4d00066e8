"""Hard constraints: a model that fails one is out, and the output says which one and why.

Checked in two passes because some need the deployment decided first:
``static`` (licence, open weights, context, languages: facts of the card alone; a language passes
only when the card lists it: "multi" is a tag, not a language) and
``after_deployment`` (data location and memory: did ``deployment.choose`` find a way to serve it;
cost: is the price within the budget). A fact a constraint needs but the catalog does not give
excludes the model only under the ``exclude`` missing-fact policy; otherwise the model stays and
carries a warning, so an unknown never silently passes as a yes.
"""

from __future__ import annotations

from dataclasses import dataclass

from llmselect.config.catalog_schema import ModelCard
from llmselect.config.profile_schema import Profile
from llmselect.scoring.deployment import Candidate


@dataclass(frozen=True)
class Violation:
    constraint: str
    detail: str


@dataclass
class Check:
    """Outcome for one model: the first violation (excluded) or the warnings it carries."""

    violation: Violation | None = None
    warnings: list[str] | None = None


def _unknown(name: str, what: str, profile: Profile, warnings: list[str]) -> Violation | None:
    if profile.missing_facts == "exclude":
        return Violation(name, f"{what} is unknown (missing-fact policy: exclude)")
    warnings.append(f"{name}: {what} is unknown; kept (missing-fact policy: {profile.missing_facts})")
    return None


def static(card: ModelCard, profile: Profile) -> Check:
    """Constraints on the card's own facts, before any deployment decision."""
    con, warnings = profile.constraints, []
    if con.open_weights and not card.open_weights.value:
        return Check(Violation("open_weights", "API only: the weights are not published"))
    if con.commercial_use:
        if card.commercial_use is None:
            if v := _unknown("commercial_use", "commercial use under the licence", profile, warnings):
                return Check(v)
        elif not card.commercial_use.value:
            lic = card.license.value if card.license else "its licence"
            return Check(Violation("commercial_use", f"{lic} does not allow commercial use"))
    if con.min_context:
        if card.context_tokens is None:
            if v := _unknown("min_context", "the context window", profile, warnings):
                return Check(v)
        elif card.context_tokens.value < con.min_context:
            return Check(Violation("min_context", f"context {card.context_tokens.value:,} tokens "
                                                  f"< required {con.min_context:,}"))
    if con.languages:
        if v := _languages(card, profile, warnings):
            return Check(v)
    return Check(None, warnings)


def _languages(card: ModelCard, profile: Profile, warnings: list[str]) -> Violation | None:
    if card.languages is None:
        return _unknown("languages", "the supported languages", profile, warnings)
    missing = [lang for lang in profile.constraints.languages if lang not in card.languages.value]
    if not missing:
        return None
    listed = [lang for lang in card.languages.value if lang != "multi"]
    return Violation("languages", f"does not list {', '.join(missing)} (lists "
                                  f"{', '.join(listed) or 'no language'}; 'multi' names none)")


def after_deployment(c: Candidate, profile: Profile, warnings: list[str]) -> Violation | None:
    """Data location / memory (no way to serve it) and budget (too expensive)."""
    dep, con = c.deployment, profile.constraints
    if dep.mode is None:
        return Violation(dep.constraint or "deployable", dep.why_not or "no way to serve it")
    if con.max_cost_per_mtok_usd is not None or con.max_monthly_cost_usd is not None:
        if c.cost_per_mtok is None:
            return _unknown("max_cost", "the cost per token", profile, warnings)
        if con.max_cost_per_mtok_usd is not None and c.cost_per_mtok.value > con.max_cost_per_mtok_usd:
            return Violation("max_cost_per_mtok_usd", f"${c.cost_per_mtok.value:.3g}/Mtok > "
                                                      f"${con.max_cost_per_mtok_usd:g}")
        if con.max_monthly_cost_usd is not None and c.monthly_cost.value > con.max_monthly_cost_usd:
            return Violation("max_monthly_cost_usd", f"${c.monthly_cost.value:,.0f}/month > "
                                                     f"${con.max_monthly_cost_usd:,.0f}")
    return None


def quality_floor(quality, profile: Profile, warnings: list[str]) -> Violation | None:
    """``min_quality`` on the quality criterion's score. Unknown quality counts as 0 under
    ``penalise``, is excluded under ``exclude`` and kept with a warning under ``neutral``."""
    floor = profile.constraints.min_quality
    if floor is None:
        return None
    if quality is None or quality.score is None:
        policy = profile.policy("quality")
        if policy == "neutral":
            warnings.append("min_quality: quality is unknown; kept (missing-fact policy: neutral)")
            return None
        return Violation("min_quality", f"quality is unknown (missing-fact policy: {policy}); "
                                        "measure it with `llmselect bench`")
    if quality.score < floor:
        return Violation("min_quality", f"quality {quality.score:.2f} ({quality.provenance}) < {floor:g} "
                                        "(skill above chance over the profile's benchmarks)")
    return None

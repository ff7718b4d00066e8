"""The sentences a ranking ends with: why #1 beats #2, each model's short why, and where
self-hosting breaks even with the cheapest API."""

from __future__ import annotations

import numpy as np

from llmselect.config.profile_schema import Profile
from llmselect.scoring.result import BreakEven, RankedModel

#: The words a "why" uses for each criterion: short enough for an 80-column table.
WHY_WORDS = {"quality": "quality", "gdpr_security": "GDPR", "license_openness": "licence",
             "cost": "cost", "hardware_fit": "fit", "speed": "speed", "context": "context",
             "languages": "languages", "ecosystem": "ecosystem", "vendor_support": "support",
             "ecology": "ecology", "transparency": "transparency"}


def short_why(used, w, active, field, top: int = 2) -> str:
    """The criteria where the model gains most on the field's average (weighted): its case."""
    gains = (used - field.mean(axis=0)) * w
    best = [active[k] for k in np.argsort(-gains)[:top] if gains[k] > 0.002]
    return ", ".join(WHY_WORDS.get(c, c) for c in best)


def break_even(scored, ranked: list[RankedModel], profile: Profile) -> BreakEven | None:
    """The best-ranked self-hosted model against the cheapest admissible API (per token):
    the monthly volume above which self-hosting costs less. A live self-hosted service costs
    the same every month whatever the volume (its hours are paid), so the break-even volume is
    its monthly cost over the API's price per token; batch self-hosting scales with volume."""
    hosted = next((e for e in ranked if e.deployment == "self-hosted" and e.monthly_cost_usd), None)
    apis = [(cand.cost_per_mtok.value, cand.card.id) for cand, _, _ in scored
            if cand.deployment.mode == "api" and cand.cost_per_mtok]
    if hosted is None or not apis:
        return None
    price, api_id = min(apis)
    wl = profile.workload
    if wl.mode == "live":
        volume = hosted.monthly_cost_usd / price if price > 0 else None
        note = (f"self-hosting {hosted.model} pays off above {volume:,.0f}M tokens/month "
                f"(= ${hosted.monthly_cost_usd:,.0f}/month of {api_id} API spend)"
                if volume is not None else "")
    else:
        per_mtok = hosted.monthly_cost_usd / (wl.tokens_per_month / 1e6)
        volume = 0.0 if per_mtok < price else None
        note = (f"batch self-hosting {hosted.model} costs ${per_mtok:.3g}/Mtok vs {api_id} "
                f"${price:.3g}/Mtok: " + ("cheaper at any volume" if volume == 0.0 else
                                         "never cheaper per token"))
    return BreakEven(self_hosted_model=hosted.model,
                     self_hosted_monthly_usd=round(hosted.monthly_cost_usd, 2), api_model=api_id,
                     api_usd_per_mtok=round(price, 4),
                     break_even_mtok_per_month=None if volume is None else round(volume, 1),
                     note=note)


def why_first(ranked: list[RankedModel], p_beats: float | None = None) -> str | None:
    """One line: the margin, the criteria that carry it, and how sure the order is."""
    if len(ranked) < 2:
        return f"{ranked[0].model} is the only model left" if ranked else None
    a, b = ranked[0], ranked[1]
    deltas = sorted(((a.criteria[c].contribution - b.criteria[c].contribution, c)
                     for c in a.criteria), reverse=True)
    plus = [f"{c} +{d:.2f}" for d, c in deltas if d > 0.005][:3]
    minus = [f"{c} {d:.2f}" for d, c in reversed(deltas) if d < -0.005][:2]
    line = (f"{a.model} beats {b.model} by {a.total - b.total:.2f} "
            f"({', '.join(plus) or 'no criterion'}; gives up {', '.join(minus) or 'nothing'})")
    if b.model in a.tie_with:
        line += "; their intervals overlap: a tie"
    if p_beats is not None:
        line += f"; #1 ahead of #2 in {p_beats:.0%} of draws, p(#1) {a.p_first:.0%}"
    return line

"""``rank_catalog(profile, catalog, runs)``: the decision engine behind ``llmselect recommend``.

Pipeline, one concern per module: hard constraints on the card (``constraints.static``) ->
how it would be served (``deployment``) -> speed and cost -> budget/location constraints ->
criterion scores (``criteria``) -> missing-fact policy -> weighted ranking with intervals,
sensitivity and ties (``ranking``) -> the ``Recommendation`` (``result``).
"""

from __future__ import annotations

import contextlib
import gc
from collections import Counter
from typing import Any, Iterable

import numpy as np

from llmselect.config.profile_schema import CRITERIA, Profile
from llmselect.errors import UserError
from llmselect.scoring import constraints, deployment, ranking
from llmselect.scoring.criteria import CRITERION_FUNCTIONS, CriterionResult
from llmselect.scoring.measured import collect
from llmselect.scoring.result import (
    CriterionDetail, Exclusion, RankedModel, Recommendation, Sensitivity,
)

TIE_NEIGHBOURS = 5  # tie_with lists group members at most this many ranks away
POLICY_RULE = {
    "neutral": "an unknown criterion scores the median of the models whose facts are known, "
               "with their spread as uncertainty; a benchmark the model lacks is left out of "
               "its quality mean",
    "penalise": "an unknown criterion scores 0 and a missing benchmark counts 0",
    "exclude": "a model with an unknown weighted criterion (or a fact a hard constraint needs) "
               "is excluded",
}


def rank_catalog(profile: Profile, catalog: Any, runs: Iterable = (), *,
              benchmarks: dict | None = None, profile_file: str | None = None) -> Recommendation:
    """Rank every catalog model for ``profile``. Raises UserError when nothing survives."""
    with _gc_paused():
        return _recommend(profile, catalog, runs, benchmarks, profile_file)


@contextlib.contextmanager
def _gc_paused():
    """The loop allocates many small acyclic objects; with a large catalog alive, the cyclic
    collector's full passes over it were ~40 % of the time (benchmarks/bench_recommend.py).
    Reference counting still frees everything; the collector is restored afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _recommend(profile, catalog, runs, benchmarks, profile_file) -> Recommendation:
    benchmarks = catalog.benchmarks if benchmarks is None else benchmarks
    runs = list(runs)
    measured = collect(runs)
    weights = profile.criteria.normalised()
    active = [c for c in CRITERIA if weights[c] > 0]
    scored, excluded = [], []
    for card in catalog.models.values():
        outcome = _evaluate(card, catalog, profile, measured, benchmarks, active)
        (excluded if isinstance(outcome, Exclusion) else scored).append(outcome)
    if not scored:
        raise UserError(_nothing_left(profile, profile_file, excluded))
    return _assemble(profile, profile_file, scored, excluded, weights, active, measured)


def _evaluate(card, catalog, profile, measured, benchmarks, active):
    """One model -> (candidate, results, warnings) or an Exclusion."""
    check = constraints.static(card, profile)
    if check.violation:
        return Exclusion(model=card.id, constraint=check.violation.constraint,
                         detail=check.violation.detail)
    vendor = catalog.vendors.get(card.vendor)
    cand = deployment.Candidate(card, vendor, deployment.choose(card, vendor, profile),
                                measured.get(card.id))
    warnings = list(check.warnings or [])
    if cand.deployment.mode is not None:
        cand.speed = deployment.speed(cand, profile)
        cand.cost_per_mtok, cand.monthly_cost = deployment.cost(cand, profile)
    violation = constraints.after_deployment(cand, profile, warnings)
    if violation:
        return _exclusion(card.id, violation, cand, profile, benchmarks)
    results = {name: CRITERION_FUNCTIONS[name](cand, profile, benchmarks) for name in active}
    quality = results.get("quality")
    if quality is None and profile.constraints.min_quality is not None:
        quality = CRITERION_FUNCTIONS["quality"](cand, profile, benchmarks)
    violation = constraints.quality_floor(quality, profile, warnings)
    if violation:
        return Exclusion(model=card.id, constraint=violation.constraint, detail=violation.detail)
    if quality and quality.score is not None and quality.facts.get("coverage", 1) < 0.5:
        missing = [k for k, v in quality.facts.items() if v is None]
        warnings.append(f"quality rests on {quality.facts['coverage']:.0%} of the benchmark "
                        f"weight; unknown: {', '.join(missing)}")
    unknown = [n for n, r in results.items() if r.score is None and profile.policy(n) == "exclude"]
    if unknown:
        hint = "; measure it with `llmselect bench`" if "quality" in unknown else ""
        return Exclusion(model=card.id, constraint="missing_facts",
                         detail=f"unknown: {', '.join(unknown)} (missing-fact policy: exclude){hint}")
    return cand, results, warnings


def _exclusion(model_id, violation, cand, profile, benchmarks) -> Exclusion:
    """An exclusion; one by the memory limit also carries the memory the model would need and
    its quality, so the report can show what the limit cuts off without scoring again."""
    out = Exclusion(model=model_id, constraint=violation.constraint, detail=violation.detail)
    memory = cand.deployment.memory
    if violation.constraint == "max_memory_gb" and memory is not None:
        out.memory_gb = round(memory.total_gb, 2)
        out.quality = CRITERION_FUNCTIONS["quality"](cand, profile, benchmarks).score
    return out


def _nothing_left(profile: Profile, source: str | None, excluded: list[Exclusion]) -> str:
    counts = Counter(e.constraint for e in excluded)
    parts = ", ".join(f"{name} removed {n}" for name, n in counts.most_common())
    where = source or profile.name
    return (f"{where}: constraints exclude every model ({parts}); relax "
            f"constraints.{counts.most_common(1)[0][0]} or the target hardware")


def _matrix(scored, active, policies):
    """Scores used in the total and their stderrs, models × criteria.

    An unknown criterion gets the policy's value: ``penalise`` 0; ``neutral`` the median of the
    models whose facts are known (neither helps nor hurts relative to the field; 0.5 when no
    model is known) with the spread (std) of those scores as its stderr, so the interval shows
    what is not known instead of a made-up precision."""
    n, k = len(scored), len(active)
    raw = np.array([[np.nan if r[c].score is None else r[c].score for c in active]
                    for _, r, _ in scored], dtype=float).reshape(n, k)
    errs = np.array([[r[c].stderr for c in active] for _, r, _ in scored],
                    dtype=float).reshape(n, k)
    unknown = np.isnan(raw)
    if not unknown.any():
        return raw, errs, unknown
    penalise = np.array([policies[c] == "penalise" for c in active])
    known_count = (~unknown).sum(axis=0)
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            median = np.where(known_count > 0, np.nanmedian(raw, axis=0), 0.5)
            spread = np.where(known_count > 1, np.nanstd(raw, axis=0), 0.0)
    scores = np.where(unknown, np.where(penalise, 0.0, median), raw)
    errs = np.where(unknown & ~penalise, spread, errs)
    return scores, errs, unknown


def _assemble(profile, source, scored, excluded, weights, active, measured) -> Recommendation:
    w = np.array([weights[c] for c in active])
    scores, errs, _ = _matrix(scored, active, {c: profile.policy(c) for c in active})
    ids = [cand.card.id for cand, _, _ in scored]
    rk = ranking.rank(scores, errs, w, ids, draws=profile.sensitivity_draws,
                      delta=profile.weight_perturbation, seed=profile.seed)
    ranked = [_entry(pos + 1, scored[i], scores[i], w, active, rk, i)
              for pos, i in enumerate(rk.order)]
    ties = [[ranked[p].model for p in group] for group in rk.groups]
    for group in rk.groups:            # groups are runs of consecutive positions
        first, last = group[0], group[-1]
        for pos in group:
            near = range(max(first, pos - TIE_NEIGHBOURS), min(last, pos + TIE_NEIGHBOURS) + 1)
            ranked[pos].tie_with = [ranked[q].model for q in near if q != pos]
    considered = set(ids) | {e.model for e in excluded}
    used_runs = sorted({r for m in measured.values() if m.catalog_id in considered
                        for r in m.run_ids})
    hw = profile.hardware
    return Recommendation.model_construct(
        version=1, profile=profile.name or "", profile_file=source,
        description=profile.description.strip(), use_case=profile.use_case.strip(),
        missing_facts=profile.missing_facts, missing_facts_rule=POLICY_RULE[profile.missing_facts],
        missing_facts_by_criterion=dict(profile.missing_facts_by_criterion),
        weights={c: round(weights[c], 4) for c in active},
        quality_benchmarks=dict(profile.criteria.quality_benchmarks),
        hardware=f"{hw.name} ({hw.kind}, {', '.join(hw.quantization)})" if hw else None,
        capacity_gb=deployment.capacity_gb(profile),
        sensitivity=Sensitivity(draws=profile.sensitivity_draws,
                                perturbation=profile.weight_perturbation, seed=profile.seed),
        ranked=ranked, excluded=sorted(excluded, key=lambda e: (e.constraint, e.model)),
        why_first=why_first(ranked), ties=ties, measured_runs=used_runs, notes=[],
    )


def _entry(rank_no, item, used, w, active, rk, i) -> RankedModel:
    cand, results, warnings = item
    criteria = {}
    for k, name in enumerate(active):
        r: CriterionResult = results[name]
        criteria[name] = CriterionDetail.model_construct(
            score=None if r.score is None else round(r.score, 4), used=round(float(used[k]), 4),
            weight=round(float(w[k]), 4), contribution=round(float(used[k] * w[k]), 4),
            provenance=r.provenance, sources=r.sources, facts=r.facts)
    tot, se = float(rk.totals[i]), float(rk.stderr[i])
    dep = cand.deployment
    return RankedModel.model_construct(
        rank=rank_no, model=cand.card.id, name=cand.card.name, vendor=cand.card.vendor,
        total=round(tot, 4), stderr=round(se, 4),
        interval=(round(tot - ranking.Z95 * se, 4), round(tot + ranking.Z95 * se, 4)),
        p_first=round(float(rk.p_first[i]), 4), deployment=dep.mode,
        quantization=dep.memory.quantization if dep.mode == "self-hosted" else None,
        memory_gb=round(dep.memory.total_gb, 2) if dep.mode == "self-hosted" else None,
        criteria=criteria, key_facts=key_facts(cand), warnings=warnings, tie_with=[])


def key_facts(cand) -> dict[str, Any]:
    card = cand.card
    facts = {
        "license": card.license.value if card.license else None,
        "params_b": card.params_total_b.value if card.params_total_b else None,
        "context": card.context_tokens.value if card.context_tokens else None,
        "cost_per_mtok_usd": round(cand.cost_per_mtok.value, 4) if cand.cost_per_mtok else None,
        "tokens_per_s": round(cand.speed.value, 1) if cand.speed else None,
    }
    if card.params_active_b:
        facts["active_params_b"] = card.params_active_b.value
    return facts


def why_first(ranked: list[RankedModel]) -> str | None:
    """One line: the margin, the criteria that carry it, and whether it is a tie."""
    if len(ranked) < 2:
        return f"{ranked[0].model} is the only model left" if ranked else None
    a, b = ranked[0], ranked[1]
    deltas = sorted(((a.criteria[c].contribution - b.criteria[c].contribution, c)
                     for c in a.criteria), reverse=True)
    plus = [f"{c} +{d:.3f}" for d, c in deltas if d > 0.0005][:3]
    minus = [f"{c} {d:.3f}" for d, c in reversed(deltas) if d < -0.0005][:2]
    line = (f"{a.model} beats {b.model} by {a.total - b.total:.3f} "
            f"({', '.join(plus) or 'no criterion'}; gives up {', '.join(minus) or 'nothing'})")
    if b.model in a.tie_with:
        line += "; their intervals overlap: a tie"
    return line + f"; p(#1) {a.p_first:.0%} vs {b.p_first:.0%} under ±weights"

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
from llmselect.scoring import constraints, deployment, quality_model, ranking
from llmselect.scoring.criteria import CRITERION_FUNCTIONS, CriterionResult
from llmselect.scoring.measured import collect
from llmselect.scoring.parts import fill_unknown_parts
from llmselect.scoring.result import (
    CriterionDetail,
    Exclusion,
    RankedModel,
    Recommendation,
    Sensitivity,
)
from llmselect.scoring.summary import break_even, short_why, why_first

TIE_NEIGHBOURS = 5
UNIFORM_SD = 0.29  # sd of a score known only to lie in [0, 1]  # tie_with lists group members at most this many ranks away
POLICY_RULE = {
    "neutral": "an unknown criterion scores the median of the models whose facts are known, "
               "with their spread as uncertainty; a benchmark the model lacks is estimated "
               "from its other scores and size, with the estimator's error",
    "penalise": "an unknown criterion scores 0 and a missing benchmark counts 0",
    "exclude": "a model with an unknown weighted criterion (or a fact a hard constraint needs, "
               "or no quality score of its own) is excluded; a missing benchmark is estimated",
}
UNCERTAINTY_NOTE = ("intervals and p(#1): {draws} Monte Carlo draws (seed {seed}) over the "
                    "weights (each ×U(1±{delta:g})) and the facts: published scores ±3 points "
                    "between sources, measured scores ± their stderr, estimated scores ± the "
                    "estimator's leave-one-out error, cost and speed estimates ± their spread")


def rank_catalog(profile: Profile, catalog: Any, runs: Iterable = (), *,
              benchmarks: dict | None = None, profile_file: str | None = None,
              shortlist: list[str] | None = None, check_seed: bool = True) -> Recommendation:
    """Rank the catalog's models for ``profile`` (only ``shortlist`` when given: ids or
    aliases). Raises UserError when nothing survives.

    A shortlist changes who is ranked, not how: every model is still scored against the whole
    catalog (the quality estimator's fit, the field medians of unknown facts), so a model's
    scores are the same in the full ranking and in any shortlist that holds it."""
    with _gc_paused():
        rec = _recommend(profile, catalog, runs, benchmarks, profile_file, shortlist)
    if check_seed and profile.reproduces is not None:
        from llmselect.scoring.seeds import check_seed as seed_check

        rec.seed_check = seed_check(profile, catalog, runs, benchmarks, profile_file)
    return rec


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


def _recommend(profile, catalog, runs, benchmarks, profile_file, shortlist=None) -> Recommendation:
    benchmarks = catalog.benchmarks if benchmarks is None else benchmarks
    runs = list(runs)
    measured = collect(runs)
    qmodel = quality_model.fit_catalog(catalog.models.values(), benchmarks)
    weights = profile.criteria.normalised()
    active = [c for c in CRITERIA if weights[c] > 0]
    scored, excluded = [], []
    for card in catalog.models.values():
        outcome = _evaluate(card, catalog, profile, measured, benchmarks, active, qmodel)
        (excluded if isinstance(outcome, Exclusion) else scored).append(outcome)
    if not scored:
        raise UserError(_nothing_left(profile, profile_file, excluded))
    for name in active:
        fill_unknown_parts([results[name] for _, results, _ in scored])
    keep = resolve_shortlist(catalog, shortlist) if shortlist else None
    if keep is not None:
        excluded = [x for x in excluded if x.model in keep]
        if not any(cand.card.id in keep for cand, _, _ in scored):
            raise UserError(_nothing_left(profile, profile_file, excluded)
                            .replace("exclude every model", "exclude every model of the shortlist"))
    return _assemble(profile, profile_file, scored, excluded, weights, active, measured, keep)


def resolve_shortlist(catalog: Any, names: list[str]) -> set[str]:
    """Catalog ids of a shortlist given by id or alias; an unknown name is one error line."""
    return {catalog.get_model(name).id for name in names}


def _evaluate(card, catalog, profile, measured, benchmarks, active, qmodel=None):
    """One model -> (candidate, results, warnings) or an Exclusion."""
    check = constraints.static(card, profile)
    if check.violation:
        return Exclusion(model=card.id, constraint=check.violation.constraint,
                         detail=check.violation.detail)
    vendor = catalog.vendors.get(card.vendor)
    cand = deployment.Candidate(card, vendor, deployment.choose(card, vendor, profile),
                                measured.get(card.id), quality_model=qmodel)
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
    if quality is not None and quality.no_facts and profile.policy("quality") == "exclude":
        own = quality.facts.get("missing_own_suite")
        what = (f"no run on {', '.join(own)}" if own else
                "none of the profile's quality benchmarks is published or measured")
        return Exclusion(model=card.id, constraint="missing_facts",
                         detail=f"{what} (missing-fact policy: exclude); measure it with "
                                "`llmselect bench`")
    if quality and quality.score is not None and quality.facts.get("estimated"):
        est = quality.facts["estimated"]
        warnings.append(f"quality: {', '.join(est)} estimated from the model's other facts "
                        f"(quality ±{1.96 * quality.stderr:.2f}); measure with `llmselect bench`")
    unknown = [n for n, r in results.items() if profile.policy(n) == "exclude"
               and (r.score is None or r.no_facts)]
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
            spread = np.where(known_count > 1, np.nanstd(raw, axis=0), UNIFORM_SD)
    scores = np.where(unknown, np.where(penalise, 0.0, median), raw)
    errs = np.where(unknown & ~penalise, spread, errs)
    return scores, errs, unknown


def _assemble(profile, source, scored, excluded, weights, active, measured, keep=None) -> Recommendation:
    w = np.array([weights[c] for c in active])
    scores, errs, _ = _matrix(scored, active, {c: profile.policy(c) for c in active})
    if keep is not None:  # the field stays the whole catalog; only the ranked set shrinks
        rows = [i for i, (cand, _, _) in enumerate(scored) if cand.card.id in keep]
        scored, scores, errs = [scored[i] for i in rows], scores[rows], errs[rows]
    ids = [cand.card.id for cand, _, _ in scored]
    rk = ranking.rank(scores, errs, w, ids, draws=profile.sensitivity_draws,
                      delta=profile.weight_perturbation, seed=profile.seed)
    ranked = [_entry(pos + 1, scored[i], scores[i], errs[i], w, active, rk, i, scores)
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
        why_first=why_first(ranked, rk.p_first_beats_second), ties=ties,
        measured_runs=used_runs, notes=[],
        p_first_beats_second=None if rk.p_first_beats_second is None
        else round(rk.p_first_beats_second, 3),
        break_even=break_even(scored, ranked, profile),
        uncertainty_note=UNCERTAINTY_NOTE.format(draws=profile.sensitivity_draws, seed=profile.seed,
                                                 delta=profile.weight_perturbation),
    )


def _entry(rank_no, item, used, errs, w, active, rk, i, field) -> RankedModel:
    cand, results, warnings = item
    criteria = {}
    for k, name in enumerate(active):
        r: CriterionResult = results[name]
        criteria[name] = CriterionDetail.model_construct(
            score=None if r.score is None else round(r.score, 4), used=round(float(used[k]), 4),
            weight=round(float(w[k]), 4), contribution=round(float(used[k] * w[k]), 4),
            provenance=r.provenance, sources=r.sources, facts=r.facts,
            stderr=round(float(errs[k]), 4))
    tot = float(rk.totals[i])
    dep = cand.deployment
    quality = results.get("quality")
    return RankedModel.model_construct(
        rank=rank_no, model=cand.card.id, name=cand.card.name, vendor=cand.card.vendor,
        total=round(tot, 4), stderr=round(float(rk.stderr[i]), 4),
        interval=(round(float(rk.low[i]), 4), round(float(rk.high[i]), 4)),
        p_first=round(float(rk.p_first[i]), 4), deployment=dep.mode,
        quantization=dep.memory.quantization if dep.mode == "self-hosted" else None,
        memory_gb=round(dep.memory.total_gb, 2) if dep.mode == "self-hosted" else None,
        monthly_cost_usd=round(cand.monthly_cost.value, 2) if cand.monthly_cost else None,
        cost_basis=cand.monthly_cost.note if cand.monthly_cost else None,
        why=short_why(used, w, active, field),
        estimated=list(quality.facts.get("estimated", [])) if quality and quality.score is not None else [],
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

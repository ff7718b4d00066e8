"""Does a profile that restates a source reach the source's pick?

A profile's ``reproduces`` names the source, the models it compared and what it picked. The
check ranks exactly those candidates under the profile (scored against the whole catalog, as
every shortlist is) and compares. When the source's pick is not first, the explanation says
why: for each candidate ranked above the pick, the criteria that carry its lead and the catalog
fact the profile declares it holds differently from the source (``differences``: e.g. a licence
corrected from the model card). A disagreement nobody explained is reported as such, so a
reader sees it instead of a silent mismatch.
"""

from __future__ import annotations

from typing import Any, Iterable

from llmselect.errors import UserError
from llmselect.scoring.result import SeedCheck


def check_seed(profile: Any, catalog: Any, runs: Iterable, benchmarks: dict | None,
               profile_file: str | None) -> SeedCheck:
    from llmselect.scoring.pipeline import rank_catalog, resolve_shortlist

    seed = profile.reproduces
    ids = sorted(resolve_shortlist(catalog, seed.candidates), key=seed.candidates.index
                 if all(c in catalog.models for c in seed.candidates) else str)
    picks = [catalog.get_model(p).id for p in seed.picks]
    try:
        rec = rank_catalog(profile, catalog, runs, benchmarks=benchmarks, profile_file=profile_file,
                           shortlist=ids, check_seed=False)
        ranked = [e.model for e in rec.ranked]
    except UserError:  # every candidate excluded
        rec, ranked = None, []
    excluded = {x.model: x for x in (rec.excluded if rec else [])}
    order = ranked + [m for m in ids if m not in ranked]
    first_pick = next((m for m in ranked if m in picks), None)
    if ranked and ranked[0] in picks:
        return SeedCheck(source=seed.source, candidates=ids, picks=picks, ranked=order, agrees=True,
                         explanation=f"{seed.source} picks {ranked[0]} among {len(ids)} candidates;"
                                     f" so does this profile ({_margin(rec, ranked)})")
    reasons = []
    for pick in picks:
        if pick in excluded:
            x = excluded[pick]
            reasons.append(f"{pick} is excluded by {x.constraint} ({x.detail})"
                           + _declared(seed, pick))
    ahead = ranked[: ranked.index(first_pick)] if first_pick else []
    for model in ahead:
        lead = _lead(rec, model, first_pick)
        reasons.append(f"{model} ranks above {first_pick or 'the pick'}{lead}"
                       + _declared(seed, model, first_pick))
    return SeedCheck(source=seed.source, candidates=ids, picks=picks, ranked=order, agrees=False,
                     explanation=f"{seed.source} picks {' or '.join(picks)}; here "
                                 f"{ranked[0] if ranked else 'no candidate'} ranks first: "
                                 + "; ".join(reasons))


def _declared(seed: Any, *models: str | None) -> str:
    notes = [f"{m}: {seed.differences[m]}" for m in models if m and m in seed.differences]
    return (" — catalog fact held differently from the source: " + "; ".join(notes) if notes
            else " — no catalog fact differs from the source: the profile weighs other criteria")


def _lead(rec: Any, model: str, pick: str | None) -> str:
    if rec is None or pick is None:
        return ""
    a = next(e for e in rec.ranked if e.model == model)
    b = next(e for e in rec.ranked if e.model == pick)
    gains = sorted(((a.criteria[c].contribution - b.criteria[c].contribution, c) for c in a.criteria),
                   reverse=True)
    parts = [f"{c} +{d:.2f}" for d, c in gains if d > 0.005][:3]
    return f" by {a.total - b.total:.2f} ({', '.join(parts) or 'no single criterion'})"


def _margin(rec: Any, ranked: list[str]) -> str:
    if len(ranked) < 2:
        return "the only candidate left"
    a, b = rec.ranked[0], rec.ranked[1]
    return f"ahead of {b.model} by {a.total - b.total:.2f}, p(#1) {a.p_first:.0%}"

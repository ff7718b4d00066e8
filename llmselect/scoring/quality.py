"""The quality criterion: skill above chance over the profile's benchmarks, every cell known,
measured, published or estimated, each with its error (see ``quality``'s docstring)."""

from __future__ import annotations

import math
from typing import Any

from llmselect.catalog.benchmarks import PUBLISHED_STDERR_DEFAULT
from llmselect.config.profile_schema import Profile
from llmselect.scoring.deployment import Candidate
from llmselect.scoring.result_types import CriterionResult, clip01

UNIFORM_SD = 0.29  # sd of a score known only to lie in [0, 1]


def quality(c: Candidate, p: Profile, benchmarks: dict) -> CriterionResult:
    """Weighted mean over the profile's benchmarks of (raw − chance) / (1 − chance), clipped to
    [0, 1] — the Open LLM Leaderboard v2 normalisation, so guessing scores 0.

    Each cell: measured here (stderr from the run) > published (stderr: sampling error and the
    between-source spread, ``Benchmark.published_stderr``) > estimated from the model's other
    scores and its size (``quality_model``; stderr: the estimator's leave-one-out error). A
    benchmark nobody fitted a line for (too few models publish it) takes the mean of the model's
    other cells with the catalog's spread as its error. Under ``penalise`` a missing benchmark
    counts 0 instead. stderr = sqrt(Σ (w·se)² over known cells + (Σ w·se over estimated cells)²)
    / Σ w: estimated cells share their predictors, so their errors add up, they do not average
    out. A model without a single score of its own is unknown when it has no size either. A model
    with none of the PROFILE's benchmarks published or measured is flagged ``no_facts``: the
    ``exclude`` policy removes it (the profile asked for those facts), the others estimate."""
    wanted = {k: w for k, w in p.criteria.quality_benchmarks.items() if w > 0}
    known = _known_cells(c, benchmarks)
    penalise = p.policy("quality") == "penalise"
    cells: dict[str, dict[str, Any]] = {}
    for key in wanted:
        if key in known:
            cells[key] = known[key]
        elif penalise:
            cells[key] = {"normalised": 0.0, "stderr": 0.0, "provenance": "unknown", "source": None}
        else:
            est = _estimate(c, key, known, benchmarks)
            # nothing to fit it on (an organisation's own suite, a benchmark no card has):
            # the model's other cells stand for it, with a score known only to lie in [0, 1]
            cells[key] = est or {"normalised": 0.0, "stderr": UNIFORM_SD, "provenance": "estimated",
                                 "source": None, "from_prior": True,
                                 "basis": f"no model publishes {key}"}
    _fill_unfitted(cells, wanted, known, c)
    if not cells or all(cell.get("from_prior") for cell in cells.values()):
        return CriterionResult(None, {k: None for k in wanted}, "unknown")
    total_w = sum(wanted[k] for k in cells)
    score = sum(cells[k]["normalised"] * wanted[k] for k in cells) / total_w
    fixed = sum((wanted[k] * v["stderr"]) ** 2 for k, v in cells.items() if v["provenance"] != "estimated")
    shared = sum(wanted[k] * v["stderr"] for k, v in cells.items() if v["provenance"] == "estimated")
    stderr = math.sqrt(fixed + shared ** 2) / total_w
    provs = {v["provenance"] for v in cells.values()}
    # one mark per criterion: any estimated cell makes it "estimated" (~), any unknown one
    # (penalise) "unknown" (?); measured with published is "mixed" (* measured here)
    prov = ("estimated" if "estimated" in provs else "unknown" if "unknown" in provs
            else provs.pop() if len(provs) == 1 else "mixed")
    facts: dict[str, Any] = {k: {kk: vv for kk, vv in v.items() if kk != "from_prior"}
                             for k, v in cells.items()}
    facts["estimated"] = [k for k, v in cells.items() if v["provenance"] == "estimated"]
    sources = sorted({v["source"] for v in cells.values() if v.get("source")})
    result = CriterionResult(score, facts, prov, sources, stderr)
    own_missing = [k for k in wanted if k.startswith("own:") and k not in known]
    result.no_facts = not (known.keys() & wanted.keys()) or bool(own_missing)
    if own_missing:  # the organisation's own set is not estimated from public scores
        result.facts["missing_own_suite"] = own_missing
    return result


def _known_cells(c: Candidate, benchmarks: dict) -> dict[str, dict[str, Any]]:
    """Every benchmark the model has a number for (measured wins), normalised, with stderr."""
    out = {}
    for s in c.card.scores:
        bench = benchmarks.get(s.benchmark)
        if bench is None:
            continue
        norm_unit = bench.scale * (1 - bench.chance)
        se = bench.published_stderr(s.value) if hasattr(bench, "published_stderr") else None
        se = PUBLISHED_STDERR_DEFAULT * bench.scale if se is None else se
        out[s.benchmark] = {"raw": round(s.value / bench.scale, 4),
                            "normalised": round(bench.normalise(s.value), 4),
                            "stderr": se / norm_unit, "provenance": "published",
                            "source": s.source}
    for key, m in (c.measured.scores.items() if c.measured else ()):
        bench = benchmarks.get(key)
        chance = getattr(bench, "chance", 0.0) or 0.0
        se = m.stderr if m.stderr is not None else math.sqrt(max(m.value * (1 - m.value), 1e-4) / max(m.n, 1))
        out[key] = {"raw": round(m.value, 4), "normalised": round(clip01((m.value - chance) / (1 - chance)), 4),
                    "stderr": se / (1 - chance), "provenance": "measured", "source": m.run_id}
    return out


def _estimate(c: Candidate, key: str, known: dict[str, dict[str, Any]],
              benchmarks: dict) -> dict[str, Any] | None:
    """An estimated cell. Its error is the estimator's, in quadrature with the error a published
    number would carry at that value: an estimate is never more precise than a publication, so
    replacing a published cell by an estimate always widens the interval."""
    model = c.quality_model
    if model is None:
        return None
    size = c.card.params_total_b.value if c.card.params_total_b else None
    est = model.estimate(key, {k: v["normalised"] for k, v in known.items()}, size)
    if est is None:
        return None
    bench = benchmarks.get(key)
    published = 0.0
    if bench is not None and hasattr(bench, "published_stderr"):
        value = (bench.chance + est.value * (1 - bench.chance)) * bench.scale
        published = bench.published_stderr(value) / (bench.scale * (1 - bench.chance))
    stderr = math.sqrt(est.stderr ** 2 + published ** 2)
    return {"normalised": round(est.value, 4), "stderr": stderr, "provenance": "estimated",
            "source": None, "basis": "from " + ", ".join(b.replace("log10_params", "size")
                                                         for b in est.basis),
            "from_prior": est.from_prior}


def _fill_unfitted(cells: dict, wanted: dict, known: dict, c: Candidate) -> None:
    """A cell estimated only from the catalog mean, for a model that has other cells, takes the
    mean of those (its own skill level) instead, with the catalog spread as error."""
    own = [v["normalised"] for k, v in cells.items() if not v.get("from_prior")]
    if not own:
        return
    level = sum(own) / len(own)
    for key, cell in cells.items():
        if cell.get("from_prior"):
            cells[key] = {**cell, "normalised": round(level, 4), "from_prior": False,
                          "basis": "mean of the model's other cells (no model fit for " + key + ")"}

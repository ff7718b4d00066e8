"""What the report shows, gathered from a ``Recommendation``, the catalog and the runs.

Kept apart from plotting and layout so the numbers can be tested without matplotlib or a
browser, and so the HTML and Markdown reports show the same figures. Everything here reads
the ``Recommendation`` as ``recommend --format json`` prints it: the report never re-scores.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from llmselect.scoring.result import RankedModel, Recommendation

Z95 = 1.96  # a 95 % interval is value ± 1.96 standard errors, as in the ranking


@dataclass(frozen=True)
class Point:
    """One ranked model on the quality/cost/memory plots."""

    model: str
    rank: int
    quality: float | None
    cost_per_mtok: float | None
    memory_gb: float | None
    deployment: str


@dataclass(frozen=True)
class Comparison:
    """One benchmark of one model: what was published next to what was measured here.

    Values are fractions in [0, 1]; ``*_se`` are standard errors (None when not known)."""

    model: str
    benchmark: str
    published: float | None
    published_se: float | None
    published_source: str | None
    measured: float | None
    measured_se: float | None
    run_id: str | None
    n: int | None


@dataclass(frozen=True)
class SpeedRow:
    """Speed measured by one run: tokens/s and time to first token, per model and backend."""

    model: str
    backend: str
    quantization: str | None
    gen_tokens_per_s: float | None
    prompt_tokens_per_s: float | None
    ttft_s: float | None
    run_id: str
    method: str | None
    hardware: str | None


@dataclass
class ReportData:
    rec: Recommendation
    quality_axis: str                  # "quality" (criterion score) or "total" when unweighted
    points: list[Point]
    too_big: list[Point]               # excluded by the memory limit: where they would sit
    pareto: list[str]                  # model ids on the quality-vs-cost front, cheapest first
    capacity_gb: float | None          # the target hardware's memory limit
    comparisons: list[Comparison]
    speeds: list[SpeedRow]
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> title, url, ...


def build(rec: Recommendation, catalog: Any, runs: list, *, benchmarks: dict) -> ReportData:
    """Everything the report draws, from the recommendation plus the catalog and the runs."""
    axis = "quality" if any("quality" in e.criteria for e in rec.ranked) else "total"
    points = [_point(e, axis) for e in rec.ranked]
    too_big = too_big_points(rec) if axis == "quality" else []
    return ReportData(rec=rec, quality_axis=axis, points=points, too_big=too_big,
                      pareto=pareto_front(points), capacity_gb=rec.capacity_gb,
                      comparisons=comparisons(catalog, runs, benchmarks),
                      speeds=speed_rows(runs), sources=_sources(rec, catalog))


def too_big_points(rec: Recommendation) -> list[Point]:
    """Models excluded by the memory limit, where they would sit (memory and quality as the
    scoring recorded them on the exclusion), so the memory plot shows what the limit cuts off."""
    return [Point(x.model, 0, x.quality, None, x.memory_gb, "self-hosted")
            for x in rec.excluded if x.constraint == "max_memory_gb" and x.memory_gb is not None]


def _point(e: RankedModel, axis: str) -> Point:
    quality = e.criteria[axis].score if axis in e.criteria else e.total
    return Point(e.model, e.rank, quality, e.key_facts.get("cost_per_mtok_usd"), e.memory_gb,
                 e.deployment)


def pareto_front(points: list[Point]) -> list[str]:
    """Models no other model beats on both axes (cheaper or equal AND better or equal, one
    strictly): the only ones worth their price. Cheapest first; unknown cost or quality is
    left out because it cannot be compared."""
    known = sorted((p for p in points if p.cost_per_mtok is not None and p.quality is not None),
                   key=lambda p: (p.cost_per_mtok, -p.quality))
    front, best = [], -math.inf
    for p in known:
        if p.quality > best:
            front.append(p.model)
            best = p.quality
    return front


def comparisons(catalog: Any, runs: list, benchmarks: dict) -> list[Comparison]:
    """Each measured benchmark (newest run per model and benchmark wins, as in scoring) next to
    the catalog's published score for the same model, both as fractions with stderrs."""
    latest: dict[tuple[str, str], tuple[Any, Any]] = {}
    for run in sorted(runs, key=lambda r: r.created_at):
        if run.status == "failed":
            continue
        for task in run.tasks.values():
            latest[(_run_model(run), task.benchmark)] = (run, task)
    out = []
    for (model, bench), (run, task) in sorted(latest.items()):
        card = catalog.find_model(model) if run.model.catalog_id else None
        pub = next((s for s in card.scores if s.benchmark == bench), None) if card else None
        pub_value, pub_se = _published(pub, benchmarks.get(bench))
        out.append(Comparison(model, bench, pub_value, pub_se, pub.source if pub else None,
                              task.value, _measured_se(task), run.run_id, task.n))
    return out


def _run_model(run) -> str:
    return run.model.catalog_id or run.model.spec


def _published(score, bench) -> tuple[float | None, float | None]:
    """Published value and stderr as fractions: the card's own stderr when given, else the
    benchmark registry's documented default (binomial over its usual test-set size)."""
    if score is None:
        return None, None
    scale = float(getattr(bench, "scale", 100.0) or 100.0)
    se = score.stderr
    if se is None and bench is not None:
        se = bench.stderr_at(score.value)
    if se is None:
        from llmselect.catalog.benchmarks import PUBLISHED_STDERR_DEFAULT

        return score.value / scale, PUBLISHED_STDERR_DEFAULT
    return score.value / scale, se / scale


def _measured_se(task) -> float | None:
    if task.stderr is not None:
        return task.stderr
    if task.n:
        return math.sqrt(max(task.value * (1 - task.value), 1e-4) / task.n)
    return None


def speed_rows(runs: list) -> list[SpeedRow]:
    """Runs that measured speed, newest per (model, backend, quantization)."""
    latest: dict[tuple, SpeedRow] = {}
    for run in sorted(runs, key=lambda r: r.created_at):
        s = run.speed
        if run.status == "failed" or not (s.gen_tokens_per_s or s.prompt_tokens_per_s or s.ttft_s):
            continue
        key = (_run_model(run), run.model.backend, run.model.quantization)
        latest[key] = SpeedRow(*key, s.gen_tokens_per_s, s.prompt_tokens_per_s, s.ttft_s,
                               run.run_id, s.method, run.hardware.cpu)
    return list(latest.values())


def _sources(rec: Recommendation, catalog: Any) -> dict[str, dict[str, Any]]:
    """Source key -> its catalog entry, for every key the report cites (footnotes)."""
    cited = {s for e in rec.ranked for c in e.criteria.values() for s in c.sources}
    out = {}
    for key in sorted(cited):
        src = catalog.sources.get(key)
        if src is not None:
            out[key] = {"title": src.title, "url": src.url, "date": src.date, "kind": src.kind}
        elif key in rec.measured_runs:
            out[key] = {"title": "measured run in the results folder", "url": None,
                        "date": None, "kind": "run"}
        else:
            out[key] = {"title": key, "url": None, "date": None, "kind": "derived"}
    return out

"""Estimating a benchmark score a model has not published, from what it has, with its error.

WHY: leaving a missing benchmark out of a model's quality mean rewards publishing less (a model
that shows only its best benchmark looks better than one that also shows a hard one), and giving
a model with no scores the field's median ranks a 0.5B model beside 70B ones. Instead, every
cell the profile weighs gets a value: measured > published > estimated, and an estimated cell
carries the estimator's own error, so fewer facts always mean a wider interval.

The estimator is fitted on the catalog itself, in normalised units (skill above chance,
``Benchmark.normalise``):

* one least-squares line per (target benchmark, predictor) pair, where a predictor is another
  benchmark or log10(total parameters), over the models that have both (at least
  ``MIN_PAIRS``); a negative slope between two skill measures is noise and is dropped;
* each line's error is its leave-one-out RMSE (closed form: residual / (1 - leverage)), widened
  at the model's predictor value by the prediction-interval factor (far from the fitted range =
  wider);
* a model's estimate is the inverse-variance weighted mean of the lines it has predictors for;
  its stderr is the smallest single-line error at its values, never shrunk for having several predictors
  (their errors are correlated) and never below the published spread (an estimate is not
  better than a published number); with no predictor at all, the benchmark's catalog mean with
  the catalog spread (``from_prior``: a model known by nothing but its name).

How good it is, leave-one-out over the catalog's own published cells (hide one cell, refit
without it, predict it from the model's other facts), in points of the benchmark's scale:
``leave_one_out_report()``; ``benchmarks/bench_quality_estimator.py`` prints it, and the
README quotes the figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable

MIN_PAIRS = 4
SIZE = "log10_params"


@dataclass(frozen=True)
class Line:
    """target ≈ intercept + slope × predictor, with its leave-one-out RMSE."""

    target: str
    predictor: str
    intercept: float
    slope: float
    rmse: float
    n: int
    mean_x: float = 0.0
    sxx: float = 1.0

    def predict(self, x: float) -> float:
        return min(1.0, max(0.0, self.intercept + self.slope * x))

    def stderr_at(self, x: float) -> float:
        """The line's error at ``x``: grows outside the predictor values it was fitted on
        (the prediction-interval factor sqrt(1 + 1/n + (x - mean)^2 / Sxx)), so a model
        beyond the catalog's range is not extrapolated with the confidence of one inside it."""
        return self.rmse * math.sqrt(1 + 1 / self.n + (x - self.mean_x) ** 2 / self.sxx)


@dataclass(frozen=True)
class CellEstimate:
    value: float               # normalised skill in [0, 1]
    stderr: float              # normalised units
    basis: tuple[str, ...]     # predictors used ("mmlu", "log10_params") or ("catalog mean",)
    from_prior: bool = False   # nothing about the model itself was used


@dataclass
class QualityModel:
    """Lines fitted on one table of known cells (model -> benchmark -> normalised skill)."""

    lines: dict[str, list[Line]] = field(default_factory=dict)     # target -> lines
    prior: dict[str, tuple[float, float]] = field(default_factory=dict)  # target -> (mean, sd)
    floor: dict[str, float] = field(default_factory=dict)  # target -> minimum stderr

    @classmethod
    def fit(cls, table: dict[str, dict[str, float]], sizes: dict[str, float | None],
            floor: dict[str, float] | None = None, calibrate: bool = True) -> QualityModel:
        """``table``: model -> {benchmark: normalised skill}; ``sizes``: model -> params (B).

        With ``calibrate`` (catalogs up to ``CALIBRATE_MAX_CELLS`` known cells), each target's
        leave-one-out error of the whole estimator becomes a floor on its stated stderr, so the
        stated error covers what hiding a real cell showed (not only the best single line's)."""
        rows = _with_sizes(table, sizes)
        model = cls(floor=dict(floor or {}))
        for target in sorted({b for cells in table.values() for b in cells}):
            ys = [cells[target] for cells in table.values() if target in cells]
            mean = sum(ys) / len(ys)
            sd = math.sqrt(sum((y - mean) ** 2 for y in ys) / (len(ys) - 1)) if len(ys) > 1 else 0.3
            model.prior[target] = (mean, max(sd, 0.15))
            model.lines[target] = _lines_for(target, rows)
        cells = sum(len(c) for c in table.values())
        if calibrate and cells <= CALIBRATE_MAX_CELLS:
            for target, errs in _loo_errors(model, table, sizes).items():
                if errs:
                    rmse = math.sqrt(sum(e * e for e, _ in errs) / len(errs))
                    model.floor[target] = max(model.floor.get(target, 0.0), rmse)
        return model

    def estimate(self, target: str, known: dict[str, float], size: float | None) -> CellEstimate | None:
        """The estimate of ``target`` for a model with ``known`` cells and ``size`` (B params)."""
        x = dict(known)
        if size and size > 0:
            x[SIZE] = math.log10(size)
        usable = [ln for ln in self.lines.get(target, []) if ln.predictor in x]
        floor = self.floor.get(target, 0.0)
        if usable:
            errs = [ln.stderr_at(x[ln.predictor]) for ln in usable]
            weights = [1 / max(e, 1e-3) ** 2 for e in errs]
            value = sum(w * ln.predict(x[ln.predictor]) for w, ln in zip(weights, usable)) / sum(weights)
            stderr = max(min(errs), floor)
            return CellEstimate(value, stderr, tuple(ln.predictor for ln in usable))
        if target in self.prior:
            mean, sd = self.prior[target]
            return CellEstimate(mean, max(sd, floor), ("catalog mean",), from_prior=True)
        return None


CALIBRATE_MAX_CELLS = 2000


def _with_sizes(table: dict[str, dict[str, float]], sizes: dict[str, float | None]) -> dict:
    rows = {m: dict(cells) for m, cells in table.items()}
    for m, size in sizes.items():
        if size and size > 0:
            rows.setdefault(m, {})[SIZE] = math.log10(size)
    return rows


def _lines_for(target: str, rows: dict[str, dict[str, float]]) -> list[Line]:
    predictors = sorted({p for cells in rows.values() for p in cells} - {target})
    lines = []
    for pred in predictors:
        pairs = [(cells[pred], cells[target]) for cells in rows.values()
                 if pred in cells and target in cells]
        line = _fit_line(target, pred, pairs)
        if line is not None:
            lines.append(line)
    return lines


def _loo_errors(model: QualityModel, table: dict, sizes: dict) -> dict[str, list[tuple[float, float]]]:
    """(estimate - truth, stated stderr) for every known cell, hidden and refitted without it.
    Only the hidden cell's target needs refitting: other targets' lines do not predict it."""
    rows = _with_sizes(table, sizes)
    out: dict[str, list[tuple[float, float]]] = {}
    for name, cells in table.items():
        for target, truth in cells.items():
            hidden_rows = {m: ({k: v for k, v in r.items() if k != target} if m == name else r)
                           for m, r in rows.items()}
            probe = QualityModel(lines={target: _lines_for(target, hidden_rows)},
                                 prior=model.prior, floor={})
            own = {k: v for k, v in cells.items() if k != target}
            est = probe.estimate(target, own, sizes.get(name))
            if est is not None and not est.from_prior:
                out.setdefault(target, []).append((est.value - truth, est.stderr))
    return out


def _fit_line(target: str, predictor: str, pairs: list[tuple[float, float]]) -> Line | None:
    """Least squares with the closed-form leave-one-out error; None when too few or flat."""
    n = len(pairs)
    if n < MIN_PAIRS:
        return None
    xs, ys = [p[0] for p in pairs], [p[1] for p in pairs]
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx <= 1e-12:
        return None
    slope = sum((x - mx) * (y - my) for x, y in pairs) / sxx
    if slope <= 0:
        return None
    intercept = my - slope * mx
    loo = []
    for x, y in pairs:
        leverage = 1 / n + (x - mx) ** 2 / sxx
        resid = y - (intercept + slope * x)
        loo.append(resid / max(1 - leverage, 1e-3))
    rmse = math.sqrt(sum(r * r for r in loo) / n)
    return Line(target, predictor, intercept, slope, rmse, n, mx, sxx)


# ---------------------------------------------------------------- from the catalog

def catalog_table(cards: Iterable[Any], benchmarks: dict) -> tuple[dict, dict]:
    """Published cells of every card (normalised) and every card's size."""
    table: dict[str, dict[str, float]] = {}
    sizes: dict[str, float | None] = {}
    for card in cards:
        cells = {}
        for s in card.scores:
            bench = benchmarks.get(s.benchmark)
            if bench is not None:
                cells[s.benchmark] = bench.normalise(s.value)
        table[card.id] = cells
        sizes[card.id] = card.params_total_b.value if card.params_total_b else None
    return table, sizes


def spread_floor(benchmarks: dict) -> dict[str, float]:
    """The published spread of each benchmark in normalised units: an estimate's floor."""
    out = {}
    for key, bench in benchmarks.items():
        spread = getattr(bench, "published_spread", None)
        if spread:
            out[key] = spread / bench.scale / (1 - bench.chance)
    return out


def fit_catalog(cards: Iterable[Any], benchmarks: dict) -> QualityModel:
    cards = list(cards)
    table, sizes = catalog_table(cards, benchmarks)
    return QualityModel.fit(table, sizes, spread_floor(benchmarks))


def leave_one_out_report(cards: Iterable[Any], benchmarks: dict) -> dict[str, dict[str, float]]:
    """Per benchmark: hide each published cell, refit without it, estimate it from the model's
    other facts; RMSE and mean error (bias) in points of the benchmark's scale, the stderr the
    fitted model states for such a cell, and the share of hidden cells inside ±1.96 of it."""
    cards = list(cards)
    table, sizes = catalog_table(cards, benchmarks)
    fitted = QualityModel.fit(table, sizes, spread_floor(benchmarks))
    report = {}
    for target, errs in sorted(_loo_errors(fitted, table, sizes).items()):
        bench = benchmarks[target]
        unit = bench.scale * (1 - bench.chance)   # normalised -> points
        stated = [max(s, fitted.floor.get(target, 0.0)) for _, s in errs]
        report[target] = {
            "n": len(errs),
            "rmse_pts": round(math.sqrt(sum(e * e for e, _ in errs) / len(errs)) * unit, 1),
            "bias_pts": round(sum(e for e, _ in errs) / len(errs) * unit, 1),
            "stated_stderr_pts": round(sum(stated) / len(stated) * unit, 1),
            "coverage_95": round(sum(abs(e) <= 1.96 * s for (e, _), s in zip(errs, stated))
                                 / len(errs), 2),
        }
    return report

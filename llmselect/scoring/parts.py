"""Criteria that combine several facts (vendor grid answers, footprints): an unknown part takes
the field's median, so answering less is never scored on one's best answers only."""

from __future__ import annotations

import math

from llmselect.scoring.result_types import CriterionResult


def fill_unknown_parts(results: list[CriterionResult]) -> None:
    """Give each unknown part of a combined criterion the median of that part over the models
    that have it, with their spread as its stderr (a fact not published neither helps nor
    hurts relative to the field, and widens the interval). Applied across one ranking."""
    known: dict[str, list[float]] = {}
    for r in results:
        for name, value, _ in r.parts:
            if value is not None:
                known.setdefault(name, []).append(value)
    for r in results:
        missing = [(n, w) for n, v, w in r.parts if v is None and known.get(n)]
        if not missing or r.score is None:
            continue
        total = sum(w for n, v, w in r.parts if v is not None or known.get(n))
        value = sum(w * (v if v is not None else _median(known[n])) for n, v, w in r.parts
                    if v is not None or known.get(n)) / total
        extra = math.sqrt(sum((w * _sd(known[n])) ** 2 for n, w in missing)) / total
        for n, _ in missing:
            r.facts[n] = f"unknown: field median {_median(known[n]):.2f}"
        r.score, r.stderr = value, math.sqrt(r.stderr ** 2 + extra ** 2)
        r.provenance = "estimated"  # part of it is the field's median, not a fact


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _sd(values: list[float]) -> float:
    if len(values) < 2:
        return 0.29
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))

"""Weighted total, its uncertainty, weight sensitivity and ties — vectorised with numpy.

* total_i = Σ_k w_k · s_ik (weights normalised to sum 1, scores in [0, 1]).
* stderr_i = sqrt(Σ_k (w_k · se_ik)²): only quality carries a stderr today (from the benchmark
  runs, or the documented default for published numbers); interval = total ± 1.96 stderr.
* sensitivity: each weight multiplied by U(1 − δ, 1 + δ) (δ = 0.2 by default), renormalised,
  ``draws`` times from a seeded generator; p_first_i = share of draws where model i is #1.
  This says how much the winner depends on the exact weights someone chose.
* ties: consecutive ranks whose 95 % intervals overlap form a group — shown as a tie instead of
  an order the data cannot support.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Z95 = 1.96


@dataclass
class Ranking:
    order: np.ndarray      # indices of models, best first
    totals: np.ndarray     # per model (input order)
    stderr: np.ndarray
    p_first: np.ndarray
    groups: list[list[int]]  # tie groups, as positions in ``order``


def totals(scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    return scores @ weights


def stderr(stderrs: np.ndarray, weights: np.ndarray) -> np.ndarray:
    return np.sqrt((stderrs * weights) ** 2 @ np.ones_like(weights))


def p_first(scores: np.ndarray, weights: np.ndarray, draws: int, delta: float,
            seed: int) -> np.ndarray:
    """Share of perturbed-weight draws in which each model has the highest total."""
    n = scores.shape[0]
    if n == 0:
        return np.zeros(0)
    rng = np.random.default_rng(seed)
    factors = rng.uniform(1 - delta, 1 + delta, size=(draws, weights.size))
    perturbed = weights * factors
    perturbed /= perturbed.sum(axis=1, keepdims=True)
    winners = np.argmax(scores @ perturbed.T, axis=0)   # argmax keeps the first on exact ties
    return np.bincount(winners, minlength=n) / draws


def tie_groups(order: np.ndarray, tot: np.ndarray, se: np.ndarray) -> list[list[int]]:
    """Runs of consecutive ranks where each interval overlaps the next one's."""
    lo, hi = (tot - Z95 * se)[order], (tot + Z95 * se)[order]
    overlaps = lo[:-1] <= hi[1:]
    groups, current = [], [0]
    for pos, overlap in enumerate(overlaps, start=1):
        if overlap:
            current.append(pos)
        else:
            if len(current) > 1:
                groups.append(current)
            current = [pos]
    if len(current) > 1:
        groups.append(current)
    return groups


def rank(scores: np.ndarray, stderrs: np.ndarray, weights: np.ndarray, ids: list[str], *,
         draws: int, delta: float, seed: int) -> Ranking:
    """Order by total (best first; equal totals by id, for a stable answer)."""
    tot = totals(scores, weights)
    se = stderr(stderrs, weights)
    order = np.lexsort((np.asarray(ids, dtype=object).astype(str), -np.round(tot, 12)))
    return Ranking(order, tot, se, p_first(scores, weights, draws, delta, seed),
                   tie_groups(order, tot, se) if len(ids) > 1 else [])

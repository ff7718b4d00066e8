"""Weighted total, its uncertainty, p(#1) and ties — one Monte Carlo over weights AND facts.

* total_i = Σ_k w_k · s_ik (weights normalised to sum 1, scores in [0, 1]); models are ordered
  by this point estimate.
* Uncertainty: ``draws`` joint draws from a seeded generator. In each draw every weight is
  multiplied by U(1 − δ, 1 + δ) and renormalised (how much the answer depends on the exact
  weights someone chose), and every criterion score by N(0, se_ik), clipped to [0, 1] (how
  much it depends on facts that are not exact: published scores with their between-source
  spread, measured scores with their stderr, estimated quality cells with the estimator's
  error, cost and speed estimates with their spread, unknown criteria with the field's spread).
  The 95 % interval of a total is the 2.5th–97.5th percentile of its draws; p_first_i is the
  share of draws in which model i has the highest total; p(#1 beats #2) the share in which the
  first-ranked total exceeds the second's.
* ties: consecutive ranks whose 95 % intervals overlap form a group — shown as a tie instead of
  an order the data cannot support.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Z95 = 1.96
#: Draws are processed in chunks so memory stays ~CHUNK_CELLS floats whatever the catalog size.
CHUNK_CELLS = 4_000_000


@dataclass
class Ranking:
    order: np.ndarray      # indices of models, best first
    totals: np.ndarray     # per model (input order): the point estimate
    stderr: np.ndarray     # per model: standard deviation of the drawn totals
    low: np.ndarray        # per model: 2.5th percentile of the drawn totals
    high: np.ndarray       # per model: 97.5th percentile
    p_first: np.ndarray
    p_first_beats_second: float | None
    groups: list[list[int]]  # tie groups, as positions in ``order``


def totals(scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    return scores @ weights


def draw_totals(scores: np.ndarray, stderrs: np.ndarray, weights: np.ndarray, draws: int,
                delta: float, seed: int) -> np.ndarray:
    """(draws × models) totals under perturbed weights and perturbed, clipped scores."""
    n, k = scores.shape
    rng = np.random.default_rng(seed)
    factors = rng.uniform(1 - delta, 1 + delta, size=(draws, weights.size))
    perturbed = weights * factors
    perturbed /= perturbed.sum(axis=1, keepdims=True)
    out = np.empty((draws, n))
    chunk = max(1, CHUNK_CELLS // max(n * k, 1))
    uncertain = stderrs > 0
    for start in range(0, draws, chunk):
        stop = min(draws, start + chunk)
        noisy = np.broadcast_to(scores, (stop - start, n, k)).copy()
        if uncertain.any():
            noise = rng.standard_normal((stop - start, n, k)) * stderrs
            noisy += noise
            np.clip(noisy, 0.0, 1.0, out=noisy)
        out[start:stop] = np.einsum("dnk,dk->dn", noisy, perturbed[start:stop])
    return out


def p_first(drawn: np.ndarray) -> np.ndarray:
    """Share of draws in which each model has the highest total."""
    draws, n = drawn.shape
    if n == 0:
        return np.zeros(0)
    winners = np.argmax(drawn, axis=1)   # argmax keeps the first on exact ties
    return np.bincount(winners, minlength=n) / draws


def tie_groups(order: np.ndarray, low: np.ndarray, high: np.ndarray) -> list[list[int]]:
    """Runs of consecutive ranks where each interval overlaps the next one's."""
    lo, hi = low[order], high[order]
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
    order = np.lexsort((np.asarray(ids, dtype=object).astype(str), -np.round(tot, 12)))
    drawn = draw_totals(scores, stderrs, weights, draws, delta, seed)
    low, high = np.percentile(drawn, [2.5, 97.5], axis=0)
    low, high = np.minimum(low, tot), np.maximum(high, tot)  # clipping can skew the draws
    beats = None
    if len(ids) > 1:
        beats = float(np.mean(drawn[:, order[0]] > drawn[:, order[1]]))
    return Ranking(order, tot, drawn.std(axis=0), low, high, p_first(drawn), beats,
                   tie_groups(order, low, high) if len(ids) > 1 else [])

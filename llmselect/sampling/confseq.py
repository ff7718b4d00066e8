"""An anytime-valid confidence sequence for the mean of a finite population of [0, 1] items,
sampled without replacement in random order.

Method: the predictable plug-in empirical-Bernstein confidence sequence (PrPl-EB) of
Waudby-Smith & Ramdas (2023), "Estimating means of bounded random variables by betting",
JRSS-B 86(1):1-27, Theorem 2, in its without-replacement form (their §6, "WoR-PrPl-EB"):

    λ_i = min(√(2 log(2/α) / (σ̂²_{i−1} · i · log(1+i))), c),      c = 1/2
    v_i = 4 (X_i − μ̂_{i−1})²,   ψ_E(λ) = (−log(1−λ) − λ) / 4
    w_i = N / (N − i + 1)        (the without-replacement reweighting)
    C_t = [ (Σ λ_i (X_i + S_{i−1}/(N−i+1)) ∓ (log(2/α) + Σ v_i ψ_E(λ_i))) / Σ λ_i w_i ]

with μ̂_t = (½ + S_t)/(t+1), σ̂²_t = (¼ + Σ (X_i − μ̂_i)²)/(t+1) and S_t the running sum.
P(∃t: μ ∉ C_t) ≤ α, so the interval may be looked at after every item or round and the
experiment stopped whenever it is narrow enough, and the running intersection is still a
confidence sequence. WHY this one rather than the hedged-capital betting CS of the same paper
(somewhat tighter): it is closed-form and O(1) per item, so the 10,000-race simulation in
``benchmarks/bench_race.py`` runs the very code the CLI runs; WHY without replacement: a
benchmark is a finite set, and as the sample nears it the interval closes onto the exact score.
"""

from __future__ import annotations

import math

import numpy as np

TRUNCATION = 0.5


def bounds(x: np.ndarray, population: int, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds after each of the items in ``x`` (values in [0, 1]; last axis =
    the order they were drawn), running-intersected. Works on a batch of sequences (2-D)."""
    x = np.asarray(x, dtype=float)
    t = x.shape[-1]
    if t == 0:
        return np.zeros(x.shape[:-1] + (0,)), np.zeros(x.shape[:-1] + (0,))
    if t > population:
        raise ValueError(f"{t} draws from a population of {population}")
    i = np.arange(1, t + 1, dtype=float)
    s = np.cumsum(x, axis=-1)
    mu = (0.5 + s) / (i + 1)                                    # μ̂_i
    mu_prev = _shift(mu, 0.5)                                   # μ̂_{i−1}
    sig2 = (0.25 + np.cumsum((x - mu) ** 2, axis=-1)) / (i + 1)
    sig2_prev = _shift(sig2, 0.25)
    log_term = math.log(2 / alpha)
    lam = np.minimum(np.sqrt(2 * log_term / (sig2_prev * i * np.log1p(i))), TRUNCATION)
    v = 4 * (x - mu_prev) ** 2
    psi = (-np.log1p(-lam) - lam) / 4
    remaining = population - i + 1
    s_prev = _shift(s, 0.0)
    centre = np.cumsum(lam * (x + s_prev / remaining), axis=-1)
    weight = np.cumsum(lam * population / remaining, axis=-1)
    margin = log_term + np.cumsum(v * psi, axis=-1)
    lo = np.maximum.accumulate(np.clip((centre - margin) / weight, 0.0, 1.0), axis=-1)
    hi = np.minimum.accumulate(np.clip((centre + margin) / weight, 0.0, 1.0), axis=-1)
    if t == population:  # the whole population seen: the mean is known exactly
        exact = s[..., -1] / population
        lo[..., -1] = hi[..., -1] = exact
    return lo, hi


def interval(x, population: int, alpha: float) -> tuple[float, float]:
    """The confidence sequence's interval after all of ``x``."""
    lo, hi = bounds(np.asarray(x, dtype=float), population, alpha)
    if lo.size == 0:
        return 0.0, 1.0
    return float(lo[-1]), float(hi[-1])


def difference_bounds(a: np.ndarray, b: np.ndarray, population: int,
                      alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Bounds on mean(a − b) for paired [0, 1] items: the CS of (a − b + 1)/2, mapped back."""
    lo, hi = bounds((np.asarray(a, float) - np.asarray(b, float) + 1) / 2, population, alpha)
    return 2 * lo - 1, 2 * hi - 1


def _shift(a: np.ndarray, first: float) -> np.ndarray:
    """a_{i−1} along the last axis, with ``first`` before the first item."""
    out = np.empty_like(a)
    out[..., 0] = first
    out[..., 1:] = a[..., :-1]
    return out

"""Confidence intervals at a fixed schedule of looks with the error spent over all of them
(a group-sequential design), for the mean of a finite population sampled without replacement.

Method: Pocock's constant boundary (Pocock 1977, "Group sequential methods in the design and
analysis of clinical trials", Biometrika 64(2):191-199) at arbitrary information times, as in
the error-spending framework of Lan & DeMets (1983): at look k the interval is ȳ_k ± c·se_k with
one constant c chosen so that P(∃k: |ȳ_k − μ| > c·se_k) = α. Under simple random sampling
without replacement the nested means have Cov(ȳ_j, ȳ_k) = Var(ȳ_k) for j < k, so the
standardised statistics behave as Brownian motion at information times I_k = 1/(1/n_k − 1/N);
c is computed for those times by a seeded Monte Carlo of that process. WHY this rather than the
betting/empirical-Bernstein confidence sequence (``confseq``, valid at every single item): looks
happen only at round ends, and spending α over ~13 known looks gives intervals about half as
wide, which is what lets a race stop with 5x fewer items. It is asymptotic (normal) where
``confseq`` is exact; ``benchmarks/bench_race.py`` measures its coverage over all looks. The
variance gets two pseudo-items (one at each end of the range) so a run of identical answers
never yields a zero-width interval, and c is set for 0.8·α (measured coverage at 0.9·α was 94.95 % at p = 0.25, short of 95 %).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from llmselect.sampling.estimate import wilson

MC_DRAWS = 400_000
SAFETY = 0.8  # spend 80 % of α: room for the Monte Carlo error of c and the normal approximation


@functools.lru_cache(maxsize=256)
def pocock_constant(looks: tuple[int, ...], population: int, alpha: float,
                    sides: int = 2) -> float:
    """c with P(max_k |Z_k| > c) = α for looks at sample sizes ``looks`` (exhaustion excluded);
    ``sides=1``: P(max_k Z_k > c) = α, a bound on one side that holds at every look (the race's
    "behind with this confidence" is such a one-sided claim)."""
    looks = tuple(n for n in looks if n < population)
    if not looks:
        return 0.0
    info = np.array([1.0 / (1.0 / n - 1.0 / population) for n in looks])
    rng = np.random.default_rng(20231)
    steps = np.sqrt(np.diff(np.concatenate([[0.0], info])))
    walk = np.cumsum(rng.standard_normal((MC_DRAWS, len(info))) * steps, axis=1)
    z = walk / np.sqrt(info)
    zmax = np.max(np.abs(z) if sides == 2 else z, axis=1)
    return float(np.quantile(zmax, 1 - SAFETY * alpha))


def interval_at(x: np.ndarray, population: int, c: float, low: float = 0.0,
                high: float = 1.0) -> tuple[float, float]:
    """The interval at one look for items in [low, high]; exact when the population is exhausted.

    Scores in [0, 1] get the score (Wilson) form with the finite-population correction: all μ
    with |ȳ − μ| ≤ c·√((1 − n/N)·μ(1 − μ)/n); μ(1 − μ) bounds the variance of any [0, 1]
    variable of mean μ, and unlike ȳ ± c·s/√n it does not collapse on a run of zeros (a 3 %
    GSM8K score after 100 items). Paired differences in [−1, 1] get ȳ ± c·se, the variance
    padded with one pseudo-item at each end of the range for the same reason."""
    x = np.asarray(x, dtype=float)
    return from_moments(float(x.sum()), float((x * x).sum()), x.size, population, c, low, high)


def from_moments(s1: float, s2: float, n: int, population: int, c: float, low: float = 0.0,
                 high: float = 1.0) -> tuple[float, float]:
    """``interval_at`` from the sum and sum of squares of the n items (O(1) per look)."""
    mean = s1 / n
    if n >= population:
        return mean, mean
    f = 1 - n / population
    if (low, high) == (0.0, 1.0):
        return wilson(mean, n / f, c)
    p1, p2, m = s1 + low + high, s2 + low * low + high * high, n + 2
    var = max(p2 - p1 * p1 / m, 0.0) / (m - 1)
    se = math.sqrt(f * var / n)
    return max(low, mean - c * se), min(high, mean + c * se)


def intervals(x: np.ndarray, looks: list[int], population: int, alpha: float,
              low: float = 0.0, high: float = 1.0) -> list[tuple[int, float, float]]:
    """(n, lower, upper) at each look reached by ``x`` (the items in the order drawn)."""
    c = pocock_constant(tuple(looks), population, alpha)
    return [(n, *interval_at(x[:n], population, c, low, high)) for n in looks if n <= len(x)]

"""Significance maths for comparing two evaluation runs: numpy and the standard library only.

WHY no scipy here: ``compare`` and ``gate`` run in CI on every pull request and must start fast;
the few distributions needed (normal, binomial tail at p=1/2) are exact and short to write.
The tests check every function against scipy on table-driven cases.

Which test when:
- both runs scored the same items and kept per-item results -> *paired*: the per-item
  differences carry far less noise than two independent scores (the same hard questions are
  hard for both models). Binary metrics (acc, exact_match, pass@1 with one sample) get
  McNemar's test on the discordant pairs; any metric gets a paired bootstrap interval.
- otherwise -> a two-sample z-test from each run's standard error (lm-eval's stderr, or the
  binomial one when lm-eval reported none).

McNemar's mid-p value is the one used for decisions: the exact conditional test is
conservative (its true size is well below alpha for small discordant counts), the mid-p keeps
close to alpha (Fagerland, Lydersen & Laake 2013, BMC Med Res Methodol 13:91). Both are reported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

_NORMAL = NormalDist()


def normal_cdf(x: float) -> float:
    return _NORMAL.cdf(x)


def normal_quantile(p: float) -> float:
    return _NORMAL.inv_cdf(p)


def z_critical(confidence: float) -> float:
    """Two-sided critical value: 1.96 for 0.95."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    return normal_quantile(0.5 + confidence / 2.0)


def two_sided_p_from_z(z: float) -> float:
    """NaN when z is NaN (no standard error: one item, or a NaN score): "no test possible" must
    stay visible, never read as p = 1 ("no difference"), which let a drop pass a gate."""
    if math.isnan(z):
        return float("nan")
    return min(1.0, 2.0 * normal_cdf(-abs(z)))


def binomial_se(p: float, n: int) -> float:
    """Standard error of a proportion, sample-variance form (n-1) as lm-eval computes it."""
    if n <= 1:
        return float("nan")
    return math.sqrt(max(p * (1.0 - p), 0.0) / (n - 1))


@dataclass(frozen=True)
class Test:
    """Outcome of one comparison: delta = candidate - baseline, its interval and p-value."""

    method: str
    delta: float
    ci_low: float
    ci_high: float
    p_value: float
    details: dict


def z_test(base: float, se_base: float, cand: float, se_cand: float,
           confidence: float = 0.95) -> Test:
    """Independent-samples z-test on the difference of two scores with known stderrs."""
    delta = cand - base
    se = math.sqrt(se_base**2 + se_cand**2)
    if se == 0.0:
        p = 1.0 if delta == 0.0 else 0.0
        return Test("z-test", delta, delta, delta, p, {"se": 0.0})
    z = delta / se
    half = z_critical(confidence) * se
    return Test("z-test", delta, delta - half, delta + half, two_sided_p_from_z(z),
                {"se": se, "z": z})


def _binom_half_cdf(k: int, n: int) -> tuple[float, float]:
    """P(X <= k) and P(X = k) for X ~ Binomial(n, 1/2), in log space (exact for any n)."""
    if n == 0:
        return 1.0, 1.0
    ks = np.arange(0, k + 1)
    log_pmf = (math.lgamma(n + 1) - np.array([math.lgamma(i + 1) + math.lgamma(n - i + 1)
                                              for i in ks]) - n * math.log(2.0))
    top = log_pmf.max()
    cdf = float(np.exp(top) * np.exp(log_pmf - top).sum())
    return min(cdf, 1.0), float(np.exp(log_pmf[-1]))


def mcnemar(b: int, c: int) -> dict:
    """McNemar's test on discordant pairs: ``b`` items only the baseline got right, ``c`` only
    the candidate. Returns exact (binomial, two-sided) and mid-p values."""
    n = b + c
    if n == 0:
        return {"b": b, "c": c, "p_exact": 1.0, "p_mid": 1.0}
    k = min(b, c)
    cdf, pmf = _binom_half_cdf(k, n)
    p_exact = min(1.0, 2.0 * cdf)
    p_mid = min(1.0, 2.0 * (cdf - 0.5 * pmf))
    return {"b": b, "c": c, "p_exact": p_exact, "p_mid": p_mid}


def bootstrap_mean_diffs(diffs: np.ndarray, n_boot: int = 10_000, seed: int = 0) -> np.ndarray:
    """Bootstrap distribution of mean(diffs). Resamples the *counts* of each distinct difference
    (a multinomial draw), which equals resampling items but costs O(distinct values), so a
    full MMLU (14k items, differences in {-1, 0, 1}) takes milliseconds."""
    values, counts = np.unique(np.asarray(diffs, dtype=float), return_counts=True)
    n = int(counts.sum())
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(n, counts / n, size=n_boot)
    return draws @ values / n


def paired_bootstrap(base: np.ndarray, cand: np.ndarray, confidence: float = 0.95,
                     n_boot: int = 10_000, seed: int = 0) -> Test:
    """Paired bootstrap on per-item scores: percentile interval of the mean difference and a
    two-sided p-value (twice the smaller tail mass at zero)."""
    base, cand = np.asarray(base, dtype=float), np.asarray(cand, dtype=float)
    if base.shape != cand.shape or base.size == 0:
        raise ValueError("paired bootstrap needs two equally long, non-empty arrays")
    diffs = cand - base
    delta = float(diffs.mean())
    boot = bootstrap_mean_diffs(diffs, n_boot, seed)
    alpha = 1.0 - confidence
    low, high = np.quantile(boot, [alpha / 2.0, 1.0 - alpha / 2.0])
    if np.all(diffs == 0):
        p = 1.0
    else:
        tail = min(np.mean(boot <= 0.0), np.mean(boot >= 0.0))
        p = min(1.0, 2.0 * tail + 1.0 / (n_boot + 1))
    return Test("paired-bootstrap", delta, float(low), float(high), float(p),
                {"n_boot": n_boot, "seed": seed, "n": int(base.size)})


def is_binary(values: np.ndarray) -> bool:
    values = np.asarray(values, dtype=float)
    return bool(np.all((values == 0.0) | (values == 1.0)))


def paired_test(base: np.ndarray, cand: np.ndarray, confidence: float = 0.95,
                n_boot: int = 10_000, seed: int = 0) -> Test:
    """The paired comparison: bootstrap interval; McNemar mid-p for binary items, else the
    bootstrap p-value."""
    boot = paired_bootstrap(base, cand, confidence, n_boot, seed)
    base, cand = np.asarray(base, dtype=float), np.asarray(cand, dtype=float)
    if not (is_binary(base) and is_binary(cand)):
        return boot
    b = int(np.sum((base == 1.0) & (cand == 0.0)))
    c = int(np.sum((base == 0.0) & (cand == 1.0)))
    m = mcnemar(b, c)
    return Test("mcnemar-midp", boot.delta, boot.ci_low, boot.ci_high, m["p_mid"],
                {**m, "ci": "paired-bootstrap", "p_bootstrap": boot.p_value, **boot.details})


def holm(p_values: list[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values (same order as given). WHY: a gate over k tasks makes
    k decisions; unadjusted, the chance of at least one false alarm grows to ~k x alpha. Holm
    controls that family-wise error and is uniformly more powerful than plain Bonferroni.

    A NaN p-value (no test possible) stays NaN and still counts in k (conservative); it takes no
    rank, so the others' adjustment does not depend on where it sits (sorting with NaN keys
    would: NaN compares false with everything)."""
    k = len(p_values)
    order = sorted((i for i in range(k) if not math.isnan(p_values[i])), key=lambda i: p_values[i])
    adjusted = [float("nan")] * k
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (k - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted

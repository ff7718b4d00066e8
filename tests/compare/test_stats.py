"""llmselect.stats against scipy, table-driven."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats as sps

from llmselect import stats


@pytest.mark.parametrize("b,c", [(0, 0), (0, 1), (1, 0), (3, 3), (0, 5), (2, 9), (9, 2), (10, 25),
                                 (40, 41), (1, 30), (120, 170), (700, 650), (5000, 5200)])
def test_mcnemar_exact_equals_scipy_binomtest(b, c):
    got = stats.mcnemar(b, c)
    expected = 1.0 if b + c == 0 else sps.binomtest(min(b, c), b + c, 0.5).pvalue
    assert got["p_exact"] == pytest.approx(expected, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("b,c", [(0, 1), (3, 3), (2, 9), (10, 25), (1, 30), (120, 170), (700, 650)])
def test_mcnemar_mid_p_equals_exact_minus_point_mass(b, c):
    n, k = b + c, min(b, c)
    expected = min(1.0, 2 * (sps.binom.cdf(k, n, 0.5) - 0.5 * sps.binom.pmf(k, n, 0.5)))
    got = stats.mcnemar(b, c)
    assert got["p_mid"] == pytest.approx(expected, rel=1e-9, abs=1e-300)
    assert got["p_mid"] <= got["p_exact"]


@pytest.mark.parametrize("base,se_b,cand,se_c,conf", [
    (0.60, 0.02, 0.55, 0.02, 0.95), (0.30, 0.05, 0.31, 0.04, 0.95), (0.9, 0.01, 0.7, 0.03, 0.99),
    (0.5, 0.1, 0.5, 0.1, 0.90), (0.25, 0.0, 0.30, 0.03, 0.95), (0.71, 0.004, 0.705, 0.004, 0.95)])
def test_z_test_equals_scipy_normal(base, se_b, cand, se_c, conf):
    t = stats.z_test(base, se_b, cand, se_c, conf)
    se = math.hypot(se_b, se_c)
    z = (cand - base) / se
    assert t.delta == pytest.approx(cand - base)
    assert t.p_value == pytest.approx(2 * sps.norm.sf(abs(z)), rel=1e-9)
    half = sps.norm.ppf(0.5 + conf / 2) * se
    assert (t.ci_low, t.ci_high) == pytest.approx((cand - base - half, cand - base + half), rel=1e-9)


def test_z_test_zero_variance():
    assert stats.z_test(0.5, 0.0, 0.5, 0.0).p_value == 1.0
    assert stats.z_test(0.5, 0.0, 0.4, 0.0).p_value == 0.0


@pytest.mark.parametrize("p,n", [(0.3, 57), (0.5, 10), (0.9, 1000), (0.0, 20)])
def test_binomial_se_matches_lm_eval_sample_stderr(p, n):
    k = round(p * n)
    x = np.array([1.0] * k + [0.0] * (n - k))
    assert stats.binomial_se(k / n, n) == pytest.approx(np.std(x, ddof=1) / math.sqrt(n), abs=1e-12)


@pytest.mark.parametrize("quantile", [0.001, 0.025, 0.5, 0.8, 0.995])
def test_normal_quantile_equals_scipy(quantile):
    assert stats.normal_quantile(quantile) == pytest.approx(sps.norm.ppf(quantile), rel=1e-9)


def _paired_data(n, p_base, p_cand, rho, seed):
    """Correlated binary outcomes: the same hard items are hard for both models."""
    rng = np.random.default_rng(seed)
    shared = rng.random(n)
    own = rng.random(n)
    u_b = np.where(rng.random(n) < rho, shared, own)
    u_c = np.where(rng.random(n) < rho, shared, rng.random(n))
    return (u_b < p_base).astype(float), (u_c < p_cand).astype(float)


@pytest.mark.parametrize("n,p_base,p_cand,rho,seed", [
    (57, 0.3, 0.3, 0.8, 1), (200, 0.6, 0.5, 0.7, 2), (1000, 0.45, 0.48, 0.9, 3),
    (114, 0.25, 0.27, 0.0, 4), (14042, 0.62, 0.60, 0.85, 5)])
def test_paired_bootstrap_interval_matches_scipy_bootstrap(n, p_base, p_cand, rho, seed):
    base, cand = _paired_data(n, p_base, p_cand, rho, seed)
    ours = stats.paired_bootstrap(base, cand, 0.95, n_boot=20_000, seed=seed)
    ref = sps.bootstrap((base, cand), lambda a, b, axis=-1: np.mean(b - a, axis=axis), paired=True,
                        vectorized=True, n_resamples=20_000 if n < 5000 else 2_000,
                        confidence_level=0.95, method="percentile",
                        random_state=np.random.default_rng(seed + 100))
    se = np.std(cand - base, ddof=1) / math.sqrt(n)
    tol = max(0.2 * se, 1.5 / n)  # Monte Carlo noise of two independent bootstraps
    assert ours.delta == pytest.approx(np.mean(cand - base))
    assert ours.ci_low == pytest.approx(ref.confidence_interval.low, abs=tol)
    assert ours.ci_high == pytest.approx(ref.confidence_interval.high, abs=tol)


@pytest.mark.parametrize("n,p_base,p_cand,rho,seed", [
    (200, 0.6, 0.45, 0.7, 2), (500, 0.5, 0.5, 0.8, 7), (1000, 0.45, 0.49, 0.9, 3)])
def test_paired_bootstrap_p_agrees_with_paired_t_test(n, p_base, p_cand, rho, seed):
    """For large n the bootstrap p approximates the paired t-test's (both normal-based)."""
    base, cand = _paired_data(n, p_base, p_cand, rho, seed)
    ours = stats.paired_bootstrap(base, cand, n_boot=40_000, seed=seed)
    ref = sps.ttest_rel(cand, base).pvalue
    assert ours.p_value == pytest.approx(ref, abs=0.03 + 0.2 * ref)


def test_paired_test_uses_mcnemar_for_binary_and_bootstrap_otherwise():
    base, cand = _paired_data(300, 0.6, 0.5, 0.8, 11)
    t = stats.paired_test(base, cand)
    b = int(np.sum((base == 1) & (cand == 0)))
    c = int(np.sum((base == 0) & (cand == 1)))
    assert t.method == "mcnemar-midp"
    assert (t.details["b"], t.details["c"]) == (b, c)
    assert t.p_value == pytest.approx(stats.mcnemar(b, c)["p_mid"])
    graded = stats.paired_test(base * 0.5 + 0.25, cand)
    assert graded.method == "paired-bootstrap"


def test_identical_runs_give_zero_delta_and_p_one():
    base, _ = _paired_data(100, 0.4, 0.4, 0.5, 12)
    t = stats.paired_test(base, base.copy())
    assert (t.delta, t.ci_low, t.ci_high, t.p_value) == (0.0, 0.0, 0.0, 1.0)


def test_bootstrap_is_reproducible_and_rejects_mismatched_lengths():
    base, cand = _paired_data(80, 0.4, 0.5, 0.5, 13)
    assert stats.paired_bootstrap(base, cand, seed=3) == stats.paired_bootstrap(base, cand, seed=3)
    with pytest.raises(ValueError):
        stats.paired_bootstrap(base, cand[:-1])


def test_stats_module_does_not_import_scipy():
    code = "import sys, llmselect.stats, llmselect.compare, llmselect.gate; print('scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("p,expected", [
    ([], []),
    ([0.04], [0.04]),
    ([0.01, 0.04, 0.03], [0.03, 0.06, 0.06]),
    ([0.5, 0.001, 0.2, 0.02], [0.5, 0.004, 0.4, 0.06]),
    ([0.3, 0.3, 0.9], [0.9, 0.9, 0.9]),
])
def test_holm_adjustment_table(p, expected):
    assert stats.holm(p) == pytest.approx(expected)


def test_holm_matches_bonferroni_step_down_definition():
    rng = np.random.default_rng(0)
    for _ in range(50):
        p = list(rng.random(rng.integers(1, 8)) ** 3)
        adj = stats.holm(p)
        k = len(p)
        ranked = sorted(p)
        for i, pi in enumerate(p):
            r = sorted(range(k), key=lambda j: p[j]).index(i)
            ref = max(min(1.0, (k - s) * ranked[s]) for s in range(r + 1))
            assert adj[i] == pytest.approx(ref)

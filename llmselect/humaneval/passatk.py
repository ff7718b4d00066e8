"""pass@k with the unbiased estimator of Chen et al. (2021), as lm-eval's code metrics use it.

lm-eval's ``humaneval`` reaches it through HF evaluate's ``code_eval`` (downloaded from the hub at
import, so unusable offline); its ``cruxeval`` task and openai/human-eval carry the same three
lines. tests/test_humaneval_passatk.py checks ours against both on many (n, c, k).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def estimate_pass_at_k(n: int, c: int, k: int) -> float:
    """P(at least one of k draws without replacement from n samples, c correct, passes)."""
    if n - c < k:
        return 1.0
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


def pass_at_k(correct_per_problem: Sequence[Sequence[bool]], k: int) -> float:
    """Mean over problems; problems with fewer than k samples are skipped, as code_eval does."""
    values = [estimate_pass_at_k(len(c), sum(c), k) for c in correct_per_problem if len(c) >= k]
    return float(np.mean(values)) if values else float("nan")

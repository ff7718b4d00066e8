"""Which items to ask: a stratified random sample, or a random order of every item.

WHY stratified with proportional allocation: MMLU's group score is lm-eval's size-weighted mean
over 57 subjects; drawing each subject's share of the sample (n_h ≈ n·N_h/N) removes the
between-subject part of the sampling variance at no cost, and every subject keeps at least one
item so no stratum's mean is unestimated. Largest-remainder rounding keeps Σ n_h = n exactly.

WHY one random order for the sequential designs (``--precision``, ``race``): a uniformly random
permutation of all (subtask, doc) items makes every prefix a simple random sample without
replacement of the pooled benchmark, whose mean is the size-weighted group score; rounds are then
prefixes, so a resumed or extended run asks the very same items first.
"""

from __future__ import annotations

import math

import numpy as np

from llmselect.errors import UserError


def sample_size(spec: float, population: int, where: str) -> int:
    """``--sample`` as a fraction in (0, 1] of ``population`` (1 = all of it) or a whole count > 1."""
    if spec <= 0 or (spec > 1 and spec != int(spec)):
        raise UserError(f"{where}: --sample {spec:g} must be a fraction in (0, 1] or a whole "
                        "number of items > 1")
    if spec <= 1:
        return max(1, math.ceil(spec * population))
    if spec > population:
        raise UserError(f"{where}: --sample {int(spec)} is larger than the benchmark "
                        f"({population} items); use at most {population}, or a fraction such as 0.1")
    return int(spec)


def allocate(sizes: dict[str, int], n: int) -> dict[str, int]:
    """Proportional allocation of ``n`` items over strata of ``sizes`` (largest remainder),
    at least one per stratum when n allows, never more than a stratum holds."""
    total = sum(sizes.values())
    if not 0 < n <= total:
        raise ValueError(f"cannot allocate {n} of {total}")
    keys = list(sizes)
    floor_one = n >= len(keys)
    exact = {k: n * sizes[k] / total for k in keys}
    alloc = {k: min(sizes[k], max(int(exact[k]), 1 if floor_one else 0)) for k in keys}
    while sum(alloc.values()) != n:
        if sum(alloc.values()) < n:
            k = max((k for k in keys if alloc[k] < sizes[k]), key=lambda k: exact[k] - alloc[k])
            alloc[k] += 1
        else:
            k = max((k for k in keys if alloc[k] > (1 if floor_one else 0)),
                    key=lambda k: alloc[k] - exact[k])
            alloc[k] -= 1
    return alloc


def stratified_sample(sizes: dict[str, int], n: int, seed: int) -> dict[str, list[int]]:
    """Sorted document indices per stratum (lm-eval's ``samples=`` maps a logged doc back to its
    index only when the list is sorted). Seeded per stratum name, so adding a subtask does not
    reshuffle the others."""
    out = {}
    for key, k in allocate(sizes, n).items():
        rng = np.random.default_rng([seed, _stable(key)])
        out[key] = sorted(int(i) for i in rng.choice(sizes[key], size=k, replace=False))
    return out


def random_order(sizes: dict[str, int], seed: int) -> list[tuple[str, int]]:
    """Every (stratum, doc index) once, in a seeded uniformly random order."""
    items = [(key, i) for key in sorted(sizes) for i in range(sizes[key])]
    perm = np.random.default_rng([seed, 0x5EC]).permutation(len(items))
    return [items[j] for j in perm]


def as_samples(items: list[tuple[str, int]]) -> dict[str, list[int]]:
    """lm-eval's ``samples=`` argument for a set of (stratum, doc) items: sorted indices."""
    out: dict[str, list[int]] = {}
    for key, i in items:
        out.setdefault(key, []).append(i)
    return {k: sorted(v) for k, v in out.items()}


def growing_rounds(population: int, first: int = 100, growth: float = 1.5) -> list[int]:
    """Cumulative item counts after each round: geometric growth, so re-reading the cached
    earlier rounds costs a constant factor, while a look comes often enough to stop early."""
    ends, n = [], max(1, min(first, population))
    while n < population:
        ends.append(n)
        n = max(n + 1, math.ceil(n * growth))
    return [*ends, population]


def _stable(text: str) -> int:
    import zlib

    return zlib.crc32(text.encode("utf-8"))

"""Synthetic races with known answers: the proof that the race does not cheat, and what it saves.

Candidates answer an MMLU-sized benchmark whose items have heterogeneous difficulty (a 3PL item
response model with a 0.25 guessing floor: P(correct) = 0.25 + 0.75·σ(θ_model − b_item),
b ~ N(0, 1.5²)), so models agree on easy and hard items as real ones do. Each race draws the
full 0/1 answer table first; the *full-set* scores are the truth the race must find. The race
runs the real ``RaceRule`` on a seeded random order; the fixed-size design answers the first n
items of the same order and picks the highest sample mean.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from llmselect.sampling.race import RaceRule, schedule


@dataclass
class RaceOutcome:
    k: int
    gap: float                 # full-set best minus second best
    items: int                 # items answered by the last candidate standing
    model_items: int           # items answered, summed over candidates
    decision: str
    correct: bool              # decided a single winner and it is the full-set best
    wrong: bool                # decided a single winner that is not the full-set best
    fixed_wrong: np.ndarray    # per fixed n in the grid: the fixed design picked wrongly
    ceiling_fifth: bool        # the most powerful level-α test rejects on 1/5 of the items


def draw_table(rng: np.random.Generator, k: int, n_items: int) -> np.ndarray:
    """k × n 0/1 answers with abilities spread so top-2 gaps cover 0–12 points."""
    b = rng.normal(0.0, 1.5, n_items)
    top = rng.uniform(-1.0, 2.0)
    theta = np.concatenate([[top], top - rng.uniform(0.0, 0.7, k - 1)])
    p = 0.25 + 0.75 / (1 + np.exp(-(theta[:, None] - b[None, :])))
    return (rng.random((k, n_items)) < p).astype(float)


def one_race(table: np.ndarray, order: np.ndarray, confidence: float,
             grid: np.ndarray, margin: float | None = None, budget: int | None = None) -> RaceOutcome:
    k, n_items = table.shape
    full = table.mean(axis=1)
    ranked = np.sort(full)[::-1]
    best = int(np.argmax(full))
    names = [str(i) for i in range(k)]
    seq = table[:, order]
    values = dict(zip(names, seq))
    rule = RaceRule(n_items, schedule(n_items, budget), confidence, margin, budget, k)
    alive, used, look = list(names), {n: 0 for n in names}, None
    for n in rule.schedule:
        for a in alive:
            used[a] = n
        look = rule.look(values, alive, n)
        alive = look.alive
        if look.decision:
            break
    winner = look.winner
    sums = np.cumsum(seq, axis=1)[:, grid - 1]
    tops = sums.max(axis=0)
    fixed_wrong = (sums[best] < tops) | ((sums == tops).sum(axis=0) > 1)
    unique_best = ranked[0] > ranked[1]
    runner_up = int(np.argsort(full)[-2])
    ceiling = best_test_rejects(seq[best] - seq[runner_up], n_items // 5, n_items, 1 - confidence)
    return RaceOutcome(k, float(ranked[0] - ranked[1]), look.n, sum(used.values()),
                       look.decision, winner is not None and int(winner) == best and unique_best,
                       winner is not None and int(winner) != best and unique_best, fixed_wrong,
                       ceiling)


def best_test_rejects(diff: np.ndarray, m: int, n_items: int, alpha: float) -> bool:
    """Whether the one-sided level-α z-test of "the best is ahead of the runner-up", on the
    paired differences of the first ``m`` items (finite-population corrected), rejects.

    WHY: it bounds what any valid design can do with ``m`` items. A race that names the true best
    by item ``m`` while naming a worse candidate at most α of the time is itself a level-α test of
    best > runner-up on those items, so (approximately: normal paired differences) it cannot
    reject more often than this most powerful one, which knows the pair to test, spends all of α
    on it and looks once. The share of races where it rejects at m = 1/5 of the benchmark is the
    ceiling on "decided with ≥ 5x fewer items"."""
    from statistics import NormalDist

    from llmselect.sampling.estimate import simple

    est = simple(diff[:m].tolist(), n_items)
    return est.value > 0 if est.stderr == 0 else est.value / est.stderr > NormalDist().inv_cdf(1 - alpha)


def simulate(races: int, seed: int = 15, n_items: int = 14042, confidence: float = 0.95,
             grid: np.ndarray | None = None, budget: int | None = None) -> list[RaceOutcome]:
    """``races`` races of 2-4 candidates; ``budget``: items per candidate at most (the race then
    ends undecided, ``decision == "budget"``), as ``llmselect race --budget``."""
    rng = np.random.default_rng(seed)
    grid = grid if grid is not None else np.unique(np.geomspace(50, n_items, 60).astype(int))
    out = []
    for _ in range(races):
        k = int(rng.integers(2, 5))
        table = draw_table(rng, k, n_items)
        out.append(one_race(table, rng.permutation(n_items), confidence, grid, budget=budget))
    return out


def smallest_fixed(outcomes: list[RaceOutcome], grid: np.ndarray, rate: float) -> int | None:
    """The smallest fixed sample size in ``grid`` whose wrong-winner rate is ≤ ``rate``."""
    wrong = np.mean([o.fixed_wrong for o in outcomes], axis=0)
    ok = np.nonzero(wrong <= rate)[0]
    return int(grid[ok[0]]) if ok.size else None

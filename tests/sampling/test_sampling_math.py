"""The sampling maths on synthetic finite populations: allocation, the stratified estimator's
coverage, the anytime intervals' coverage over all looks, and the race rule's error rate."""

from __future__ import annotations

import numpy as np
import pytest

from llmselect.errors import UserError
from llmselect.sampling import confseq, estimate, looks, race, simulate, strata


def test_proportional_allocation_sums_and_keeps_every_stratum():
    sizes = {"a": 1000, "b": 100, "c": 10}
    alloc = strata.allocate(sizes, 111)
    assert sum(alloc.values()) == 111 and alloc == {"a": 100, "b": 10, "c": 1}
    assert min(strata.allocate(sizes, 3).values()) == 1


def test_stratified_sample_is_seeded_sorted_and_within_range():
    sizes = {"x": 50, "y": 7}
    a, b = strata.stratified_sample(sizes, 20, 1), strata.stratified_sample(sizes, 20, 1)
    assert a == b and a != strata.stratified_sample(sizes, 20, 2)
    assert all(v == sorted(v) and max(v) < sizes[k] for k, v in a.items())


@pytest.mark.parametrize("spec", [0, -0.5, 1.5])
def test_bad_sample_sizes_are_one_line(spec):
    with pytest.raises(UserError, match="--sample"):
        strata.sample_size(spec, 100, "task t")


def test_sample_larger_than_benchmark():
    with pytest.raises(UserError, match="larger than the benchmark"):
        strata.sample_size(101, 100, "task t")
    assert strata.sample_size(0.1, 100, "t") == 10 and strata.sample_size(1, 100, "t") == 100


def test_full_census_has_zero_stderr():
    vals = {"a": [1, 0, 1], "b": [0, 0]}
    est = estimate.stratified(vals, {"a": 3, "b": 2})
    assert est.value == pytest.approx(2 / 5) and est.stderr == 0.0


def _stratified_coverage(pop: dict[str, list[float]], n: int, draws: int) -> float:
    sizes = {h: len(v) for h, v in pop.items()}
    truth = sum(map(sum, pop.values())) / sum(sizes.values())
    hits = 0
    for seed in range(draws):
        chosen = strata.stratified_sample(sizes, n, seed)
        est = estimate.stratified({h: [pop[h][i] for i in idx] for h, idx in chosen.items()}, sizes)
        low, high = estimate.interval(est, len(chosen))
        hits += low <= truth <= high
    return hits / draws


def _exact_population(sizes_and_p, seed: int) -> dict[str, list[float]]:
    rng = np.random.default_rng(seed)
    return {h: list((rng.permutation(size) < round(p * size)).astype(float))
            for h, (size, p) in sizes_and_p.items()}


def test_stratified_interval_covers_at_least_93_percent():
    rng = np.random.default_rng(0)
    pop = {f"s{h}": list((rng.random(rng.integers(100, 400)) < rng.uniform(0.2, 0.8)).astype(float))
           for h in range(20)}
    assert _stratified_coverage(pop, 200, 400) >= 0.93


@pytest.mark.parametrize("rates", [(0.22, 0.30, 0.27), (0.05, 0.03, 0.02), (0.90, 0.95, 0.85)],
                         ids=["mmlu-small-model", "gsm8k-small-model", "easy"])
@pytest.mark.parametrize("n", [30, 60])
def test_stratified_interval_holds_with_few_binary_items(rates, n):
    """Three MMLU-sized subjects (100/135/152 items, as benchmarks/suites/mmlu-3subjects.yaml),
    30 or 60 sampled items: ~10 per stratum, where value ± t·se undercovers (93 % near p = 0.27,
    ~65 % near p = 0.03 at 30 items, collapsing to a point on a run of zeros)."""
    pop = _exact_population(dict(zip("abc", zip((100, 135, 152), rates))), seed=3)
    assert _stratified_coverage(pop, n, 1000) >= 0.93


def test_stratified_interval_is_not_a_point_on_a_run_of_zeros():
    est = estimate.stratified({"a": [0.0] * 10, "b": [0.0] * 10}, {"a": 500, "b": 800})
    low, high = estimate.interval(est, 2)
    assert est.stderr == 0 and low == 0 and 0.05 < high < 0.25


def test_census_interval_is_the_score_and_continuous_scores_keep_t_form():
    census = estimate.stratified({"a": [1.0, 0.0], "b": [1.0]}, {"a": 2, "b": 1})
    assert estimate.interval(census, 2) == (census.value, census.value)
    bleu = estimate.simple([12.0, 30.5, 22.0, 8.0], 100)
    low, high = estimate.interval(bleu, 1)
    assert not bleu.unit and low < bleu.value < high and high - bleu.value == pytest.approx(
        bleu.value - low)


def test_looks_interval_covers_over_all_looks():
    rng = np.random.default_rng(1)
    n_items = 3000
    rounds = strata.growing_rounds(n_items)
    pop = (rng.random(n_items) < 0.3).astype(float)
    miss = sum(any(lo > pop.mean() or hi < pop.mean()
                   for _, lo, hi in looks.intervals(rng.permutation(pop), rounds, n_items, 0.05))
               for _ in range(400))
    assert miss / 400 <= 0.07  # 0.05 in expectation; 400 draws


def test_confseq_covers_and_closes_on_the_exact_mean():
    rng = np.random.default_rng(2)
    pop = (rng.random(500) < 0.4).astype(float)
    lo, hi = confseq.bounds(np.stack([rng.permutation(pop) for _ in range(300)]), 500, 0.05)
    assert ((lo <= pop.mean()) & (hi >= pop.mean())).all(axis=1).mean() >= 0.95
    assert lo[0, -1] == hi[0, -1] == pytest.approx(pop.mean())


def test_race_drops_a_clearly_worse_candidate_and_keeps_equal_ones():
    rng = np.random.default_rng(3)
    n_items = 5000
    good = (rng.random(n_items) < 0.7).astype(float)
    bad = (rng.random(n_items) < 0.4).astype(float)
    rule = race.RaceRule(n_items, race.schedule(n_items, None), 0.95, None, None, 2)
    look = rule.look({"good": good, "bad": bad}, ["good", "bad"], 100)
    assert look.decision == "winner" and look.winner == "good" and look.dropped == {"bad": "good"}
    same = rule.look({"a": good, "b": good.copy()}, ["a", "b"], 100)
    assert same.decision is None and same.alive == ["a", "b"]


def test_race_spends_its_error_on_the_side_that_drops_a_candidate():
    """Two candidates with the same full-set score: a drop is then a false "behind" claim. The
    race may make it with probability up to α, and should not waste half of α on a two-sided
    interval whose other side drops no one wrongly (expected ~0.8·α here, SAFETY = 0.8)."""
    rng = np.random.default_rng(11)
    n_items = 3000
    diff = np.repeat([1.0, -1.0, 0.0], [450, 450, 2100])      # a − b, mean exactly 0
    rule = race.RaceRule(n_items, race.schedule(n_items, None), 0.95, None, None, 2)
    draws, dropped_b = 2000, 0
    for _ in range(draws):
        d = rng.permutation(diff)
        a, b = np.where(d > 0, 1.0, 0.0), np.where(d < 0, 1.0, 0.0)
        for n in rule.schedule:
            look = rule.look({"a": a, "b": b}, ["a", "b"], n)
            if look.decision:
                dropped_b += look.dropped == {"b": "a"}
                break
    rate = dropped_b / draws
    assert 0.025 < rate <= 0.05 + 3 * (0.05 * 0.95 / draws) ** 0.5


def test_pocock_one_sided_constant_is_smaller_and_holds_on_its_side():
    rounds = strata.growing_rounds(3000)
    one = looks.pocock_constant(tuple(rounds), 3000, 0.05, sides=1)
    two = looks.pocock_constant(tuple(rounds), 3000, 0.05)
    assert 1.645 < one < two
    rng = np.random.default_rng(12)
    pop = (rng.random(3000) < 0.3).astype(float)
    high_miss = sum(any(looks.interval_at(x[:n], 3000, one)[1] < pop.mean() for n in rounds)
                    for x in (rng.permutation(pop) for _ in range(600)))
    assert high_miss / 600 <= 0.05 + 3 * (0.05 * 0.95 / 600) ** 0.5


def test_margin_and_budget_end_a_race():
    x = np.zeros(1000)
    rule = race.RaceRule(1000, race.schedule(1000, 150), 0.95, 0.05, 150, 2)
    assert rule.schedule == [100, 150]
    assert rule.look({"a": x, "b": x}, ["a", "b"], 100).decision == "within-margin"
    rule.margin = None
    assert rule.look({"a": x, "b": x}, ["a", "b"], 150).decision == "budget"


def test_simulated_wrong_winner_rate_within_alpha():
    out = simulate.simulate(150, seed=4, n_items=3000)
    assert np.mean([o.wrong for o in out]) <= 0.05
    assert any(o.decision == "winner" for o in out)


def test_ceiling_test_holds_its_level_and_bounds_what_the_race_decides():
    """``simulate.best_test_rejects`` is the ceiling that benchmarks/bench_race.py reports for
    "decided with ≥ 5x fewer items": between equal candidates it rejects at about α (a level-α
    test, not a looser one that would make the ceiling meaningless), and no simulated race decides
    by 1/5 of the items more often than it rejects there."""
    rng = np.random.default_rng(11)
    n, alpha = 2000, 0.05
    p = 0.25 + 0.5 * rng.random(n)          # heterogeneous item difficulty, same for both
    a, b = (rng.random(n) < p).astype(float), (rng.random(n) < p).astype(float)
    surplus = int(a.sum() - b.sum())        # make the full-set scores equal: the null, exactly
    fix = rng.choice(np.nonzero(b == (surplus < 0))[0], abs(surplus), replace=False)
    b[fix] = float(surplus > 0)
    assert a.sum() == b.sum()
    hits = [simulate.best_test_rejects((a - b)[rng.permutation(n)], n // 5, n, alpha)
            for _ in range(4000)]
    assert alpha / 2 < np.mean(hits) <= 1.2 * alpha
    out = simulate.simulate(300, seed=6, n_items=3000, budget=600)
    big = [o for o in out if o.gap >= 0.03]
    decided = np.mean([o.decision == "winner" for o in big])
    assert len(big) > 50 and decided <= np.mean([o.ceiling_fifth for o in big])


def test_simulated_races_stop_at_their_budget():
    """With a budget (as `llmselect race --budget`), no simulated race answers more items; the
    ones not decided by then end as "budget", never with a winner they could not back."""
    out = simulate.simulate(120, seed=5, n_items=3000, budget=600)
    assert max(o.items for o in out) <= 600
    assert {o.decision for o in out} >= {"winner", "budget"}
    assert all(o.decision == "budget" and o.items == 600 for o in out if o.decision != "winner")
    assert np.mean([o.wrong for o in out]) <= 0.05

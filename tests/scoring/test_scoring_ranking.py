"""Weighted totals, intervals, weight sensitivity (seeded) and ties."""

from __future__ import annotations

import numpy as np
import pytest

from llmselect.scoring import rank_catalog, ranking
from helpers.scoring import benchmarks, card, catalog, profile


def test_totals_are_weighted_sums_and_contributions_add_up():
    prof = profile(criteria={"weights": {"quality": 3, "context": 1}})
    rec = rank_catalog(prof, catalog(card("a", scores={"mmlu": 100.0}, context_tokens=2048),
                                  card("b", scores={"mmlu": 25.0}, context_tokens=131072)),
                    benchmarks=benchmarks())
    a, b = rec.ranked
    assert (a.model, a.total) == ("a", pytest.approx(0.75))
    assert (b.model, b.total) == ("b", pytest.approx(0.25))
    for entry in rec.ranked:
        assert sum(c.contribution for c in entry.criteria.values()) == pytest.approx(entry.total, abs=1e-3)
    assert rec.weights == {"quality": 0.75, "context": 0.25}
    assert rec.why_first.startswith("a beats b by 0.50 (quality +0.75")


def test_sensitivity_is_deterministic_for_a_seed_and_sums_to_one():
    rng = np.random.default_rng(1)
    scores, weights = rng.uniform(size=(20, 5)), np.array([0.3, 0.2, 0.2, 0.2, 0.1])
    errs = np.full_like(scores, 0.05)
    p1 = ranking.p_first(ranking.draw_totals(scores, errs, weights, draws=500, delta=0.2, seed=7))
    p2 = ranking.p_first(ranking.draw_totals(scores, errs, weights, draws=500, delta=0.2, seed=7))
    assert np.array_equal(p1, p2)
    assert p1.sum() == pytest.approx(1.0)


def test_sensitivity_zero_perturbation_gives_the_plain_winner_certainty():
    scores = np.array([[0.9, 0.1], [0.1, 0.9]])
    drawn = ranking.draw_totals(scores, np.zeros_like(scores), np.array([0.6, 0.4]), draws=100,
                                delta=0.0, seed=0)
    assert ranking.p_first(drawn).tolist() == [1.0, 0.0]


def test_sensitivity_splits_when_weights_decide():
    # equal totals at the nominal weights: perturbation decides, roughly half each
    scores = np.array([[1.0, 0.0], [0.0, 1.0]])
    p = ranking.p_first(ranking.draw_totals(scores, np.zeros_like(scores), np.array([0.5, 0.5]),
                                            draws=2000, delta=0.2, seed=0))
    assert 0.4 < p[0] < 0.6 and p.sum() == pytest.approx(1.0)


def test_uncertain_facts_widen_the_interval_and_lower_the_certainty_of_the_winner():
    # same scores and weights; only the facts' stderr differs: p(#1) falls from certain, the
    # interval widens around the point total, and #1-beats-#2 is read from the same draws
    scores, w, ids = np.array([[0.7, 0.5], [0.6, 0.5]]), np.array([0.5, 0.5]), ["a", "b"]
    exact = ranking.rank(scores, np.zeros((2, 2)), w, ids, draws=4000, delta=0.0, seed=3)
    fuzzy = ranking.rank(scores, np.full((2, 2), 0.1), w, ids, draws=4000, delta=0.0, seed=3)
    assert exact.p_first.tolist() == [1.0, 0.0] and exact.p_first_beats_second == 1.0
    assert exact.high[0] - exact.low[0] == pytest.approx(0.0)
    assert 0.6 < fuzzy.p_first[0] < 0.95 and fuzzy.p_first_beats_second == pytest.approx(fuzzy.p_first[0])
    assert fuzzy.low[0] < 0.6 < 0.7 < fuzzy.high[0]
    # difference of two N(0, 0.1·0.5·sqrt(2)) sums: P(0.05 + N(0, 0.1) > 0) = 0.69
    assert fuzzy.p_first_beats_second == pytest.approx(0.69, abs=0.03)


@pytest.mark.parametrize("totals, se, groups", [
    ([0.9, 0.8, 0.7], [0.0, 0.0, 0.0], []),
    ([0.9, 0.89, 0.5], [0.01, 0.01, 0.01], [[0, 1]]),
    ([0.9, 0.88, 0.86, 0.5], [0.01, 0.01, 0.01, 0.0], [[0, 1, 2]]),   # chains
    ([0.9, 0.5, 0.49], [0.0, 0.01, 0.01], [[1, 2]]),
])
def test_tie_groups_from_overlapping_intervals(totals, se, groups):
    tot, err = np.array(totals), np.array(se)
    assert ranking.tie_groups(np.argsort(-tot), tot - 1.96 * err, tot + 1.96 * err) == groups


def test_equal_totals_are_ordered_by_id_for_a_stable_answer():
    r = ranking.rank(np.array([[0.5], [0.5]]), np.zeros((2, 1)), np.array([1.0]), ["b", "a"],
                     draws=10, delta=0.2, seed=0)
    assert r.order.tolist() == [1, 0]


def test_close_published_scores_are_flagged_as_a_tie():
    cat = catalog(card("a", scores={"gpqa": 40.0}), card("b", scores={"gpqa": 39.0}))
    prof = profile(criteria={"weights": {"quality": 1}, "quality_benchmarks": {"gpqa": 1}})
    rec = rank_catalog(prof, cat, benchmarks=benchmarks())
    assert rec.ties == [["a", "b"]]
    assert rec.ranked[0].tie_with == ["b"]
    assert "a tie" in rec.why_first
    lo, hi = rec.ranked[0].interval
    assert lo < rec.ranked[0].total < hi


def test_neutral_policy_uses_field_median_and_widens_the_interval():
    cat = catalog(card("a", scores={"mmlu": 100.0}), card("b", scores={"mmlu": 25.0}),
                  card("c", scores={"mmlu": 62.5}), card("unknown"))
    rec = rank_catalog(profile(), cat, benchmarks=benchmarks())
    unknown = next(e for e in rec.ranked if e.model == "unknown")
    assert unknown.criteria["quality"].score is None
    assert unknown.criteria["quality"].used == pytest.approx(0.5)          # median of 1, 0, 0.5
    assert unknown.criteria["quality"].provenance == "unknown"
    assert unknown.criteria["quality"].stderr == pytest.approx(np.std([1.0, 0.0, 0.5]), abs=1e-3)
    width = {e.model: e.interval[1] - e.interval[0] for e in rec.ranked}
    assert all(width["unknown"] > 3 * width[m] for m in "abc")  # not known = not precise


def test_penalise_policy_scores_unknown_as_zero():
    cat = catalog(card("a", scores={"mmlu": 62.5}), card("unknown"))
    rec = rank_catalog(profile(missing_facts="penalise"), cat, benchmarks=benchmarks())
    assert next(e for e in rec.ranked if e.model == "unknown").total == 0.0

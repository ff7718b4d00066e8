"""Hard constraints: each exclusion names the constraint and the detail."""

from __future__ import annotations

import pytest

from llmselect.errors import UserError
from llmselect.scoring import rank_catalog
from helpers.scoring import benchmarks, card, catalog, profile, vendor


def excluded(rec):
    return {e.model: (e.constraint, e.detail) for e in rec.excluded}


@pytest.mark.parametrize("constraints, model_kw, constraint, detail_part", [
    ({"open_weights": True}, {"open_weights": False, "license": "proprietary", "price": (1, 1)},
     "open_weights", "API only"),
    ({"commercial_use": True}, {"commercial_use": False, "license": "research"},
     "commercial_use", "research"),
    ({"min_context": 32768}, {"context_tokens": 8192}, "min_context", "8,192"),
    ({"languages": ["fr"]}, {"languages": ["en"]}, "languages", "fr"),
    ({"max_memory_gb": 10}, {"params_total_b": 70}, "max_memory_gb", "needs ~"),
    ({"data_location": "on-premise"}, {"open_weights": False, "license": "proprietary",
                                       "price": (1, 1)}, "data_location", "premises"),
    ({"max_cost_per_mtok_usd": 0.5}, {"open_weights": False, "license": "proprietary",
                                      "price": (1, 1)}, "max_cost_per_mtok_usd", "> $0.5"),
    ({"max_monthly_cost_usd": 5}, {"open_weights": False, "license": "proprietary",
                                   "price": (1, 1)}, "max_monthly_cost_usd", "/month"),
    ({"min_quality": 0.5}, {"scores": {"mmlu": 40.0}}, "min_quality", "0.20 (published) < 0.5"),
])
def test_each_constraint_excludes_with_its_name(constraints, model_kw, constraint, detail_part):
    good = card("good", scores={"mmlu": 90.0})
    bad = card("bad", **{"scores": {"mmlu": 80.0}, **model_kw})
    owned = {"monthly_cost_usd": 0}    # the self-hosted model costs nothing per token
    rec = rank_catalog(profile(constraints=constraints, hardware=owned), catalog(good, bad),
                    benchmarks=benchmarks())
    assert [e.model for e in rec.ranked] == ["good"]
    name, detail = excluded(rec)["bad"]
    assert name == constraint and detail_part in detail


def test_eu_location_allows_eu_api_and_self_hosting_but_not_us_api():
    cards = [card("eu-api", open_weights=False, license="proprietary", price=(1, 1), vendor="eu",
                  scores={"mmlu": 70.0}),
             card("us-api", open_weights=False, license="proprietary", price=(1, 1), vendor="us",
                  scores={"mmlu": 70.0}),
             card("open", vendor="us", scores={"mmlu": 70.0})]
    cat = catalog(*cards, vendors=[vendor("eu", eu=True), vendor("us", eu=False)])
    rec = rank_catalog(profile(constraints={"data_location": "eu"}), cat, benchmarks=benchmarks())
    assert {e.model for e in rec.ranked} == {"eu-api", "open"}
    assert excluded(rec)["us-api"][0] == "data_location"


@pytest.mark.parametrize("policy, kept", [("neutral", True), ("penalise", True), ("exclude", False)])
def test_unknown_fact_under_hard_constraint_follows_policy(policy, kept):
    unknown_lic = card("unknown", commercial_use=None, scores={"mmlu": 70.0})
    known = card("known", scores={"mmlu": 70.0})
    rec = rank_catalog(profile(constraints={"commercial_use": True}, missing_facts=policy),
                    catalog(unknown_lic, known), benchmarks=benchmarks())
    ranked = {e.model: e for e in rec.ranked}
    assert ("unknown" in ranked) is kept
    if kept:
        assert any("commercial_use" in w for w in ranked["unknown"].warnings)


def test_excluding_everything_names_constraint_and_count():
    cards = [card(f"m{i}", context_tokens=4096, scores={"mmlu": 70.0}) for i in range(3)]
    with pytest.raises(UserError, match=r"min_context removed 3"):
        rank_catalog(profile(constraints={"min_context": 100_000}), catalog(*cards),
                  benchmarks=benchmarks())


def test_exclude_policy_on_quality_excludes_unmeasured_models():
    rec = rank_catalog(profile(missing_facts_by_criterion={"quality": "exclude"}),
                    catalog(card("measured", scores={"mmlu": 70.0}), card("unmeasured")),
                    benchmarks=benchmarks())
    assert excluded(rec)["unmeasured"][0] == "missing_facts"
    assert "bench" in excluded(rec)["unmeasured"][1]

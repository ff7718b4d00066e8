"""Each criterion's formula, table-driven: facts in, score out (see llmselect.scoring.criteria)."""

from __future__ import annotations

import math

import pytest

from llmselect.scoring import criteria as cr
from llmselect.scoring import deployment
from helpers.scoring import benchmarks, card, profile, vendor


def candidate(c, v=None, prof=None):
    prof = prof or profile()
    cand = deployment.Candidate(c, v, deployment.choose(c, v, prof))
    if cand.deployment.mode:
        cand.speed = deployment.speed(cand, prof)
        cand.cost_per_mtok, cand.monthly_cost = deployment.cost(cand, prof)
    return cand, prof


@pytest.mark.parametrize("scores, weights, expected", [
    ({"mmlu": 25.0}, {"mmlu": 1}, 0.0),                      # chance on 4 choices = no skill
    ({"mmlu": 100.0}, {"mmlu": 1}, 1.0),
    ({"mmlu": 62.5}, {"mmlu": 1}, 0.5),                      # (0.625 - 0.25) / 0.75
    ({"mmlu": 10.0}, {"mmlu": 1}, 0.0),                      # below chance clips to 0
    ({"gsm8k": 40.0}, {"gsm8k": 1}, 0.4),                    # generative: chance 0
    ({"mmlu": 62.5, "gsm8k": 80.0}, {"mmlu": 1, "gsm8k": 3}, (0.5 + 3 * 0.8) / 4),
    ({"mmlu": 62.5}, {"mmlu": 1, "gpqa": 1}, 0.5),           # neutral: missing gpqa left out
    ({"mt_bench": 5.5}, {"mt_bench": 1}, 0.5),               # 1-10 scale, chance 0.1
])
def test_quality_normalises_against_chance(scores, weights, expected):
    cand, prof = candidate(card(scores=scores),
                           prof=profile(criteria={"weights": {"quality": 1},
                                                  "quality_benchmarks": weights}))
    assert cr.quality(cand, prof, benchmarks()).score == pytest.approx(expected)


def test_quality_penalise_counts_missing_benchmark_as_zero():
    prof = profile(criteria={"weights": {"quality": 1}, "quality_benchmarks": {"mmlu": 1, "gpqa": 1}},
                   missing_facts="penalise")
    cand, _ = candidate(card(scores={"mmlu": 62.5}), prof=prof)
    assert cr.quality(cand, prof, benchmarks()).score == pytest.approx(0.25)


def test_quality_stderr_uses_catalog_default_for_published():
    cand, prof = candidate(card(scores={"gsm8k": 50.0}),
                           prof=profile(criteria={"weights": {"quality": 1},
                                                  "quality_benchmarks": {"gsm8k": 1}}))
    result = cr.quality(cand, prof, benchmarks())
    # binomial error at 50 % over GSM8K's 1,319 items and the 3-point between-source spread
    assert result.stderr == pytest.approx(math.sqrt(0.25 / 1319 + 0.03 ** 2), rel=1e-3)
    assert result.provenance == "published"


@pytest.mark.parametrize("license, expected", [
    ("apache-2.0", 1.0), ("mit", 1.0), ("llama3-community", 0.6), ("gemma", 0.6),
    ("qwen", 0.6), ("mistral-research-license", 0.3), ("proprietary", 0.0),
    ("something-else", None),
])
def test_license_openness(license, expected):
    cand, prof = candidate(card(license=license))
    assert cr.license_openness(cand, prof, {}).score == expected


@pytest.mark.parametrize("value, low, high, expected", [
    (5, 5, 200, 0.0), (200, 5, 200, 1.0), (400, 5, 200, 1.0), (1, 5, 200, 0.0),
    (math.sqrt(5 * 200), 5, 200, 0.5), (0, 5, 200, 0.0),
])
def test_log_scale(value, low, high, expected):
    assert cr.log_scale(value, low, high) == pytest.approx(expected)


@pytest.mark.parametrize("ctx, expected", [(2048, 0.0), (8192, 2 / 6), (131072, 1.0), (1_000_000, 1.0)])
def test_context(ctx, expected):
    cand, prof = candidate(card(context_tokens=ctx))
    assert cr.context(cand, prof, {}).score == pytest.approx(expected)


@pytest.mark.parametrize("price, share, expected_cost", [
    ((1.0, 1.0), 0.75, 1.0), ((5.0, 15.0), 0.75, 7.5), ((0.15, 0.6), 0.5, 0.375),
])
def test_api_cost_blends_input_and_output(price, share, expected_cost):
    prof = profile(hardware=None, workload={"input_share": share},
                   criteria={"weights": {"cost": 1}})
    cand, _ = candidate(card(open_weights=False, license="proprietary", price=price), prof=prof)
    result = cr.cost(cand, prof, {})
    assert result.facts["cost_per_mtok_usd"] == pytest.approx(expected_cost)
    assert result.score == pytest.approx(cr.clip01(1 - math.log10(expected_cost / 0.01) / 5))
    assert cand.monthly_cost.value == pytest.approx(expected_cost * 10)  # 10M tokens a month


def test_live_self_hosted_pays_every_service_hour_of_its_node():
    # 7B at fp16 = 14 GB read per token; 0.6 x 1000 GB/s -> 42.9 t/s; a live service keeps its
    # $1/h node up 24 h a day whatever the traffic: 730.5 h a month, over 10M tokens
    prof = profile(criteria={"weights": {"cost": 1}})
    cand, _ = candidate(card(params_total_b=7.0), prof=prof)
    assert cand.speed.value == pytest.approx(0.6 * 1000 / 14)
    assert cand.monthly_cost.value == pytest.approx(24 * 365.25 / 12)
    assert cand.cost_per_mtok.value == pytest.approx(24 * 365.25 / 12 / 10)


def test_owned_hardware_costs_the_whole_machine_over_volume():
    prof = profile(hardware={"monthly_cost_usd": 2700, "cost_per_hour_usd": None, "devices": 4,
                             "memory_gb": 80},
                   workload={"tokens_per_month": 100e6})
    cand, _ = candidate(card(params_total_b=7.0), prof=prof)
    assert cand.deployment.devices_used == 1
    assert cand.monthly_cost.value == pytest.approx(2700)  # the server is bought whole
    assert cand.cost_per_mtok.value == pytest.approx(2700 / 100)


@pytest.mark.parametrize("answers, eu, expected", [   # 0.75 x residency + 0.25 x flow tooling
    ({}, None, None),
    ({"gdpr_policy": "yes", "standards": "yes", "regulatory_frameworks": "yes",
      "ai_act_standards": "yes", "prompt_data_use": "no"}, True, 0.75 * 0.8),
    ({"gdpr_policy": "yes", "standards": "yes", "regulatory_frameworks": "yes",
      "ai_act_standards": "yes", "prompt_data_use": "no"}, False, 0.75 * 0.8 * (0.7 + 0.15)),
    ({"gdpr_policy": "none-found", "standards": "none-found"}, False, 0.75 * 0.8 * 0.15),
    ({"gdpr_policy": "yes", "standards": "in-progress"}, True, 0.75 * 0.8 * (0.7 * 0.75 + 0.3)),
])
def test_gdpr_security_through_api(answers, eu, expected):
    prof = profile(hardware=None, criteria={"weights": {"gdpr_security": 1}})
    v = vendor("v", eu=eu, **answers)
    cand, _ = candidate(card(open_weights=False, license="proprietary", price=(1, 1)), v, prof)
    score = cr.gdpr_security(cand, prof, {}).score
    assert score == (None if expected is None else pytest.approx(expected))


def test_gdpr_security_self_hosted_keeps_prompts_in_house():
    cand, prof = candidate(card(), vendor("v", eu=False, gdpr_policy="none-found"))
    assert cand.deployment.mode == "self-hosted"
    assert cr.gdpr_security(cand, prof, {}).score == pytest.approx(0.75)  # no flow tooling listed
    guarded = card(safety_tooling={"value": ["Llama Guard 2"], "source": "B-chatbot-en"})
    cand, prof = candidate(guarded, vendor("v", eu=False, gdpr_policy="none-found"))
    result = cr.gdpr_security(cand, prof, {})
    assert result.score == pytest.approx(1.0) and "B-chatbot-en" in result.sources


@pytest.mark.parametrize("params_b, expected", [
    (1.0, 1.0),              # 2 GB + 0.6 GB of 25.8 GB: plenty of headroom
    (11.0, 1.5 - (22 * 1.05 + 0.5) / (24 * 1.073741824)),
])
def test_hardware_fit(params_b, expected):
    cand, prof = candidate(card(params_total_b=params_b))
    assert cand.deployment.memory.quantization == "fp16"
    assert cr.hardware_fit(cand, prof, {}).score == pytest.approx(expected, abs=1e-3)


@pytest.mark.parametrize("wanted, langs, expected", [
    ([], ["en"], 1 / 8), ([], ["multi"], 1.0), ([], ["en", "fr", "de", "es", "it", "pt", "nl", "pl", "sv", "fi"], 1.0),
    (["fr"], ["en", "fr"], 1.0), (["fr", "de"], ["en", "fr"], 0.5), (["de"], ["en"], 0.0),
])
def test_languages(wanted, langs, expected):
    prof = profile(preferred_languages=wanted)
    cand, _ = candidate(card(languages=langs), prof=prof)
    assert cr.languages(cand, prof, {}).score == pytest.approx(expected)


@pytest.mark.parametrize("eco, expected", [
    (None, None), ({"quantizations": 0}, 0.0),
    ({"quantizations": 252, "finetunes": 792, "merges": 472},
     math.log10(1517) / math.log10(2001)),
    ({"finetunes": 5000}, 1.0),
])
def test_ecosystem(eco, expected):
    cand, prof = candidate(card(ecosystem=eco))
    score = cr.ecosystem(cand, prof, {}).score
    assert score == (None if expected is None else pytest.approx(expected))


@pytest.mark.parametrize("grid, tco2, active, expected", [
    ({}, None, None, 1 - math.log10(7 / 0.1) / 4),                 # only inference energy (7B)
    ({"ecology": "yes"}, 10.0, 0.1, 1.0),
    ({"ecology": "none-found"}, 10_000.0, 0.1, (0 + 0 + 1) / 3),
])
def test_ecology(grid, tco2, active, expected):
    c = card(training={"tco2eq": tco2} if tco2 else None, params_active_b=active)
    cand, prof = candidate(c, vendor("v", **grid))
    assert cr.ecology(cand, prof, {}).score == pytest.approx(expected)


@pytest.mark.parametrize("info, open_w, expected", [
    ("partial", True, 0.6 * 0.5 + 0.4), ("no", False, 0.0), (None, True, 1.0),
])
def test_transparency(info, open_w, expected):
    grid = {"training_data_info": info} if info else {}
    prof = profile(hardware=None)
    c = card(open_weights=open_w, price=(1, 1))
    cand, _ = candidate(c, vendor("v", **grid), prof)
    assert cr.transparency(cand, prof, {}).score == pytest.approx(expected)


GRID = {"support": "yes", "fine_tuning": "partial", "api_ui": "yes", "copyright_indemnity": "no"}


@pytest.mark.parametrize("grid, api, expected", [
    (GRID, True, (1 + 0.5 + 1 + 0) / 4),
    (GRID, False, (1 + 0.5) / 2),   # self-hosted: the vendor's API and indemnity do not apply
    ({"support": "n/a"}, False, None),
])
def test_vendor_support(grid, api, expected):
    c = card(open_weights=False, license="proprietary", price=(1, 1)) if api else card()
    prof = profile(hardware=None) if api else None
    cand, prof = candidate(c, vendor("v", **grid), prof)
    assert cand.deployment.mode == ("api" if api else "self-hosted")
    score = cr.vendor_support(cand, prof, {}).score
    assert score == (None if expected is None else pytest.approx(expected))


@pytest.mark.parametrize("tps, expected", [(5, 0.0), (200, 1.0), (math.sqrt(1000), 0.5)])
def test_speed_from_quoted_speed_when_no_roofline(tps, expected):
    prof = profile(hardware=None)
    cand, _ = candidate(card(price=(1, 1), speed_tokens_per_s=tps), prof=prof)
    result = cr.speed(cand, prof, {})
    assert result.score == pytest.approx(expected)
    assert result.provenance == "published"


def test_batch_mode_scores_throughput_live_mode_single_stream():
    base = {"hardware": None, "criteria": {"weights": {"speed": 1}}}
    live = profile(**base, workload={"mode": "live", "concurrency": 8})
    batch = profile(**base, workload={"mode": "batch", "concurrency": 8})
    c = card(price=(1, 1), speed_tokens_per_s=10)
    live_cand, _ = candidate(c, prof=live)
    batch_cand, _ = candidate(c, prof=batch)
    assert cr.speed(live_cand, live, {}).score == pytest.approx(cr.log_scale(10, 5, 200))
    assert cr.speed(batch_cand, batch, {}).score == pytest.approx(cr.log_scale(80, 5, 200))

"""Total cost of ownership, table-driven against hand-computed cases, and guide C's own rule.

Hand computations (a month = 365.25 / 12 = 30.44 days = 730.5 h):
* API: tokens × list prices, input and output apart.
* Cloud, live: every node the service needs, every service hour, busy or not.
* Cloud, batch: the hours its output tokens take at the node's aggregate throughput.
* Owned: the machine's monthly cost (amortisation) + its energy for the hours it serves.
"""

from __future__ import annotations

import pytest

from llmselect.catalog.benchmarks import BENCHMARKS
from llmselect.scoring import deployment, rank_catalog
from helpers.scoring import card, catalog, profile, vendor

HOURS = 24 * 365.25 / 12


def _cand(c, prof):
    cand = deployment.Candidate(c, vendor("v"), deployment.choose(c, vendor("v"), prof))
    cand.speed = deployment.speed(cand, prof)
    cand.cost_per_mtok, cand.monthly_cost = deployment.cost(cand, prof)
    return cand


NODE_4X80 = {"name": "4x A100 80 GB", "devices": 4, "memory_gb": 80, "memory_bandwidth_gbps": 2000,
             "cost_per_hour_usd": 27.20, "quantization": ["bf16"]}


@pytest.mark.parametrize("case, hardware, workload, params_b, expected_monthly", [
    # C's Azure NC96ads_A100_v4 serving live traffic: $27.20/h x 730.5 h = $19,870 (C: $19,584
    # at 720 h), whatever the volume and however small the model
    ("live node, 8B", NODE_4X80, {"tokens_per_month": 50e6, "mode": "live"}, 8.0, 27.20 * HOURS),
    ("live node, 70B spans 2 of 4 GPUs", NODE_4X80, {"tokens_per_month": 50e6}, 70.0, 27.20 * HOURS),
    ("live, office hours only", NODE_4X80,
     {"tokens_per_month": 50e6, "service_hours_per_day": 10}, 8.0, 27.20 * 10 * 365.25 / 12),
    # 8B bf16 = 16 GB/token; 0.6 x 2000 GB/s / 16 GB = 75 t/s x concurrency 4 = 300 t/s per
    # replica; 4 replicas fit the node -> 1,200 t/s; 30% of 1e9 tokens are output:
    # 3e8 / 1200 / 3600 = 69.4 h
    ("batch, node-hours", NODE_4X80,
     {"tokens_per_month": 1e9, "mode": "batch", "concurrency": 4, "input_share": 0.7}, 8.0,
     27.20 * 3e8 / (4 * 4 * 0.6 * 2000 / 16) / 3600),
    # C's on-premise server: $2,700/month all in (amortisation + electricity)
    ("owned, C's on-premise server", {**NODE_4X80, "cost_per_hour_usd": None, "monthly_cost_usd": 2700},
     {"tokens_per_month": 50e6}, 8.0, 2700.0),
    # a workstation already paid for costs its energy: 600 W x 730.5 h x $0.20/kWh
    ("owned workstation, energy", {**NODE_4X80, "devices": 1, "cost_per_hour_usd": None,
                                   "monthly_cost_usd": 0, "power_watts": 600},
     {"tokens_per_month": 20e6}, 8.0, 0.6 * HOURS * 0.20),
    ("owned, energy at a stated price", {**NODE_4X80, "devices": 1, "cost_per_hour_usd": None,
                                         "monthly_cost_usd": 100, "power_watts": 500,
                                         "energy_usd_per_kwh": 0.1},
     {"tokens_per_month": 20e6}, 8.0, 100 + 0.5 * HOURS * 0.1),
])
def test_self_hosted_monthly_cost(case, hardware, workload, params_b, expected_monthly):
    prof = profile(hardware=hardware, workload=workload, criteria={"weights": {"cost": 1}})
    cand = _cand(card(params_total_b=params_b), prof)
    assert cand.deployment.mode == "self-hosted", case
    assert cand.monthly_cost.value == pytest.approx(expected_monthly, rel=1e-6), case
    assert cand.cost_per_mtok.value == pytest.approx(
        expected_monthly / (prof.workload.tokens_per_month / 1e6), rel=1e-6)


def test_a_live_service_adds_replicas_when_one_cannot_carry_the_volume():
    # 1 GPU node at 100 GB/s: 8B bf16 -> 0.6 x 100 / 16 = 3.75 t/s, concurrency 1.
    # 1e8 output tokens a month need 1e8 / (730.5 x 3600) = 38.0 t/s -> 11 replicas = 11 nodes
    hw = {"name": "1 GPU", "devices": 1, "memory_gb": 80, "memory_bandwidth_gbps": 100,
          "cost_per_hour_usd": 1.0, "quantization": ["bf16"]}
    prof = profile(hardware=hw, workload={"tokens_per_month": 1e8, "input_share": 0.0})
    cand = _cand(card(params_total_b=8.0), prof)
    assert deployment.replica_plan(cand, prof)[0] == 11
    assert cand.monthly_cost.value == pytest.approx(11 * HOURS)


def test_api_cost_counts_input_and_output_at_their_own_prices():
    # GPT-4o at C's $5 / $15 per million: 50M tokens, 75 % input -> 37.5 x 5 + 12.5 x 15 = 375
    prof = profile(hardware=None, workload={"tokens_per_month": 50e6, "input_share": 0.75})
    cand = _cand(card(open_weights=False, license="proprietary", price=(5.0, 15.0)), prof)
    assert cand.monthly_cost.value == pytest.approx(375.0)


def test_a_batch_job_with_unknown_speed_has_unknown_cost_not_zero():
    hw = {**NODE_4X80, "memory_bandwidth_gbps": None}
    prof = profile(hardware=hw, workload={"mode": "batch"})
    cand = _cand(card(params_total_b=8.0), prof)
    assert cand.speed is None and cand.monthly_cost is None


def test_guide_c_rule_of_thumb_from_its_own_figures():
    """C: on-premise 4x A100 80 GB = ~$2,700/month all in; self-hosting pays off above about
    $5,000/month of API spend. With C's own figures the break-even API spend is the server's
    monthly cost, $2.7k, so at $5k of API spend the server is the cheaper way; the same server
    rented on demand (C's $19,584/month 24/7) needs four times that spend."""
    onprem = {**NODE_4X80, "cost_per_hour_usd": None, "monthly_cost_usd": 2700}
    gpt4o = card("gpt-4o", open_weights=False, license="proprietary", price=(5.0, 15.0))
    llama = card("llama-70b", params_total_b=70.0)
    breakeven = {}
    for name, hw in (("on-premise", onprem), ("cloud", NODE_4X80)):
        prof = profile(hardware=hw, workload={"tokens_per_month": 50e6, "input_share": 0.75},
                       criteria={"weights": {"cost": 1, "gdpr_security": 1}})
        rec = rank_catalog(prof, catalog(gpt4o, llama), benchmarks=BENCHMARKS)
        be = rec.break_even
        assert (be.self_hosted_model, be.api_model) == ("llama-70b", "gpt-4o")
        assert be.api_usd_per_mtok == pytest.approx(7.5)                 # 0.75 x 5 + 0.25 x 15
        breakeven[name] = be.break_even_mtok_per_month * be.api_usd_per_mtok  # $ of API spend
    assert breakeven["on-premise"] == pytest.approx(2700, rel=1e-3)
    assert breakeven["on-premise"] < 5000 < breakeven["cloud"]
    assert breakeven["cloud"] == pytest.approx(27.20 * HOURS, rel=1e-3)


def test_chatbot_en_prices_the_node_not_the_busy_seconds():
    """The issue's case: Llama 3 8B on chatbot-en's on-demand 4x A100 was $48.81/month."""
    from llmselect.recommendation import build_recommendation

    rec = build_recommendation("chatbot-en").rec
    llama = next(e for e in rec.ranked if e.model == "llama3-8b-instruct")
    assert llama.monthly_cost_usd == pytest.approx(27.20 * HOURS, rel=1e-3)
    assert "node" in llama.cost_basis
    assert rec.break_even is not None and rec.break_even.break_even_mtok_per_month > 50

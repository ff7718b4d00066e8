"""Self-hosted cost at the edges: several requests at once (workload.concurrency > 1) and a speed
nobody knows. Bounds any sound total-cost-of-ownership model keeps:

- a live service on on-demand hardware pays its node every service hour, busy or not: its
  monthly cost does not depend on concurrency, and it is known without knowing the speed
  (at least one node, all hours);
- a batch job on on-demand hardware pays the hours its tokens take: serving c requests at once
  can only make it cheaper (batched decoding shares one read of the weights), and at most c
  times cheaper; with no known speed its cost is unknown (never 0, never a crash);
- owned hardware: the bill is fixed, so it depends on neither concurrency nor speed;
- a speed quoted for some other hardware never stands in for the target's.
"""

from __future__ import annotations

import pytest

from llmselect.scoring import criteria as cr
from llmselect.scoring import deployment
from helpers.scoring import card, profile

# 80 GB, int4 only: a 7B model fits with room for many KV caches, so the quantization (and thus
# the speed per stream) is the same at every concurrency tested.
ROOMY = {"name": "1x 80 GB", "devices": 1, "memory_gb": 80, "memory_bandwidth_gbps": 2000,
         "cost_per_hour_usd": 2.0, "quantization": ["int4"]}
HOURS = 24 * 365.25 / 12


def hosted(concurrency: int, hardware: dict | None = None, mode: str = "live", **card_kw):
    prof = profile(hardware={**ROOMY, **(hardware or {})}, criteria={"weights": {"cost": 1}},
                   workload={"concurrency": concurrency, "tokens_per_month": 50e6, "mode": mode})
    c = card(params_total_b=7.0, **card_kw)
    cand = deployment.Candidate(c, None, deployment.choose(c, None, prof))
    assert cand.deployment.mode == "self-hosted" and cand.deployment.fits
    cand.speed = deployment.speed(cand, prof)
    cand.cost_per_mtok, cand.monthly_cost = deployment.cost(cand, prof)
    return cand, prof


@pytest.mark.parametrize("concurrency", [1, 4, 16])
def test_a_live_service_pays_every_hour_whatever_its_concurrency(concurrency):
    cand, _ = hosted(concurrency)
    assert cand.monthly_cost.value == pytest.approx(2.0 * HOURS)
    assert cand.cost_per_mtok.value == pytest.approx(2.0 * HOURS / 50)


@pytest.mark.parametrize("concurrency", [2, 4, 16])
def test_a_batch_job_gets_cheaper_with_concurrency_but_at_most_linearly(concurrency):
    one, _ = hosted(1, mode="batch")
    many, _ = hosted(concurrency, mode="batch")
    assert one.deployment.memory.quantization == many.deployment.memory.quantization == "int4"
    assert one.cost_per_mtok.value / concurrency <= many.cost_per_mtok.value * (1 + 1e-9)
    assert many.cost_per_mtok.value < one.cost_per_mtok.value
    assert many.monthly_cost.value == pytest.approx(many.cost_per_mtok.value * 50)


@pytest.mark.parametrize("concurrency", [1, 8])
def test_owned_hardware_cost_ignores_concurrency_and_speed(concurrency):
    owned = {"monthly_cost_usd": 1500.0, "cost_per_hour_usd": None, "memory_bandwidth_gbps": None}
    cand, prof = hosted(concurrency, owned)
    assert cand.speed is None  # no bandwidth, no measured speed
    assert cand.cost_per_mtok.value == pytest.approx(1500.0 / 50)


@pytest.mark.parametrize("concurrency", [1, 4])
def test_unknown_speed_makes_a_batch_cost_unknown_not_free(concurrency):
    cand, prof = hosted(concurrency, {"memory_bandwidth_gbps": None}, mode="batch")
    assert cand.speed is None
    assert cand.cost_per_mtok is None and cand.monthly_cost is None
    result = cr.cost(cand, prof, {})
    assert result.score is None and result.provenance == "unknown"
    live, _ = hosted(concurrency, {"memory_bandwidth_gbps": None})  # live: the node's hours
    assert live.monthly_cost.value == pytest.approx(2.0 * HOURS)


def test_a_quoted_speed_never_stands_in_for_the_targets():
    cand, _ = hosted(1, {"memory_bandwidth_gbps": None}, speed_tokens_per_s=40.0)
    assert cand.speed is None

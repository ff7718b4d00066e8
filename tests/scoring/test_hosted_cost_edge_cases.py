"""Self-hosted cost at the edges: several requests at once (workload.concurrency > 1) and a speed
nobody knows. Written against the behaviour, not the formula (the self-hosted cost model is
being reworked, issue 12), so these bounds hold for any sound model:

- on-demand hardware: serving c requests at once can only make a token cheaper (batched decoding
  shares one read of the weights), and at most c times cheaper (aggregate throughput is at most
  c single streams);
- owned hardware: the bill is fixed, so the cost per token does not depend on concurrency or on
  the speed;
- on-demand hardware with no known speed: the cost is unknown (never 0, never a crash), also at
  concurrency > 1, and the cost criterion says "unknown" rather than scoring it.
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


def hosted(concurrency: int, hardware: dict | None = None, **card_kw):
    prof = profile(hardware={**ROOMY, **(hardware or {})}, criteria={"weights": {"cost": 1}},
                   workload={"concurrency": concurrency, "tokens_per_month": 50e6})
    c = card(params_total_b=7.0, **card_kw)
    cand = deployment.Candidate(c, None, deployment.choose(c, None, prof))
    assert cand.deployment.mode == "self-hosted" and cand.deployment.fits
    cand.speed = deployment.speed(cand, prof)
    cand.cost_per_mtok, cand.monthly_cost = deployment.cost(cand, prof)
    return cand, prof


@pytest.mark.parametrize("concurrency", [2, 4, 16])
def test_on_demand_cost_falls_with_concurrency_but_at_most_linearly(concurrency):
    one, _ = hosted(1)
    many, _ = hosted(concurrency)
    assert one.deployment.memory.quantization == many.deployment.memory.quantization == "int4"
    assert one.cost_per_mtok is not None and many.cost_per_mtok is not None
    assert one.cost_per_mtok.value / concurrency <= many.cost_per_mtok.value * (1 + 1e-9)
    assert many.cost_per_mtok.value < one.cost_per_mtok.value
    assert many.monthly_cost.value == pytest.approx(many.cost_per_mtok.value * 50)


@pytest.mark.parametrize("concurrency", [1, 8])
def test_owned_hardware_cost_ignores_concurrency_and_speed(concurrency):
    owned = {"monthly_cost_usd": 1500.0, "cost_per_hour_usd": None, "memory_bandwidth_gbps": None}
    cand, prof = hosted(concurrency, owned)
    assert cand.speed is None  # no bandwidth, no quoted or measured speed
    assert cand.cost_per_mtok.value == pytest.approx(1500.0 / 50)


@pytest.mark.parametrize("concurrency", [1, 4])
def test_unknown_speed_on_hourly_hardware_makes_cost_unknown_not_free(concurrency):
    cand, prof = hosted(concurrency, {"memory_bandwidth_gbps": None})
    assert cand.speed is None
    assert cand.cost_per_mtok is None and cand.monthly_cost is None
    result = cr.cost(cand, prof, {})
    assert result.score is None and result.provenance == "unknown"


@pytest.mark.parametrize("concurrency", [1, 4])
def test_a_quoted_speed_stands_in_when_bandwidth_is_unknown(concurrency):
    cand, _ = hosted(concurrency, {"memory_bandwidth_gbps": None}, speed_tokens_per_s=40.0)
    assert cand.speed.value == 40.0 and cand.speed.provenance == "published"
    single_stream = 2.0 / (40.0 * 3600 / 1e6)  # $/h over one stream's tokens per hour, per 1M
    assert single_stream / concurrency <= cand.cost_per_mtok.value * (1 + 1e-9)
    assert cand.cost_per_mtok.value <= single_stream * (1 + 1e-9)

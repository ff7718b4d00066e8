"""Own-suite logic without a model: how judge verdicts become metrics (malformed left out,
agreement only on rechecked well-formed pairs), the per-item pass rule, and the judge's refusal
to fetch weights over the network."""

from __future__ import annotations

import pytest

from llmselect.errors import UserError
from llmselect.ownsuite.hooks import score_item
from llmselect.ownsuite.judge import Verdicts, _local_spec, _selected
from llmselect.ownsuite.schema import Judge, OwnSuite, item_passes

OWN = OwnSuite(kind="answer", source="x.csv", source_sha256="0", data_sha256="0", items=1,
               columns={}, metrics=["exact_match", "judge"], judge=Judge(model="m", rubric="r"))
DOC = {"id": "q1", "question": "Q?", "answer": "Paris", "context": ""}


class StubJudge:
    """Returns fixed verdicts: this tests the bookkeeping, not a model."""

    def __init__(self, verdicts: Verdicts):
        self.verdicts, self.calls = verdicts, 0

    def judge(self, *args):
        self.calls += 1
        return self.verdicts


@pytest.mark.parametrize("verdicts,want", [
    (Verdicts("pass"), {"judge": 1.0, "judge_malformed": 0.0}),
    (Verdicts("fail", "fail", True), {"judge": 0.0, "judge_malformed": 0.0, "judge_agreement": 1.0}),
    (Verdicts("pass", "fail", True), {"judge": 1.0, "judge_malformed": 0.0, "judge_agreement": 0.0}),
    (Verdicts(None, "pass", True), {"judge_malformed": 1.0}),  # no score, no agreement: not guessed
    (Verdicts("pass", None, True), {"judge": 1.0, "judge_malformed": 0.0}),
])
def test_judge_verdicts_to_metrics(verdicts, want):
    out = score_item(OWN, DOC, " Paris ", StubJudge(verdicts))
    assert out == {"exact_match": 1.0, **want}


@pytest.mark.parametrize("metric,value,passes", [
    ("exact_match", 1.0, True), ("exact_match", 0.0, False), ("judge", None, False),
    ("rougeL", 0.5, True), ("rougeL", 0.49, False), ("acc", 1.0, True),
])
def test_item_pass_rule(metric, value, passes):
    assert item_passes(metric, value) is passes


def test_recheck_share_is_fixed_by_id():
    ids = [f"item{i}" for i in range(2000)]
    chosen = [i for i in ids if _selected(i, 0.25)]
    assert 400 < len(chosen) < 600 and chosen == [i for i in ids if _selected(i, 0.25)]
    assert not any(_selected(i, 0.0) for i in ids) and all(_selected(i, 1.0) for i in ids)


def test_judge_refuses_weights_from_the_network():
    with pytest.raises(UserError, match="network"):
        _local_spec(Judge(model="hf:some-org/some-judge", rubric="r"))

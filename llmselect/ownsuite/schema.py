"""The ``own:`` section of a suite YAML: how an own evaluation set is scored and checked.

Kept apart from the generic suite schema so the lead's suite restructure only has to carry one
field (``Suite.own``). Everything here is plain pydantic (no heavy imports): ``recommend`` and
``suites`` read it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

#: Metrics that score an item 0 or 1; an item passes them only at 1.
BINARY_METRICS = {"acc", "exact_match", "contains", "regex", "numeric", "judge"}
#: Metrics with a graded score in [0, 1]; an item passes them at ``>= CONTINUOUS_PASS``.
CONTINUOUS_METRICS = {"token_f1", "rougeL", "chrf", "semantic"}
CONTINUOUS_PASS = 0.5
ANSWER_METRICS = ("exact_match", "contains", "regex", "numeric", "token_f1", "rougeL", "chrf",
                  "semantic", "judge")
DEFAULT_ANSWER_METRICS = ["exact_match", "token_f1", "rougeL", "chrf"]
Kind = Literal["multiple-choice", "answer"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Check(_Strict):
    """A unit test on an item or a tag: every item must pass, and/or mean scores have floors."""

    must_pass: bool = Field(False, description="Every item covered must pass (see item_passes)")
    min: dict[str, float] = Field(default_factory=dict,
                                  description="metric -> minimum mean score, e.g. {rougeL: 0.4}")


class Judge(_Strict):
    """An LLM judge: any llmselect model spec. WHY strict: a verdict that does not parse is
    counted as malformed and left out of the judge score, never guessed."""

    model: str = Field(description="Model spec: catalog alias, .gguf path, endpoint:URL#model...")
    rubric: str = Field(description="What a good answer must do, shown to the judge")
    backend: str | None = Field(None, description="Backend override for the judge model")
    recheck: float = Field(0.25, ge=0, le=1, description="Share of items judged a second time "
                           "with answer and reference swapped, for the self-agreement figure")
    max_gen_toks: int = Field(8, ge=1, le=256)
    chat_template: bool = Field(False, description="Wrap the judge prompt in the judge's chat template")


class Tolerance(_Strict):
    abs: float = Field(1e-6, ge=0, description="numeric: |got - expected| <= abs ...")
    rel: float = Field(0.0, ge=0, description="... or <= rel * |expected|")


class OwnSuite(_Strict):
    """Written by ``llmselect suite new``; edit rubric, checks and thresholds freely."""

    kind: Kind
    source: str = Field(description="The file the items came from (for provenance)")
    source_sha256: str
    data_sha256: str = Field(description="Of the normalised items lm-eval reads (test + dev)")
    items: int = Field(ge=1)
    dev_items: int = 0
    columns: dict[str, str] = Field(description="field -> column of the source file")
    metrics: list[str] = Field(description="Scored per item; the first is the suite's score")
    tolerance: Tolerance = Field(default_factory=Tolerance)
    judge: Judge | None = None
    redact: bool = Field(False, description="Keep item texts out of sample logs, reports, caches")
    checks: dict[str, dict[str, Check]] = Field(
        default_factory=dict, description="{items: {id: Check}, tags: {tag: Check}}")

    @field_validator("metrics")
    @classmethod
    def _known_metrics(cls, values: list[str]) -> list[str]:
        bad = [m for m in values if m not in (*ANSWER_METRICS, "acc")]
        if bad:
            raise ValueError(f"unknown metric(s) {bad}; known: {', '.join(ANSWER_METRICS)}, acc")
        if not values:
            raise ValueError("at least one metric")
        return values

    @model_validator(mode="after")
    def _judge_configured(self) -> "OwnSuite":
        if "judge" in self.metrics and self.judge is None:
            raise ValueError("metric 'judge' needs a 'judge:' section (model and rubric)")
        if self.kind == "multiple-choice" and self.metrics != ["acc"]:
            raise ValueError("a multiple-choice suite is scored by 'acc' (loglikelihood) only")
        return self

    @field_validator("checks")
    @classmethod
    def _check_scopes(cls, value: dict) -> dict:
        bad = set(value) - {"items", "tags"}
        if bad:
            raise ValueError(f"checks has {sorted(bad)}; only 'items' and 'tags' are allowed")
        return value


def item_passes(metric: str, value: float | None) -> bool:
    """The per-item pass rule used for ``must_pass``: binary metrics at 1, graded ones at 0.5."""
    if value is None:
        return False
    return value >= (1.0 if metric in BINARY_METRICS else CONTINUOUS_PASS)

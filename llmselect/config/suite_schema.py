"""A benchmark suite: which lm-eval tasks to run and with which settings.

A suite only *selects and parameterises* lm-eval tasks (shots, limit, chat template, generation
settings, metric kept); prompts, metrics and filters stay lm-eval's. Files live in ``suites/`` and
in the user's folders (``$LLMSELECT_SUITES_PATH``); the file name is the suite name.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from llmselect.ownsuite.schema import OwnSuite
from llmselect.strict import StrictModel


class SuiteTask(StrictModel):
    task: str = Field(description="lm-eval task, group or tag name (e.g. mmlu, gsm8k_cot)")
    benchmark: str = Field(description="Catalog benchmark key the score counts for (mmlu, gsm8k...)")
    metric: str = Field(description="lm-eval metric kept as the score, with its filter: "
                        "'acc' or 'exact_match,strict-match'")
    extra_metrics: list[str] = Field(default_factory=list,
                                     description="Other lm-eval metrics recorded beside it")
    num_fewshot: int | None = Field(None, ge=0, description="None = the task's own setting")
    limit: float | None = Field(None, gt=0, description="Items per (sub)task: an int count, or a "
                                "fraction < 1; None = all")
    apply_chat_template: bool = False
    fewshot_as_multiturn: bool = False
    gen_kwargs: dict[str, Any] | None = Field(None, description="Overrides of the task's "
                                              "generation_kwargs (e.g. max_gen_toks)")
    requires_code_execution: bool = Field(False, description="Scores by running model-written "
                                          "code (needs --allow-code-execution)")
    redact_samples: bool = Field(False, description="Keep questions out of the per-sample log "
                                 "(their licence asks for it: GPQA)")
    label: str | None = Field(None, description="Short name in tables; default: task")

    @field_validator("metric")
    @classmethod
    def _metric_has_filter(cls, value: str) -> str:
        return value if "," in value else f"{value},none"

    @field_validator("extra_metrics")
    @classmethod
    def _extra_have_filter(cls, values: list[str]) -> list[str]:
        return [v if "," in v else f"{v},none" for v in values]

    @property
    def key(self) -> str:
        return self.label or self.task


class Suite(StrictModel):
    description: str
    tasks: list[SuiteTask] = Field(min_length=1)
    data: Literal["offline-or-online", "online"] = Field(
        "offline-or-online", description="'online': lm-eval's hub datasets only (no offline copy)")
    sampled: bool = Field(False, description="A quick, sampled suite: scores are indicative")
    include: list[str] = Field(default_factory=list, description="Folders of lm-eval task YAMLs "
                               "this suite brings (relative to the suite file); added to lm-eval's "
                               "include_path")
    own: OwnSuite | None = Field(None, description="An organisation's own evaluation set "
                                 "(written by `llmselect suite new`; see llmselect/ownsuite/)")
    name: str = ""  # filled from the file name


def load_suite(name_or_path: str) -> Suite:
    """A suite by name (user folders first, then built-ins) or by a path to a YAML file."""
    from pathlib import Path

    from llmselect.config.loading import load_yaml_model
    from llmselect.errors import UserError, unknown
    from llmselect.resources import find_named_yaml, list_named_yaml, looks_like_path

    path = find_named_yaml("suites", name_or_path)
    if path is None and looks_like_path(name_or_path):
        raise UserError(f"{name_or_path}: no such suite file; give an existing YAML file or a "
                        "suite name (`llmselect suites`)")
    if path is None:
        raise unknown("suite", name_or_path, list_named_yaml("suites"),
                      hint="see `llmselect suites`, or give a path to a suite YAML file")
    suite = load_yaml_model(Suite, Path(path))
    include = [str((Path(path).parent / p).resolve()) for p in suite.include]
    return suite.model_copy(update={"name": Path(path).stem, "include": include})


def list_suites() -> dict[str, Suite]:
    """Every suite on the search path (a malformed user file raises its one-line error)."""
    from llmselect.resources import list_named_yaml

    return {name: load_suite(str(path)) for name, path in list_named_yaml("suites").items()}

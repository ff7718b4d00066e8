"""The result file's schema: what one bench run records, versioned (``version`` first).

Ground floor: imports only pydantic. Readers and writers live in ``llmselect.store``; hardware
detection, the speed probe and the backends build these types without touching the disk.
Fields are documented where declared (as inspect_ai's log schema does), so the JSON is its own
reference.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field

from llmselect.strict import StrictModel

SCHEMA_VERSION = 1


class _Strict(StrictModel):
    """Strict, and NaN/inf survive a round trip: JSON has no NaN, and pydantic's default writes
    ``null``, which the float fields then reject on reading, so a finished run whose pass@k was
    NaN (k above the samples) would vanish from every listing. As ``"NaN"`` it stays readable,
    and each reader decides explicitly (``store.nan_scores``, the gate's "not a number")."""

    model_config = ConfigDict(extra="forbid", ser_json_inf_nan="strings")


class ModelInfo(_Strict):
    spec: str = Field(description="What the user typed: alias, hf:org/name, path, endpoint URL")
    catalog_id: str | None = Field(None, description="Catalog model id, when the spec maps to one")
    backend: str = Field(description="Backend registry name: hf, llamacpp, vllm, endpoint, fake")
    weights: str | None = Field(None, description="Resolved weights: HF repo id, local path, URL")
    weights_sha256: str | None = None
    quantization: str | None = Field(None, description="e.g. Q4_1, Q4_K_M, fp32, bf16, int8")
    gguf_metadata: dict[str, Any] | None = Field(None, description="Architecture, params, ctx...")
    backend_args: dict[str, Any] = Field(default_factory=dict, description="lm-eval model_args")


class Sampling(_Strict):
    """How the scored items were chosen, so a reader knows what the score estimates."""

    design: Literal["first-n", "stratified-random", "simple-random", "sequential-random",
                    "race"] = Field(description="first-n: lm-eval --limit, the first documents "
                                    "of each subtask (a smoke test, not an estimate of the full "
                                    "score); the others: a seeded random sample whose score "
                                    "estimates the full benchmark's")
    seed: int | None = Field(None, description="Seed of the random draw")
    population: int | None = Field(None, description="Items in the full benchmark")
    requested: float | None = Field(None, description="--sample N|FRACTION, or the --precision "
                                    "target (95 % half-width)")
    strata: int | None = Field(None, description="Subtasks the sample is stratified over")
    estimator: str | None = Field(None, description="How value and stderr were computed")
    interval: list[float] | None = Field(None, description="[low, high] of the reported "
                                         "confidence interval for the full-benchmark score")
    confidence: float | None = None
    interval_method: str | None = None
    rounds: list[int] = Field(default_factory=list, description="Items after each round "
                              "(sequential designs)")
    lm_eval_value: float | None = Field(None, description="lm-eval's own aggregate over the "
                                        "sampled items, for reference")


class TaskResult(_Strict):
    task: str = Field(description="lm-eval task name, e.g. mmlu, gsm8k_cot, gpqa_main_zeroshot")
    benchmark: str = Field(description="Catalog benchmark key: mmlu, gsm8k, humaneval, gpqa, ...")
    metric: str = Field(description="lm-eval metric kept, with filter: 'acc', 'exact_match,strict-match'")
    value: float = Field(description="Score as lm-eval reports it, in [0, 1]")
    stderr: float | None = Field(None, description="lm-eval's bootstrap/analytic stderr; when "
                                 "it gives none, or the items were sampled, computed from the "
                                 "per-item log (see sampling.estimator)")
    n: int = Field(description="Items actually scored")
    limit: float | None = Field(None, description="lm-eval --limit used (None = full)")
    sampled: bool = Field(description="True when n is below the task's full size")
    num_fewshot: int | None = None
    chance: float = Field(0.0, description="Score of random guessing (0.25 for 4-choice MCQ)")
    higher_is_better: bool = True
    task_version: str | None = None
    task_hash: str | None = Field(None, description="lm-eval's task config hash")
    data_hash: str | None = Field(None, description="Checksum of the data the task ran on")
    samples_file: str | None = Field(None, description="Per-sample log, relative to the run file")
    extra_metrics: dict[str, float | None] = Field(default_factory=dict)
    sampling: Sampling | None = Field(None, description="How items were chosen when not all "
                                      "were scored (None: the full benchmark)")


class Hardware(_Strict):
    cpu: str | None = None
    cores: int | None = None
    ram_gb: float | None = None
    gpus: list[dict[str, Any]] = Field(default_factory=list, description="name, vram_gb per GPU")
    platform: str | None = None


class Speed(_Strict):
    prompt_tokens_per_s: float | None = None
    gen_tokens_per_s: float | None = None
    ttft_s: float | None = Field(None, description="Time to first token")
    ttft_p95_s: float | None = None
    gen_tokens_per_s_p95: float | None = None
    method: str | None = Field(None, description="How it was measured (probe prompt, streaming...)")


class Memory(_Strict):
    peak_rss_mb: float | None = None
    cuda_max_allocated_mb: float | None = None


class ImportedFrom(_Strict):
    """A run measured elsewhere (another machine, another team) and imported from the file its
    harness wrote; recommend/compare/gate use it like a local run, reports say where it came from."""

    label: Literal["measured elsewhere"] = "measured elsewhere"
    tool: str = Field(description="What wrote the file: 'lm-eval 0.4.x'")
    file: str = Field(description="The imported results file (absolute path at import time)")
    sha256: str = Field(description="Of that file: the same file is imported once")
    samples_files: list[str] = Field(default_factory=list, description="Per-sample logs imported")
    imported_at: datetime


class RunResult(_Strict):
    version: int = SCHEMA_VERSION
    run_id: str
    created_at: datetime
    status: Literal["complete", "partial", "failed"] = "complete"
    model: ModelInfo
    suite: str
    tasks: dict[str, TaskResult] = Field(default_factory=dict)
    lm_eval_version: str | None = None
    data: dict[str, Any] = Field(default_factory=dict, description="source (offline/hub), dir, checksums")
    hardware: Hardware = Field(default_factory=Hardware)
    wall_time_s: float | None = None
    task_wall_time_s: dict[str, float] = Field(default_factory=dict)
    speed: Speed = Field(default_factory=Speed)
    memory: Memory = Field(default_factory=Memory)
    command: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    resume_key: str | None = Field(None, description="Hash of model, backend args, suite settings "
                                   "and data: the same command finds its unfinished run by it")
    imported: ImportedFrom | None = Field(None, description="Set when measured elsewhere "
                                          "(`llmselect results import`); None = benched here")

"""Results on disk: one JSON file per bench run, written atomically, read back validated.

Layout under the results folder (default ``./results``, ``LLMSELECT_RESULTS_DIR`` or ``--output``)::

    <run_id>.json                      the RunResult below (schema ``version`` first)
    <run_id>/samples_<task>.jsonl      lm-eval's per-sample log (doc_id + per-item metrics)
    <run_id>/partial/...               resume state of an unfinished run

Every consumer (recommend, compare, gate, report) reads runs through ``load_runs`` so the
schema is checked in one place. Writes go to a temp file in the same folder and are renamed
into place, so two benches writing into one folder at once never lose or tear a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from llmselect.errors import EnvironmentProblem, UserError

SCHEMA_VERSION = 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ModelInfo(_Strict):
    spec: str = Field(description="What the user typed: alias, hf:org/name, path, endpoint URL")
    catalog_id: str | None = Field(None, description="Catalog model id, when the spec maps to one")
    backend: str = Field(description="Backend registry name: hf, llamacpp, vllm, endpoint, fake")
    weights: str | None = Field(None, description="Resolved weights: HF repo id, local path, URL")
    weights_sha256: str | None = None
    quantization: str | None = Field(None, description="e.g. Q4_1, Q4_K_M, fp32, bf16, int8")
    gguf_metadata: dict[str, Any] | None = Field(None, description="Architecture, params, ctx...")
    backend_args: dict[str, Any] = Field(default_factory=dict, description="lm-eval model_args")


class TaskResult(_Strict):
    task: str = Field(description="lm-eval task name, e.g. mmlu, gsm8k_cot, gpqa_main_zeroshot")
    benchmark: str = Field(description="Catalog benchmark key: mmlu, gsm8k, humaneval, gpqa, ...")
    metric: str = Field(description="lm-eval metric kept, with filter: 'acc', 'exact_match,strict-match'")
    value: float = Field(description="Score as lm-eval reports it, in [0, 1]")
    stderr: float | None = Field(None, description="lm-eval's bootstrap/analytic stderr")
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


def results_dir(path: str | os.PathLike | None = None) -> Path:
    """``path``, else ``$LLMSELECT_RESULTS_DIR``, else ``./results``."""
    return Path(path or os.environ.get("LLMSELECT_RESULTS_DIR") or "results")


def new_run_id(model_slug: str, suite: str, now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in model_slug)[:60]
    return f"{now:%Y%m%dT%H%M%S}-{safe}-{suite}-{os.urandom(3).hex()}"


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temp file in the same folder + rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp's 0600 would hide results from teammates
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def save_run(run: RunResult, folder: str | os.PathLike | None = None) -> Path:
    folder = results_dir(folder)
    try:
        path = folder / f"{run.run_id}.json"
        atomic_write_text(path, run.model_dump_json(indent=2))
    except OSError as exc:
        raise EnvironmentProblem(
            f"cannot write results to {folder}: {exc.strerror}; choose another folder with --output"
        ) from None
    return path


def load_run(path: str | os.PathLike) -> RunResult:
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: no such result file") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if raw.get("version") != SCHEMA_VERSION:
        raise UserError(f"{path}: result schema version {raw.get('version')!r}, this llmselect "
                        f"reads version {SCHEMA_VERSION}")
    try:
        return RunResult.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise UserError(f"{path}: {loc}: {first['msg']}") from None


def iter_run_files(folder: str | os.PathLike | None = None) -> list[Path]:
    folder = results_dir(folder)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.json") if not p.name.startswith("."))


def load_runs(folder: str | os.PathLike | None = None, *, strict: bool = False) -> list[RunResult]:
    """All runs in ``folder``, oldest first. Unreadable files are skipped unless ``strict``."""
    runs = []
    for path in iter_run_files(folder):
        try:
            runs.append(load_run(path))
        except UserError:
            if strict:
                raise
    return sorted(runs, key=lambda r: r.created_at)

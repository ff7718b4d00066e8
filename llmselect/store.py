"""Results on disk: one JSON file per bench run, written atomically, read back validated.

Layout under the results folder (default ``./results``, ``LLMSELECT_RESULTS_DIR`` or ``--output``)::

    <run_id>.json                      the RunResult below (schema ``version`` first)
    <run_id>/samples_<task>.jsonl      lm-eval's per-sample log (doc_id + per-item metrics)
    <run_id>/partial/...               resume state of an unfinished run

Every consumer (recommend, compare, gate, report, results) reads runs through ``scan_runs`` /
``load_runs`` so the schema is checked in one place and a file that cannot be read is named
with its reason, never dropped in silence. Writes go to a temp file in the same folder and are
renamed into place, so two benches writing into one folder at once never lose or tear a file.
This module is I/O only: the schema is ``llmselect.run_schema``.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

from pydantic import ValidationError

from llmselect.errors import EnvironmentProblem, UserError
from llmselect.fileio import atomic_write_text, jsonl_lines, read_text
from llmselect.run_schema import (  # noqa: F401  (callers that write runs use both)
    SCHEMA_VERSION,
    Hardware,
    ImportedFrom,
    Memory,
    ModelInfo,
    RunResult,
    Sampling,
    Speed,
    TaskResult,
)


def results_dir(path: str | os.PathLike | None = None) -> Path:
    """``path``, else ``$LLMSELECT_RESULTS_DIR``, else ``./results``."""
    return Path(path or os.environ.get("LLMSELECT_RESULTS_DIR") or "results")


def new_run_id(model_slug: str, suite: str, now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in model_slug)[:60]
    return f"{now:%Y%m%dT%H%M%S}-{safe}-{suite}-{os.urandom(3).hex()}"


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
    """One run file, validated; any reason it cannot be used is one UserError line."""
    path = Path(path)
    raw = parse_json(read_text(path, "result file"), path)
    if not isinstance(raw, dict):
        raise UserError(f"{path}: not a llmselect result file (top level is a "
                        f"{type(raw).__name__}, expected an object)")
    if raw.get("version") != SCHEMA_VERSION:
        raise UserError(f"{path}: result schema version {raw.get('version')!r}, this llmselect "
                        f"reads version {SCHEMA_VERSION}")
    try:
        return RunResult.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise UserError(f"{path}: {loc}: {first['msg']}") from None


def parse_json(text: str, path: Path) -> Any:
    """JSON with one-line errors; nesting too deep for the parser is an error, not a crash."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise UserError(f"{path}: JSON nested too deeply to be a llmselect file") from None


def iter_run_files(folder: str | os.PathLike | None = None) -> list[Path]:
    folder = results_dir(folder)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.json") if not p.name.startswith("."))


def check_results_folder(folder: str | os.PathLike) -> Path:
    """A results folder the user named explicitly must exist and be a folder."""
    path = Path(folder)
    if not path.exists():
        raise UserError(f"results folder {path}: does not exist; give an existing folder "
                        "(or omit the option to use $LLMSELECT_RESULTS_DIR or ./results)")
    if not path.is_dir():
        raise UserError(f"results folder {path}: is a file, not a folder; give the folder that "
                        "holds the run files")
    return path


@dataclass
class Skipped:
    """A file in a results folder that could not be used, and why."""

    path: Path
    reason: str


def scan_runs(folder: str | os.PathLike | None = None) -> tuple[list[RunResult], list[Skipped]]:
    """All readable runs in ``folder`` (oldest first) and every file that was not, with why."""
    runs, skipped = [], []
    for path in iter_run_files(folder):
        try:
            runs.append(load_run(path))
        except UserError as exc:
            skipped.append(Skipped(path, str(exc).removeprefix(f"{path}: ")))
    return sorted(runs, key=lambda r: r.created_at), skipped


def warn_skipped(skipped: Iterable[Skipped]) -> None:
    """Name each unreadable run file on stderr: a measurement is never dropped in silence."""
    for item in skipped:
        print(f"llmselect: warning: skipped {item.path}: {item.reason}", file=sys.stderr)


def load_runs(folder: str | os.PathLike | None = None, *, strict: bool = False,
              on_skip: Callable[[list[Skipped]], None] | None = warn_skipped) -> list[RunResult]:
    """All runs in ``folder``, oldest first. An unreadable file raises when ``strict``; else it
    is reported through ``on_skip`` (stderr by default) and left out."""
    runs, skipped = scan_runs(folder)
    if skipped and strict:
        raise UserError(f"{skipped[0].path}: {skipped[0].reason}")
    if skipped and on_skip is not None:
        on_skip(skipped)
    return runs


# ---------------------------------------------------------------- run lookup

def find_unfinished(folder: Path, resume_key: str) -> RunResult | None:
    """The partial run a killed bench left with this resume key (the newest), if any."""
    runs = load_runs(folder)  # an unreadable file is named, never skipped in silence
    partial = [r for r in runs if r.status == "partial" and r.resume_key == resume_key]
    return partial[-1] if partial else None


def complete_runs(folder: Path) -> list[tuple[RunResult, Path]]:
    """Every complete run in ``folder`` with its file; unreadable files are named on stderr."""
    found, skipped = [], []
    for path in iter_run_files(folder):
        try:
            run = load_run(path)
        except UserError as exc:
            skipped.append(Skipped(path, str(exc).removeprefix(f"{path}: ")))
            continue
        if run.status == "complete":
            found.append((run, path))
    warn_skipped(skipped)
    return found


def latest_complete(folder: Path, match: Callable[[RunResult], bool],
                    runs: list[tuple[RunResult, Path]] | None = None) -> tuple[RunResult, Path] | None:
    """The newest complete run that ``match`` accepts, with its file (from ``runs`` when the
    caller has read the folder already)."""
    found = [rp for rp in (complete_runs(folder) if runs is None else runs) if match(rp[0])]
    return max(found, key=lambda rp: rp[0].created_at) if found else None


# ---------------------------------------------------------------- per-sample logs

def write_sample_log(path: Path, items: Iterable[dict]) -> None:
    """lm-eval's per-sample records, one JSON line each, written atomically."""
    lines = [json.dumps(item, default=str, ensure_ascii=False) for item in items]
    atomic_write_text(path, "\n".join(lines) + "\n")


def read_sample_log(path: Path) -> list[dict]:
    """Every record of a per-sample log; a bad line is one error naming file and line."""
    rows = []
    for lineno, line in enumerate(jsonl_lines(read_text(path, "per-sample log", max_bytes=2**31)), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UserError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from None
        if isinstance(item, dict):
            rows.append(item)
    return rows


# ---------------------------------------------------------------- the DataFrame view

def runs_frame(runs: Iterable[RunResult]):
    """One row per (run, task): the table every filter and export works on."""
    import pandas as pd

    rows = []
    for run in runs:
        base = {"run_id": run.run_id, "created_at": run.created_at, "status": run.status,
                "model": run.model.catalog_id or run.model.spec, "spec": run.model.spec,
                "backend": run.model.backend, "quantization": run.model.quantization,
                "suite": run.suite, "cpu": run.hardware.cpu,
                "gpu": ", ".join(g.get("name", "?") for g in run.hardware.gpus) or None,
                "prompt_tok_s": run.speed.prompt_tokens_per_s,
                "gen_tok_s": run.speed.gen_tokens_per_s, "ttft_s": run.speed.ttft_s,
                "peak_rss_mb": run.memory.peak_rss_mb, "wall_time_s": run.wall_time_s,
                "measured": "elsewhere" if run.imported else "here"}
        for key, t in run.tasks.items():
            rows.append(base | {"task": key, "benchmark": t.benchmark, "metric": t.metric,
                                "value": t.value, "stderr": t.stderr, "n": t.n,
                                "sampled": t.sampled})
        if not run.tasks:
            rows.append(base)
    return pd.DataFrame(rows)

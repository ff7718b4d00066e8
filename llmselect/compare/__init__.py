"""Run-vs-run comparison, one job per module: ``refs`` finds the runs the user named,
``deltas`` computes per-task deltas with intervals and p-values (paired when the per-sample
logs match) and speed/memory ratios. Rendering lives in ``llmselect.render.compare``; the CI
verdict in ``llmselect.gate``."""

from llmselect.compare.deltas import (
    PairComparison,
    RatioRow,
    TaskDelta,
    all_notes,
    compare_runs,
    compare_task,
    differences,
    item_identity,
    prompt_identity,
    ratio_rows,
    read_samples,
    run_notes,
    same_hardware,
    slowdown,
)
from llmselect.compare.refs import LoadedRun, resolve_run, resolve_runs

__all__ = [
    "LoadedRun", "PairComparison", "RatioRow", "TaskDelta", "all_notes", "compare_runs",
    "compare_task", "differences", "item_identity", "prompt_identity", "ratio_rows",
    "read_samples", "resolve_run", "resolve_runs", "run_notes", "same_hardware", "slowdown",
]

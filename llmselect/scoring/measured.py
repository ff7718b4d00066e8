"""Measured results from ``bench`` replace published numbers, and say so.

A published score was measured by someone else, with their prompts, shots and harness; a run
in ``results/`` was measured here, on the organisation's own setup, with a known stderr. So a
measured score always wins over the published one for the same catalog model and benchmark,
and carries the run id as its source. The newest run wins when several measured the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from llmselect.store import RunResult


@dataclass(frozen=True)
class MeasuredScore:
    benchmark: str
    value: float
    stderr: float | None
    n: int
    run_id: str
    task: str
    sampled: bool


@dataclass
class MeasuredFacts:
    catalog_id: str
    scores: dict[str, MeasuredScore] = field(default_factory=dict)
    gen_tokens_per_s: float | None = None
    speed_run_id: str | None = None
    speed_on: str | None = None  # "gpu" or "cpu": where the speed was measured
    run_ids: list[str] = field(default_factory=list)


def collect(runs: list[RunResult]) -> dict[str, MeasuredFacts]:
    """catalog id -> measured facts, newest run last so it overwrites older ones.

    Failed runs and runs not linked to a catalog card (``model.catalog_id`` None) are skipped.
    """
    out: dict[str, MeasuredFacts] = {}
    for run in sorted(runs, key=lambda r: r.created_at):
        cid = run.model.catalog_id
        if cid is None or run.status == "failed":
            continue
        facts = out.setdefault(cid, MeasuredFacts(cid))
        facts.run_ids.append(run.run_id)
        for task in _one_task_per_benchmark(run):
            facts.scores[task.benchmark] = MeasuredScore(
                task.benchmark, task.value, task.stderr, task.n, run.run_id, task.task, task.sampled)
        if run.speed.gen_tokens_per_s:
            facts.gen_tokens_per_s = run.speed.gen_tokens_per_s
            facts.speed_run_id = run.run_id
            facts.speed_on = "gpu" if run.hardware.gpus else "cpu"
    return out


def _one_task_per_benchmark(run: RunResult):
    """A suite may run several tasks of one benchmark (GPQA main and its diamond subset): the
    one with the most items stands for the benchmark, rather than whichever came last."""
    best = {}
    for task in run.tasks.values():
        if task.benchmark not in best or task.n > best[task.benchmark].n:
            best[task.benchmark] = task
    return best.values()


def unlinked(runs: list[RunResult]) -> list[str]:
    """Run ids that cannot be matched to a catalog model (reported on stderr)."""
    return [r.run_id for r in runs if r.model.catalog_id is None]

"""Run-vs-run deltas: per task, the score delta with an interval and a p-value; speed and
memory as ratios. The first run is the baseline, every other run a candidate.

WHY the refusals: a delta only means something when both runs asked the same questions the
same way. Two runs with different shots, limits, task versions or data are different
experiments; comparing them silently would report noise (or a data change) as a model change.
So any such difference is one line, and ``--force`` is the explicit way past it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from llmselect import stats, store
from llmselect.compare.refs import LoadedRun
from llmselect.errors import UserError
from llmselect.metric_keys import split_metric

# ---------------------------------------------------------------- apples to oranges

_SETTINGS = (("task", "lm-eval task"), ("metric", "metric"), ("task_version", "task version"),
             ("num_fewshot", "shots"), ("limit", "limit"), ("sampled", "sampled vs full"),
             ("data_hash", "data checksum"))


def differences(base: store.TaskResult, cand: store.TaskResult) -> list[str]:
    """What makes two task results different experiments (empty when comparable)."""
    out = []
    for attr, name in _SETTINGS:
        a, b = getattr(base, attr), getattr(cand, attr)
        if a is not None and b is not None and a != b:
            out.append(f"{name} {a!r} vs {b!r}")
    if base.n != cand.n and not out:
        out.append(f"items scored {base.n} vs {cand.n}")
    return out


def item_identity(rows: dict[tuple, dict]) -> dict[tuple, tuple]:
    """Per item: the hashes of the question and of its answer key (lm-eval's doc/target hash)."""
    return {k: (r.get("doc_hash"), r.get("target_hash")) for k, r in rows.items()}


def prompt_identity(rows: dict[tuple, dict]) -> set:
    return {r.get("prompt_hash") for r in rows.values()}


# ---------------------------------------------------------------- per-sample logs

def read_samples(path: Path, metric: str) -> dict[tuple, dict]:
    """Per-item rows of one metric, keyed by (leaf task, doc_id). lm-eval writes one line per
    (doc, filter); keep the lines of this metric's filter."""
    name, filt = split_metric(metric)
    rows: dict[tuple, dict] = {}
    for item in store.read_sample_log(path):
        if item.get("filter", "none") != filt or name not in item or "doc_id" not in item:
            continue
        rows[(item.get("task"), item["doc_id"])] = item
    return rows


def _values(rows: dict[tuple, dict], keys: list[tuple], metric: str) -> np.ndarray:
    name = split_metric(metric)[0]
    return np.array([float(rows[k][name]) for k in keys], dtype=float)


# ---------------------------------------------------------------- the comparison

@dataclass
class TaskDelta:
    """One task, candidate vs baseline. Scores in [0, 1]; ``delta`` = candidate - baseline."""

    task: str
    metric: str
    benchmark: str
    higher_is_better: bool
    baseline: float
    candidate: float
    n_baseline: int
    n_candidate: int
    delta: float
    ci_low: float
    ci_high: float
    p_value: float
    method: str
    paired_n: int | None = None
    details: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def worse_by(self) -> float:
        """How much worse the candidate is (positive = worse), whatever the metric's direction."""
        return -self.delta if self.higher_is_better else self.delta


@dataclass
class RatioRow:
    """Speed or memory: candidate / baseline. ``worse_when`` says which direction hurts."""

    name: str
    baseline: float | None
    candidate: float | None
    ratio: float | None
    worse_when: str  # "higher" (latency, memory) or "lower" (throughput)

    @property
    def slowdown(self) -> float | None:
        """Ratio > 1 means the candidate is worse by that factor. A candidate throughput of 0
        is infinitely slower (inf), never "unmeasured" (None), so a gate cannot pass it."""
        if self.ratio == 0 and self.worse_when == "lower":
            return math.inf
        if self.ratio is None or self.ratio <= 0:
            return None
        return self.ratio if self.worse_when == "higher" else 1.0 / self.ratio


@dataclass
class PairComparison:
    baseline: LoadedRun
    candidate: LoadedRun
    tasks: list[TaskDelta]
    ratios: list[RatioRow]
    only_baseline: list[str]
    only_candidate: list[str]
    refused: dict[str, list[str]]
    notes: list[str]
    confidence: float
    selected: bool = False  # the tasks were chosen with --task


def compare_runs(base: LoadedRun, cand: LoadedRun, *, tasks: list[str] | None = None,
                 force: bool = False, confidence: float = 0.95, n_boot: int = 10_000,
                 seed: int = 0) -> PairComparison:
    """Compare ``cand`` with ``base`` task by task. Raises UserError on apples to oranges
    (unless ``force``), naming the task and what differs."""
    keys = _task_keys(base, cand, tasks)
    refused: dict[str, list[str]] = {}
    deltas = []
    for key in keys:
        why = differences(base.run.tasks[key], cand.run.tasks[key])
        if why:
            refused[key] = why
            if not force:
                raise UserError(f"not comparable: task {key}: {'; '.join(why)} "
                                f"({base.run.run_id} vs {cand.run.run_id}); bench both the "
                                "same way or pass --force")
        deltas.append(compare_task(base, cand, key, force=force, confidence=confidence,
                                   n_boot=n_boot, seed=seed))
    return PairComparison(
        base, cand, deltas, ratio_rows(base.run, cand.run),
        sorted(set(base.run.tasks) - set(cand.run.tasks)),
        sorted(set(cand.run.tasks) - set(base.run.tasks)), refused,
        run_notes(base.run, cand.run), confidence, bool(tasks))


def _task_keys(base: LoadedRun, cand: LoadedRun, tasks: list[str] | None) -> list[str]:
    common = [k for k in base.run.tasks if k in cand.run.tasks]
    if tasks:
        for key in tasks:
            for lr in (base, cand):
                if key not in lr.run.tasks:
                    from llmselect.errors import unknown

                    raise unknown(f"task in run {lr.run.run_id}:", key, lr.run.tasks)
        return list(dict.fromkeys(tasks))
    if not common:
        raise UserError(f"runs {base.run.run_id} and {cand.run.run_id} share no task "
                        f"({', '.join(base.run.tasks) or 'none'} vs "
                        f"{', '.join(cand.run.tasks) or 'none'})")
    return common


def compare_task(base: LoadedRun, cand: LoadedRun, key: str, *, force: bool = False,
                 confidence: float = 0.95, n_boot: int = 10_000, seed: int = 0) -> TaskDelta:
    """Paired test on the shared items when both per-sample logs exist, else a z-test."""
    tb, tc = base.run.tasks[key], cand.run.tasks[key]
    notes: list[str] = []
    paired = _paired_items(base, cand, tb, tc, key, force, notes)
    if paired is not None:
        items, rb, rc = paired
        test = stats.paired_test(_values(rb, items, tb.metric), _values(rc, items, tc.metric),
                                 confidence, n_boot, seed)
        if abs(test.delta - (tc.value - tb.value)) > 1e-6:
            notes.append("per-item mean differs from the reported scores' difference "
                         "(an aggregated group score): the test uses the per-item means")
        n_paired = len(items)
    else:
        _check_task_hash(tb, tc, key, force, notes)
        test = stats.z_test(tb.value, _se(tb), tc.value, _se(tc), confidence)
        if tb.stderr is None or tc.stderr is None:
            notes.append("stderr missing: binomial standard error used")
        n_paired = None
    if any(t.sampling is not None and t.sampling.design == "race" for t in (tb, tc)):
        notes.append(RACE_NOTE)
    return TaskDelta(key, tb.metric, tb.benchmark, tb.higher_is_better, tb.value, tc.value,
                     tb.n, tc.n, test.delta, test.ci_low, test.ci_high, test.p_value,
                     test.method, n_paired, test.details, notes)


# WHY: a race stops when the difference it sees is large enough (optional stopping), so a
# fixed-sample interval over its items is too narrow and its p-value too small; measured on the
# real MMLU race (stop 24, 2,570 items): compare's [+0.5, +5.6] points against the race's
# one-sided bounds valid at every look, [+0.1, +5.9].
RACE_NOTE = ("a race's items: it stopped once the difference looked large enough, so this "
             "fixed-sample interval and p-value are optimistic; `llmselect race` printed the "
             "bounds that hold at every look")


def _check_task_hash(tb: store.TaskResult, tc: store.TaskResult, key: str, force: bool,
                     notes: list[str]) -> None:
    """Without per-sample logs, lm-eval's task hash (questions, prompts, answer keys) is the
    only evidence that both runs asked the same thing."""
    if tb.task_hash and tc.task_hash and tb.task_hash != tc.task_hash:
        msg = f"task {key}: lm-eval task hashes differ (questions, prompts or answer keys)"
        if not force:
            raise UserError(f"not comparable: {msg} and no per-sample logs to tell which; "
                            "bench both the same way or pass --force")
        notes.append(msg)


def _se(task: store.TaskResult) -> float:
    if task.stderr is not None and not math.isnan(task.stderr):
        return task.stderr
    return stats.binomial_se(task.value, task.n)


def _paired_items(base: LoadedRun, cand: LoadedRun, tb: store.TaskResult, tc: store.TaskResult,
                  key: str, force: bool, notes: list[str]):
    """The shared items (same question, same answer key) of both per-sample logs, or None."""
    pb, pc = base.samples_path(tb), cand.samples_path(tc)
    if pb is None or pc is None:
        notes.append("no per-sample log in " + ("both runs" if pb is pc else
                     base.run.run_id if pb is None else cand.run.run_id) + ": unpaired z-test")
        return None
    rb, rc = read_samples(pb, tb.metric), read_samples(pc, tc.metric)
    ib, ic = item_identity(rb), item_identity(rc)
    same = [k for k in ib if k in ic and ib[k] == ic[k]]
    if len(same) != len(ib) or len(same) != len(ic):
        msg = (f"task {key}: the per-sample logs hold different items or answer keys "
               f"({len(same)} shared of {len(ib)} and {len(ic)})")
        if not force:
            raise UserError(f"not comparable: {msg}; bench both on the same data or pass --force")
        notes.append(msg + (": paired test on the shared items" if same else ": z-test"))
    if not same:
        if not ib and not ic:
            notes.append(f"the per-sample logs hold no {tb.metric!r} values: unpaired z-test")
        return None
    if prompt_identity(rb) != prompt_identity(rc):
        notes.append("same items and answer keys, different prompts (chat template?)")
    return same, rb, rc


# ---------------------------------------------------------------- speed, memory, provenance

_RATIOS = (("prompt tokens/s", "speed", "prompt_tokens_per_s", "lower"),
           ("generation tokens/s", "speed", "gen_tokens_per_s", "lower"),
           ("time to first token (s)", "speed", "ttft_s", "higher"),
           ("peak RSS (MB)", "memory", "peak_rss_mb", "higher"),
           ("CUDA max allocated (MB)", "memory", "cuda_max_allocated_mb", "higher"))


def ratio_rows(base: store.RunResult, cand: store.RunResult) -> list[RatioRow]:
    rows = []
    for name, part, attr, worse in _RATIOS:
        a, b = getattr(getattr(base, part), attr), getattr(getattr(cand, part), attr)
        if a is None and b is None:
            continue
        ratio = b / a if a and b is not None else None
        rows.append(RatioRow(name, a, b, ratio, worse))
    return rows


def slowdown(rows: list[RatioRow]) -> float | None:
    """The worst speed factor (throughputs and time to first token); None when unmeasured."""
    speed = {name for name, part, *_ in _RATIOS if part == "speed"}
    factors = [r.slowdown for r in rows if r.name in speed and r.slowdown is not None]
    return max(factors) if factors else None


def same_hardware(base: store.RunResult, cand: store.RunResult) -> bool:
    hb, hc = base.hardware, cand.hardware
    gpus = lambda h: [g.get("name") for g in h.gpus]  # noqa: E731
    return (hb.cpu, hb.cores, gpus(hb)) == (hc.cpu, hc.cores, gpus(hc))


def all_notes(c: PairComparison) -> list[str]:
    """Everything a reader of one comparison should see beside the numbers."""
    out = list(c.notes)
    if c.only_baseline:
        out.append(f"not in the candidate run: {', '.join(c.only_baseline)}")
    if c.only_candidate:
        out.append(f"not in the baseline run: {', '.join(c.only_candidate)}")
    out += [f"{t.task}: {n}" for t in c.tasks for n in t.notes]
    out += [f"--force: {k}: {'; '.join(why)}" for k, why in c.refused.items()]
    return out


def run_notes(base: store.RunResult, cand: store.RunResult) -> list[str]:
    """Differences that do not invalidate the comparison but a reader should know."""
    notes = []
    if base.lm_eval_version != cand.lm_eval_version:
        notes.append(f"lm-eval {base.lm_eval_version} vs {cand.lm_eval_version}")
    if not same_hardware(base, cand):
        notes.append("different hardware: speed and memory ratios compare machines too")
    if base.model.backend != cand.model.backend:
        notes.append(f"backend {base.model.backend} vs {cand.model.backend}")
    for run in (base, cand):
        if run.status != "complete":
            notes.append(f"run {run.run_id} is {run.status}")
    return notes

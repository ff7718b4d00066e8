"""``bench --sample`` and ``bench --precision``: one suite task on a random subset, through
lm-eval's own ``samples=`` argument (document indices per leaf task), so prompts, filters and
metrics stay lm-eval's; the score is then re-estimated for the full benchmark.

- ``--sample N|FRACTION [--seed S]``: a stratified random sample (proportional allocation over
  subtasks), scored with the stratified estimator and its finite-population-corrected stderr;
- ``--precision H``: rounds of a seeded random order of all items (100, 150, 225, ... items),
  each round's interval from ``looks`` (Pocock's constant over the fixed schedule of looks), until
  the 95 % half-width is ≤ H or the benchmark is exhausted. Each round asks lm-eval for its new
  items only (``growing.GrowingTask``) with the run's request cache; killed, the same command
  replays the cached rounds and goes on.
"""

from __future__ import annotations

import numpy as np

from llmselect import store
from llmselect.errors import UserError
from llmselect.sampling import estimate, looks, strata
from llmselect.sampling.growing import GrowingTask
from llmselect.sampling.items import values_by_leaf

CONFIDENCE = 0.95
_SCORE_FORM = ("modified Wilson at the effective sample size, t(n − strata df) quantile "
               "(Kott & Carr 1997; Korn & Graubard 1998)")


def task_sizes(tm, task_name: str) -> tuple[dict[str, int], bool]:
    """Documents per leaf task of ``task_name``, and whether its group score is size-weighted
    (loading the documents costs seconds for MMLU: once per task manager)."""
    from llmselect.bench.lmeval import unused_leaves

    cache = tm.__dict__.setdefault("_llmselect_task_sizes", {})
    if task_name not in cache:
        loaded = tm.load(task_name)
        leaves = unused_leaves(tm)
        for name, built in loaded["tasks"].items():
            leaves.setdefault(name, built)  # evaluated later without being built again
        sizes = {name: len(t.eval_docs) for name, t in loaded["tasks"].items()}
        by_size = all(all(getattr(m, "weight_by_size", False)
                          for m in (g.aggregate_metric_list or []))
                      for g in loaded["groups"].values())
        cache[task_name] = (sizes, by_size)
    return cache[task_name]


def check_sample_sizes(plan, tm, tasks) -> None:
    """``--sample`` larger than a task: one line, before the model loads."""
    if plan.request.sample is None:
        return
    for task in tasks:
        sizes, _ = task_sizes(tm, task.task)
        strata.sample_size(plan.request.sample, sum(sizes.values()), f"task {task.key}")


def run_sampled_task(plan, run: store.RunResult, lm, tm, task) -> tuple[store.TaskResult, float]:
    from llmselect.bench.lmeval import run_task

    req = plan.request
    sizes, by_size = task_sizes(tm, task.task)
    if req.precision is not None:
        return _precision(plan, run, lm, tm, task, sizes, by_size)
    n = strata.sample_size(req.sample, sum(sizes.values()), f"task {task.key}")
    if n < len(sizes) or not by_size and len(sizes) > 1:
        if not by_size:
            raise UserError(f"task {task.key}: lm-eval averages its subtasks unweighted; --sample "
                            f"needs at least one item per subtask ({len(sizes)})")
        chosen = strata.as_samples(strata.random_order(sizes, req.seed)[:n])
        design = "simple-random"
    else:
        chosen = strata.stratified_sample(sizes, n, req.seed)
        design = "stratified-random" if len(sizes) > 1 else "simple-random"
    result, wall = run_task(plan, run, lm, tm, task, samples=chosen)
    values = _values(plan, result, result.metric)
    if chosen and design == "stratified-random":
        est = estimate.stratified({h: list(values.get(h, {}).values()) for h in sizes}, sizes,
                                  by_size)
        how = ("stratified estimator Σ W_h ȳ_h (W_h = N_h/N), stderr with finite-population "
               "correction (Cochran §5.3)")
    else:
        est = estimate.simple([x for v in values.values() for x in v.values()], sum(sizes.values()))
        how = "mean of a simple random sample, stderr with finite-population correction"
    info = store.Sampling(design=design, seed=req.seed, population=sum(sizes.values()),
                          requested=req.sample, strata=len(sizes), estimator=how,
                          interval=list(estimate.interval(est, len(chosen), CONFIDENCE)),
                          confidence=CONFIDENCE,
                          interval_method=_SCORE_FORM if est.unit else "value ± t(n − strata df)·stderr",
                          lm_eval_value=result.value)
    return _as_estimate(result, est.value, est.stderr, est.n, info), wall


def _precision(plan, run, lm, tm, task, sizes, by_size):
    req = plan.request
    if not by_size and len(sizes) > 1:
        raise UserError(f"task {task.key}: lm-eval averages its subtasks unweighted; --precision "
                        "supports single tasks and size-weighted groups (MMLU)")
    if req.precision <= 0:
        raise UserError(f"--precision {req.precision:g}: must be > 0 (a 95 % half-width, e.g. 0.02)")
    population = sum(sizes.values())
    order = strata.random_order(sizes, req.seed)
    rounds = strata.growing_rounds(population)
    c = looks.pocock_constant(tuple(rounds), population, 1 - CONFIDENCE)
    growing = GrowingTask(plan, run, lm, tm, task, order)
    wall, done = 0.0, []
    for n in rounds:
        result, elapsed = growing.extend(n)
        wall += elapsed
        done.append(n)
        x = growing.values(result.metric)  # the metric lm-eval scored (an endpoint may adapt it)
        low, high = looks.interval_at(x, population, c)
        if (high - low) / 2 <= req.precision or n == population:
            break
    est = estimate.simple(list(x), population)
    info = store.Sampling(
        design="sequential-random", seed=req.seed, population=population,
        requested=req.precision, strata=len(sizes), interval=[low, high], confidence=CONFIDENCE,
        estimator="mean of a random prefix of all items (= the size-weighted group score); "
                  "stderr with finite-population correction",
        interval_method=f"Pocock constant c={c:.3f} over {len(rounds)} looks (alpha spent over "
                        "the fixed round schedule), Wilson form, finite-population corrected",
        rounds=done, lm_eval_value=result.value)
    return _as_estimate(result, est.value, est.stderr, est.n, info), wall


def _values(plan, result: store.TaskResult, metric: str) -> dict[str, dict[int, float]]:
    rows: dict[str, list[dict]] = {}
    for item in store.read_sample_log(plan.out_dir / result.samples_file):
        rows.setdefault(item["task"], []).append(item)
    return values_by_leaf(rows, metric)


def _as_estimate(result: store.TaskResult, value: float, stderr: float, n: int,
                 info: store.Sampling) -> store.TaskResult:
    return result.model_copy(update={"value": value, "stderr": stderr, "n": n,
                                     "sampled": n < (info.population or n), "sampling": info})



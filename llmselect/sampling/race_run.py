"""``llmselect race``: run the candidates round by round on the same random items and stop as
soon as the choice is made (``race.RaceRule``); every candidate ends with an ordinary run file.

WHY run files: ``recommend``, ``compare`` and ``gate`` then read the race's measurements like any
bench run (same items, same order, per-item logs that pair). Each candidate's run is found again
by its resume key (model, suite task, seed, race settings), and each round asks lm-eval for its
new items only (``growing.GrowingTask``) with that run's request cache: killed, the same command
replays what was computed and goes on.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from llmselect import store
from llmselect.errors import UserError
from llmselect.sampling import strata
from llmselect.sampling.growing import GrowingTask
from llmselect.sampling.race import Look, RaceRule, schedule


@dataclass
class RaceRequest:
    models: list[str]
    suite: str
    task: str | None = None
    confidence: float = 0.95
    margin: float | None = None      # points
    budget: int | None = None
    seed: int = 0
    profile: str | None = None
    output: Path | None = None
    data_dir: Path | None = None
    backend: str | None = None
    dry_run: bool = False
    backend_options: dict = field(default_factory=dict)


@dataclass
class RaceResult:
    look: Look
    population: int
    task: str
    items: dict[str, int]
    wall_s: dict[str, float]
    run_files: dict[str, Path]
    history: list[Look] = field(default_factory=list)
    p_first: float | None = None
    round_wall_s: list[dict[str, float]] = field(default_factory=list)  # per look, per candidate
    pair_confidence: float = 0.95    # each pairwise bound's one-sided confidence (race.RaceRule)


def check_request(req: RaceRequest) -> None:
    if len(req.models) < 2:
        raise UserError(f"a race needs at least two models, got {len(req.models)}; to score one "
                        "model use `llmselect bench MODEL --precision 0.02`")
    if not 0.5 <= req.confidence < 1:
        raise UserError(f"--confidence {req.confidence:g}: give a value in [0.5, 1), e.g. 0.95")
    if req.margin is not None and req.margin <= 0:
        raise UserError(f"--margin {req.margin:g}: must be > 0 points")
    if req.budget is not None and req.budget < 1:
        raise UserError(f"--budget {req.budget}: must be at least 1 item")


def plans(req: RaceRequest):
    from llmselect.bench.plan import BenchRequest, plan_bench

    out = []
    for model in req.models:
        breq = BenchRequest(model=model, suite=req.suite, backend=req.backend, output=req.output,
                            data_dir=req.data_dir, tasks=[req.task] if req.task else None,
                            dry_run=req.dry_run, probe=False, progress=False,
                            backend_options=dict(req.backend_options),
                            command=["llmselect", *sys.argv[1:]])
        out.append(plan_bench(breq))
    if len(out[0].tasks) != 1:
        keys = ", ".join(t.key for t in out[0].tasks)
        raise UserError(f"suite {req.suite!r} has several tasks ({keys}); a race compares one "
                        "score: choose one with --task")
    seen: dict[tuple, str] = {}
    for model, plan in zip(req.models, out):
        ident = (plan.spec.backend, plan.spec.weights, plan.weights_sha256,
                 tuple(sorted(plan.model_args.items(), key=str)))
        if ident in seen and not req.dry_run:
            raise UserError(f"{model!r} and {seen[ident]!r} are the same weights with the same "
                            "settings; a race needs different candidates")
        seen[ident] = model
    return out


def run_race(req: RaceRequest, on_look: Callable[[Look], None] | None = None) -> RaceResult:
    from llmselect.bench.lmeval import load_lm, task_manager
    from llmselect.bench.plan import resume_key
    from llmselect.bench.run import new_run
    from llmselect.progress import quiet_engines
    from llmselect.sampling.bench_task import task_sizes

    check_request(req)
    quiet_engines(False)
    cands = plans(req)
    names = list(dict.fromkeys(req.models))
    task = cands[0].tasks[0]
    tm = task_manager(cands[0])
    sizes, by_size = task_sizes(tm, task.task)
    if not by_size and len(sizes) > 1:
        raise UserError(f"task {task.key}: lm-eval averages its subtasks unweighted; a race "
                        "supports single tasks and size-weighted groups (MMLU)")
    population = sum(sizes.values())
    if req.budget is not None and req.budget > population:
        raise UserError(f"--budget {req.budget} is larger than {task.key} ({population} items)")
    order = strata.random_order(sizes, req.seed)
    rule = RaceRule(population, schedule(population, req.budget), req.confidence,
                    None if req.margin is None else req.margin / 100, req.budget, len(names))
    runs, growing = {}, {}
    for name, plan in zip(names, cands):
        key = resume_key(plan) + f"-race-{req.seed}-{population}-{len(names)}"
        runs[name] = store.find_unfinished(plan.out_dir, key) or new_run(plan, key)
        store.save_run(runs[name], plan.out_dir)  # findable by its key if killed from now on
        growing[name] = GrowingTask(plan, runs[name], load_lm(plan), tm, task, order)
    values: dict[str, np.ndarray] = {}
    results: dict[str, store.TaskResult] = {}
    wall = {n: 0.0 for n in names}
    items = {n: 0 for n in names}
    alive, history, p_first, round_wall = list(names), [], None, []
    for n in rule.schedule:
        round_wall.append({})
        for name in alive:
            started = time.monotonic()
            results[name], _ = growing[name].extend(n)
            round_wall[-1][name] = time.monotonic() - started
            wall[name] += round_wall[-1][name]
            items[name] = n
            values[name] = growing[name].values(results[name].metric)
        _check_same_experiment({a: results[a] for a in alive})
        look = rule.look(values, alive, n)
        if req.profile:
            for name in names:
                _save(cands[names.index(name)], runs[name], task, results[name], values[name],
                      population, req, rule, wall[name], status="partial")
            p_first, top = profile_p_first(req, cands, runs)
            if look.decision is None and p_first >= req.confidence:
                look.decision, look.winner = "profile", top
        history.append(look)
        if on_look:
            on_look(look)
        alive = look.alive
        if look.decision:
            break
    files = {}
    for name in names:
        files[name] = _save(cands[names.index(name)], runs[name], task, results[name],
                            values[name], population, req, rule, wall[name])
    return RaceResult(look, population, task.key, items, wall, files, history, p_first,
                      round_wall, 1 - rule.pair_alpha)


def _check_same_experiment(results: dict[str, store.TaskResult]) -> None:
    first_name, first = next(iter(results.items()))
    for name, r in results.items():
        for attr, what in (("task_version", "task version"), ("num_fewshot", "shots"),
                           ("task", "lm-eval task")):
            if getattr(r, attr) != getattr(first, attr):
                raise UserError(f"{name!r} and {first_name!r} ran different experiments ({what} "
                                f"{getattr(r, attr)!r} vs {getattr(first, attr)!r}); a race "
                                "compares the same questions asked the same way")


def _save(plan, run, task, result, x: np.ndarray, population: int, req: RaceRequest,
          rule: RaceRule, wall: float, status: str = "complete") -> Path:
    """The candidate's ordinary run file: the mean of its random prefix estimates the full score."""
    from llmselect.sampling import looks
    from llmselect.sampling.estimate import simple

    est = simple(list(x), population)
    low, high = looks.from_moments(float(x.sum()), float((x * x).sum()), x.size, population,
                                   rule.score_constant())
    info = store.Sampling(
        design="race", seed=req.seed, population=population, requested=req.budget,
        estimator="mean of a random prefix of all items (= the size-weighted group score); "
                  "stderr with finite-population correction",
        interval=[low, high], confidence=req.confidence,
        interval_method="Pocock constant over the race's fixed round schedule, Wilson form",
        rounds=[r for r in rule.schedule if r <= x.size], lm_eval_value=result.value)
    run.tasks[task.key] = result.model_copy(update={
        "value": est.value, "stderr": est.stderr, "n": est.n, "sampled": est.n < population,
        "sampling": info})
    run.task_wall_time_s[task.key] = wall
    run.status = status
    run.wall_time_s = wall
    return store.save_run(run, plan.out_dir)


def profile_p_first(req: RaceRequest, cands, runs) -> tuple[float, str | None]:
    """p(#1) of the profile's best-ranked candidate, from the recommendation built on the race's
    current run files (``llmselect.recommendation.build_recommendation``): with each candidate's
    total and its stderr (which carries the measured quality's stderr), P(#1's total > #2's) =
    Φ((t₁ − t₂)/√(se₁² + se₂²)). The race may stop once that is ≥ the confidence: the remaining
    quality uncertainty no longer changes the pick. Kept to this one call and three fields
    (``ranked[].model``, ``.total``, ``.stderr``) because the scoring is being reworked."""
    from scipy.stats import norm

    from llmselect.recommendation import build_recommendation

    ids = {runs[m].model.catalog_id: m for m in runs}
    if None in ids:
        raise UserError("--profile needs catalog models (a catalog alias for every candidate, "
                        "see `llmselect models`), so their other facts can be ranked")
    rec = build_recommendation(req.profile, results=cands[0].out_dir).rec
    ours = [r for r in rec.ranked if r.model in ids]
    if not ours:
        raise UserError(f"profile {req.profile!r} excludes every candidate ({', '.join(ids)}), so "
                        "the race cannot settle its #1; see `llmselect recommend --profile "
                        f"{req.profile} --explain {next(iter(ids))}`")
    if len(ours) == 1:
        return 1.0, ids[ours[0].model]
    a, b = ours[0], ours[1]
    se = (a.stderr ** 2 + b.stderr ** 2) ** 0.5
    p = 1.0 if se == 0 else float(norm.cdf((a.total - b.total) / se))
    return p, ids[a.model]

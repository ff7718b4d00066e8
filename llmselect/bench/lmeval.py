"""The lm-eval adapter: the only code that knows lm-eval's API and its output dict.

It loads the backend's LM once, evaluates one suite task per ``simple_evaluate`` call (with the
task's own shots, limit, generation settings and a request cache for resume), and turns
lm-eval's output into a ``TaskResult`` and a per-sample log. Everything else in llmselect reads
those, never lm-eval's dict.
"""

from __future__ import annotations

import hashlib
import os
import time
from typing import Any

from llmselect import store
from llmselect.bench.hooks import lm_hooks
from llmselect.bench.plan import OFFLINE_BENCHMARKS, Plan
from llmselect.config.suite_schema import SuiteTask
from llmselect.errors import EnvironmentProblem, UserError, unknown
from llmselect.humaneval.consent import ENV_VAR as CODE_EXECUTION_ENV
from llmselect.metric_keys import stderr_key

REDACTED_BENCHMARKS = {"gpqa"}  # the authors ask that questions stay out of crawlable text
REDACTED_FIELDS = ("doc", "arguments", "resps", "target")


def load_lm(plan: Plan):
    """Instantiate the backend's lm-eval LM once for the whole run."""
    plan.backend.ensure_available()
    import lm_eval.api.registry

    args = dict(plan.model_args)
    extra = {k: args.pop(k) for k in ("batch_size", "device") if k in args}
    try:
        cls = lm_eval.api.registry.get_model(plan.backend.lm_eval_model)
        return cls.create_from_arg_obj(args, extra)
    except (UserError, EnvironmentProblem):
        raise
    except Exception as exc:  # engine errors: corrupt weights, unsupported architecture...
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
        raise UserError(f"cannot load model {plan.spec.text!r} with backend "
                        f"{plan.spec.backend!r}: {first}") from None


def task_manager(plan: Plan):
    from llmselect.bench.task_index import task_manager as cached_task_manager

    # an own suite needs none of lm-eval's ~14k built-in task YAMLs; the others read their
    # index from llmselect's cache (bench/task_index.py)
    tm = cached_task_manager(plan.include_path, include_defaults=plan.suite.own is None)
    for task in plan.tasks:
        if task.task not in tm.all_tasks:
            raise unknown("lm-eval task", task.task, tm.all_tasks,
                          hint=f"fix suite {plan.suite.name!r}")
    return tm


def run_task(plan: Plan, run: store.RunResult, lm, tm, task: SuiteTask,
             samples: dict[str, list[int]] | None = None) -> tuple[store.TaskResult, float]:
    """One lm-eval evaluation of one suite task; returns its result and wall time.
    ``samples``: lm-eval's own document selection per leaf task (sorted indices), used by the
    random designs of ``llmselect.sampling`` instead of ``limit``."""
    import lm_eval

    task = _adapt_to_lm(lm, run, task)
    if task.requires_code_execution:
        os.environ[CODE_EXECUTION_ENV] = "1"
    if not plan.request.verbose:  # lm-eval shells out to `git describe`, noisy outside a checkout
        import lm_eval.evaluator

        lm_eval.evaluator.get_git_commit_hash = lambda: None
    cache = plan.out_dir / run.run_id / "partial" / f"requests_{_safe(task.key)}"
    cache.parent.mkdir(parents=True, exist_ok=True)
    limit = int(task.limit) if task.limit and task.limit >= 1 else task.limit
    limit = None if samples is not None else limit  # samples: only the leaf tasks it names
    started = time.monotonic()
    try:
        out = lm_eval.simple_evaluate(
            model=lm, tasks=[task.task] if samples is None else built_leaves(tm, sorted(samples), task),
            num_fewshot=task.num_fewshot, limit=limit, samples=samples,
            use_cache=str(cache), task_manager=tm, log_samples=True,
            apply_chat_template=task.apply_chat_template,
            fewshot_as_multiturn=task.fewshot_as_multiturn, gen_kwargs=task.gen_kwargs,
            confirm_run_unsafe_code=task.requires_code_execution)
    except (UserError, EnvironmentProblem, KeyboardInterrupt):
        raise
    except Exception as exc:
        raise _task_error(task, plan, exc) from None
    finally:
        _close_cache(lm)
    elapsed = time.monotonic() - started
    if task.requires_code_execution:  # the isolation the samples ran under, on the run
        from llmselect.humaneval.verdicts import isolation_note

        if (note := isolation_note()) and note not in run.notes:
            run.notes.append(note)
    return task_result(plan, run, task, out), elapsed


def built_leaves(tm, names: list[str], task: SuiteTask) -> list:
    """lm-eval's Task objects for leaf tasks ``names``, built once per task manager and per task
    settings. WHY: a sampled round (``--precision``, ``race``) asks a few items of each of up to
    57 MMLU subjects, and rebuilding those tasks (reading each subject's dataset and few-shot
    split) cost seconds each round. ``simple_evaluate`` sets shots, generation settings and the
    few-shot seed on them every call; the key keeps tasks asked with other settings apart."""
    import json

    cache = tm.__dict__.setdefault("_llmselect_built_leaves", {})
    key = (task.num_fewshot, json.dumps(task.gen_kwargs, sort_keys=True, default=str))
    built = cache.setdefault(key, {})
    if missing := [n for n in names if n not in built]:
        fresh = unused_leaves(tm)  # built to count documents, not yet given any settings
        built.update({n: fresh.pop(n) for n in missing if n in fresh})
        if rest := [n for n in missing if n not in built]:
            built.update(tm.load(rest)["tasks"])
    return [built[n] for n in names]


def unused_leaves(tm) -> dict:
    """Leaf tasks already built by this task manager (to count a group's documents, see
    ``sampling.bench_task.task_sizes``) that no evaluation has configured yet. WHY: building
    MMLU's 57 subjects costs ~10 s; ``built_leaves`` takes each one from here once instead of
    building it a second time. Taken, not shared: ``simple_evaluate`` writes its settings onto the
    task objects, so each object serves one settings key only."""
    return tm.__dict__.setdefault("_llmselect_unused_leaves", {})


def _adapt_to_lm(lm, run: store.RunResult, task: SuiteTask) -> SuiteTask:
    """A backend may run a stand-in for a task it cannot score as written (an endpoint without
    prompt logprobs runs MMLU/GPQA generatively); the choice is recorded in the run's notes."""
    adapt = lm_hooks(lm).adapt_task
    if adapt is None:
        return task
    task, note = adapt(task)
    if note and note not in run.notes:
        run.notes.append(note)
    return task


def _close_cache(lm) -> None:
    hook = getattr(lm, "cache_hook", None)
    db = getattr(getattr(hook, "inner", hook), "dbdict", None)
    if db is not None:
        db.close()
    from lm_eval.api.model import CacheHook

    lm.set_cache_hook(CacheHook(None))  # later calls (speed probe) must not write to it


def _task_error(task: SuiteTask, plan: Plan, exc: Exception) -> Exception:
    text = f"{type(exc).__name__}: {exc}"
    data_like = ("DatasetNotFound", "ConnectionError", "OfflineMode", "gated", "LocalEntryNotFound",
                 "couldn't reach", "Couldn't find", "HfHubHTTPError")
    if any(s.lower() in text.lower() for s in data_like):
        from llmselect.data import missing_data_error

        if task.benchmark in OFFLINE_BENCHMARKS:
            return missing_data_error(task.benchmark, plan.request.data_dir)
        return EnvironmentProblem(f"task {task.task}: its dataset is not available offline "
                                  f"({text.splitlines()[0][:200]}); run it online (model hub access)")
    if isinstance(exc, RuntimeError) and "code execution" in text.lower():
        return UserError(f"task {task.task}: {text.splitlines()[0][:300]}")
    raise exc


def task_result(plan: Plan, run: store.RunResult, task: SuiteTask, out: dict) -> store.TaskResult:
    from llmselect.catalog.benchmarks import find_benchmark

    res = out["results"].get(task.task) or _pooled(out, task.metric)
    if task.metric not in res:
        have = ", ".join(k for k in res if "_stderr" not in k and k not in {"alias", "name", "sample_len"})
        raise UserError(f"suite {plan.suite.name!r}: task {task.task} has no metric "
                        f"{task.metric!r}; it reports: {have}")
    leaves = _leaves(out, task.task)
    n = sum(out["n-samples"][t]["effective"] for t in leaves)
    full = sum(out["n-samples"][t]["original"] for t in leaves)
    bench = find_benchmark(task.benchmark)
    samples_rel = write_samples(plan, run, task, out, leaves)
    stderr = _num(res.get(stderr_key(task.metric)))
    if stderr is None:  # lm-eval gives none for a group with a 1-item subtask: from the items
        from llmselect.sampling.items import stderr_of_first_n

        stderr = stderr_of_first_n({t: out.get("samples", {}).get(t, []) for t in leaves},
                                   task.metric)
    return store.TaskResult(
        task=task.task, benchmark=task.benchmark, metric=task.metric,
        value=float(res[task.metric]), stderr=stderr, n=n,
        limit=task.limit, sampled=n < full, num_fewshot=_fewshot(out, leaves, task),
        chance=bench.chance if bench else 0.0,
        higher_is_better=bench.higher_is_better if bench else True,
        task_version=str(out.get("versions", {}).get(task.task) or _leaf_versions(out, leaves)),
        task_hash=samples_hash({t: out.get("samples", {}).get(t, []) for t in leaves}),
        data_hash=plan.data_hashes.get(task.benchmark), samples_file=samples_rel,
        extra_metrics={m: _num(res.get(m)) for m in task.extra_metrics},
        sampling=_first_n(task, n, full),
    )


def _first_n(task: SuiteTask, n: int, full: int) -> store.Sampling | None:
    """``--limit`` runs are labelled: lm-eval's first documents, a smoke test, not an estimate."""
    if not task.limit or n >= full:
        return None
    return store.Sampling(design="first-n", population=full, requested=task.limit,
                          estimator="lm-eval's pooled mean of the first documents of each "
                          "subtask; stderr as if they were random (they are not)")


def _leaves(out: dict, name: str) -> list[str]:
    """Leaf tasks under a task/group name, in lm-eval's order (a sampled group ran its sampled
    leaves only: then every leaf lm-eval reports)."""
    if name in out["n-samples"]:
        return [name]
    if name not in out.get("group_subtasks", {}):
        return list(out["n-samples"])
    children = out["group_subtasks"][name]
    return [leaf for child in children for leaf in _leaves(out, child)]


def _pooled(out: dict, metric: str) -> dict:
    """A group whose sampled leaves ran alone (lm-eval runs every document of a leaf given no
    indices, so unsampled leaves are left out): lm-eval's size-weighted mean over the items run;
    ``llmselect.sampling`` re-estimates the full-benchmark score from the per-item log."""
    rows = [(out["n-samples"][t]["effective"], out["results"][t].get(metric)) for t in out["n-samples"]]
    rows = [(n, v) for n, v in rows if isinstance(v, (int, float))]
    if not rows:
        return {}
    return {metric: sum(n * v for n, v in rows) / sum(n for n, _ in rows)}


def _leaf_versions(out: dict, leaves: list[str]) -> str | None:
    versions = sorted({str(out.get("versions", {}).get(t)) for t in leaves})
    return versions[0] if len(versions) == 1 else None


def _fewshot(out: dict, leaves: list[str], task: SuiteTask) -> int | None:
    values = {out.get("n-shot", {}).get(t) for t in leaves} - {None}
    return values.pop() if len(values) == 1 else task.num_fewshot


def _num(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None  # lm-eval writes "N/A" when it has no stderr


def task_hash(samples: list[dict]) -> str:
    """lm-eval's task hash (as its EvaluationTracker writes it): sha256 over each sample's
    doc, prompt and target hashes — equal hashes mean the same questions asked the same way."""
    joined = "".join(s["doc_hash"] + s["prompt_hash"] + s["target_hash"] for s in samples)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def samples_hash(samples_by_leaf: dict[str, list[dict]]) -> str:
    """The task hash of a multi-leaf log: one lm-eval task hash per leaf, combined in order."""
    return _hash_of([task_hash(rows) for rows in samples_by_leaf.values()])


def _hash_of(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def write_samples(plan: Plan, run: store.RunResult, task: SuiteTask, out: dict,
                  leaves: list[str]) -> str:
    """lm-eval's per-sample log, one JSON line per (leaf task, doc); questions of redacted
    benchmarks (GPQA) are dropped, keeping doc_id, hashes, filtered answers and metrics."""
    redact = task.redact_samples or task.benchmark in REDACTED_BENCHMARKS
    rel = f"{run.run_id}/samples_{_safe(task.key)}.jsonl"
    items = []
    for leaf in leaves:
        for sample in out.get("samples", {}).get(leaf, []):
            item = {"task": leaf, **sample}
            if redact:
                for key in REDACTED_FIELDS:
                    item.pop(key, None)
            items.append(item)
    store.write_sample_log(plan.out_dir / rel, items)
    return rel



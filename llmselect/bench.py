"""One bench run: resolve the model, run each suite task through lm-eval, measure, write the result.

Shape of a run (WHY each step):
- everything that can be wrong with the input (model, suite, tasks, backend, data, output folder)
  is checked before the model loads, so a typo costs a second, not a model load;
- each suite task is one ``lm_eval.simple_evaluate`` call with that task's own settings (shots,
  limit, generation) on the one loaded LM; lm-eval's request cache (``use_cache``, a sqlite file
  per task under ``<run_id>/partial/``) stores every computed request as it is computed, and the
  run file is rewritten after each task. Killed (Ctrl-C or kill -9), the same command finds the
  unfinished run by its ``resume_key``, keeps its finished tasks, and lm-eval replays cached
  requests: nothing finished is recomputed and the scores equal an uninterrupted run's;
- the result records what a decision needs: scores with stderr and n, data checksums, lm-eval
  version and task hashes, hardware, speed probe, peak memory, command line.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from llmselect import store
from llmselect.backends import Backend, get_backend
from llmselect.config.suite_schema import Suite, SuiteTask, load_suite
from llmselect.errors import EnvironmentProblem, UserError, unknown
from llmselect.specs import ModelSpec, file_sha256, resolve_spec

OFFLINE_BENCHMARKS = {"mmlu", "gsm8k", "gpqa", "humaneval"}
REDACTED_BENCHMARKS = {"gpqa"}  # the authors ask that questions stay out of crawlable text
REDACTED_FIELDS = ("doc", "arguments", "resps", "target")


@dataclass
class BenchRequest:
    model: str
    suite: str
    backend: str | None = None
    output: Path | None = None
    data_dir: Path | None = None
    cache_dir: Path | None = None
    tasks: list[str] | None = None  # subset of the suite, by task key
    limit: float | None = None  # overrides every task's limit
    allow_code_execution: bool = False
    backend_options: dict[str, Any] = field(default_factory=dict)
    dry_run: bool = False  # fake backend: checks data, tasks and output without a model
    probe: bool = True
    verbose: bool = False
    progress: bool = True
    command: list[str] = field(default_factory=lambda: list(sys.argv))


@dataclass
class Plan:
    """Everything resolved and checked before the model loads."""

    request: BenchRequest
    spec: ModelSpec
    backend: Backend
    model_args: dict[str, Any]
    suite: Suite
    tasks: list[SuiteTask]
    skipped: dict[str, str]
    out_dir: Path
    include_path: list[str]
    data_info: dict[str, Any]
    data_hashes: dict[str, str]
    weights_sha256: str | None
    gguf_metadata: dict[str, Any] | None = None


def plan_bench(req: BenchRequest) -> Plan:
    suite = load_suite(req.suite)
    tasks, skipped = _select_tasks(suite, req)
    if req.backend:
        get_backend(req.backend)  # a typo is reported even in a dry run
    spec = resolve_spec(req.model, "fake" if req.dry_run else req.backend)
    backend = get_backend(spec.backend)
    model_args = backend.model_args(spec, req.backend_options)
    out_dir = _writable(store.results_dir(req.output))
    include, data_info, hashes = _data(tasks, req)
    include += suite.include  # task folders the suite brings (own suites: llmselect/ownsuite)
    if suite.own:  # an own suite's items: checked by compare and part of the resume key
        hashes |= {t.benchmark: suite.own.data_sha256 for t in tasks}
    sha = file_sha256(spec.gguf_path) if spec.gguf_path else None
    return Plan(req, spec, backend, model_args, suite, tasks, skipped, out_dir, include, data_info,
                hashes, sha, _gguf_metadata(spec))


def _select_tasks(suite: Suite, req: BenchRequest) -> tuple[list[SuiteTask], dict[str, str]]:
    tasks = list(suite.tasks)
    if req.tasks:
        keys = {t.key: t for t in suite.tasks}
        for key in req.tasks:
            if key not in keys:
                raise unknown(f"task of suite {suite.name!r}:", key, keys)
        tasks = [keys[k] for k in dict.fromkeys(req.tasks)]
    if req.limit is not None:
        tasks = [t.model_copy(update={"limit": req.limit}) for t in tasks]
    skipped = {}
    if not req.allow_code_execution:
        for t in tasks:
            if t.requires_code_execution:
                skipped[t.key] = ("scores by running model-written code; add "
                                  "--allow-code-execution to run it in llmselect's sandbox")
    return [t for t in tasks if t.key not in skipped], skipped


def _writable(folder: Path) -> Path:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-test-{os.getpid()}"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise EnvironmentProblem(f"cannot write results to {folder}: {exc.strerror}; choose "
                                 "another folder with --output") from None
    return folder


def _data(tasks: list[SuiteTask], req: BenchRequest) -> tuple[list[str], dict, dict[str, str]]:
    """lm-eval include paths (llmselect's tasks, then offline overrides) and data provenance."""
    from llmselect import data
    from llmselect.resources import PACKAGE_DIR

    include = [str(PACKAGE_DIR / "tasks")]
    needed = {t.benchmark for t in tasks} & OFFLINE_BENCHMARKS
    data_dir = data.data_dir_from_env(req.data_dir)
    if data_dir is None:
        if "gpqa" in needed and not req.dry_run:
            _require_hf_token()
        return include, {"source": "hub"}, {}
    offline = data.load_offline(data_dir, req.cache_dir)
    for bench in sorted(needed - set(offline.benchmarks)):
        raise data.missing_data_error(bench, data_dir)
    info = {"source": "offline", "dir": str(data_dir), "converted": str(offline.root),
            "benchmarks": offline.benchmarks}
    return [*include, str(offline.tasks_dir)], info, {b: offline.data_hash(b) for b in needed}


def _require_hf_token() -> None:
    try:
        from huggingface_hub import get_token
    except ImportError:
        return
    if not get_token():
        from llmselect.data import missing_data_error

        raise missing_data_error("gpqa", None)


def resume_key(plan: Plan) -> str:
    """Same model bytes, backend args, task settings, data and lm-eval -> same key."""
    from importlib.metadata import version

    parts = {
        "weights": plan.spec.weights, "sha256": plan.weights_sha256, "backend": plan.spec.backend,
        "model_args": plan.model_args, "suite": plan.suite.name, "data": plan.data_hashes,
        "tasks": [t.model_dump() for t in plan.tasks], "lm_eval": version("lm-eval"),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:24]


def find_unfinished(out_dir: Path, key: str) -> store.RunResult | None:
    for path in reversed(store.iter_run_files(out_dir)):
        try:
            run = store.load_run(path)
        except UserError:
            continue
        if run.status == "partial" and run.resume_key == key:
            return run
    return None


def new_run(plan: Plan, key: str) -> store.RunResult:
    from importlib.metadata import version

    spec = plan.spec
    return store.RunResult(
        run_id=store.new_run_id(spec.slug, plan.suite.name), created_at=datetime.now(timezone.utc),
        status="partial", suite=plan.suite.name, resume_key=key, lm_eval_version=version("lm-eval"),
        model=store.ModelInfo(spec=spec.text, catalog_id=spec.catalog_id, backend=spec.backend,
                              weights=spec.weights, weights_sha256=plan.weights_sha256,
                              quantization=_quantization(plan), backend_args=plan.model_args,
                              gguf_metadata=plan.gguf_metadata),
        data=plan.data_info | {"checksums": plan.data_hashes}, hardware=_hardware(),
        command=plan.request.command,
        notes=[f"{k} skipped: {why}" for k, why in plan.skipped.items()],
    )


def _hardware() -> store.Hardware:
    """``llmselect.hardware.detect_hardware`` when present; else what psutil/platform know."""
    try:
        from llmselect.hardware import detect_hardware
    except ImportError:
        import platform

        import psutil

        return store.Hardware(cpu=platform.processor() or platform.machine(),
                              cores=psutil.cpu_count(logical=False) or os.cpu_count(),
                              ram_gb=round(psutil.virtual_memory().total / 2**30, 1),
                              platform=platform.platform())
    return detect_hardware()


def _quantization(plan: Plan) -> str | None:
    args = plan.model_args
    if args.get("load_in_4bit"):
        return "nf4 (bitsandbytes 4-bit)"
    if args.get("load_in_8bit"):
        return "int8 (bitsandbytes)"
    meta = plan.gguf_metadata or {}
    if plan.spec.gguf_path and plan.spec.backend == "hf":
        return f"fp32 (de-quantised from {meta.get('quant_type') or 'GGUF'})"
    return meta.get("quant_type") or args.get("dtype")


def _gguf_metadata(spec: ModelSpec) -> dict[str, Any] | None:
    """The GGUF header (also the check that the file is whole: truncated files raise UserError)."""
    if spec.gguf_path is None:
        return None
    try:
        from llmselect.backends.gguf_meta import read_gguf_metadata
    except ImportError:  # the gguf package is absent: the engine will still check the file
        return None
    return json.loads(json.dumps(read_gguf_metadata(spec.gguf_path), default=str))


def run_bench(req: BenchRequest) -> Path:
    """Run (or resume) the bench; returns the result file."""
    from llmselect.progress import BenchProgress, quiet_engines

    quiet_engines(req.verbose)
    plan = plan_bench(req)
    key = resume_key(plan)
    run = find_unfinished(plan.out_dir, key) or new_run(plan, key)
    _save(run, plan.out_dir)
    todo = [t for t in plan.tasks if t.key not in run.tasks]
    started = time.monotonic()
    with BenchProgress(len(plan.tasks), enabled=req.progress) as progress:
        progress.bar.update(progress.tasks_id, completed=len(plan.tasks) - len(todo))
        lm = load_lm(plan) if todo or (req.probe and not run.speed.method) else None
        if lm is not None:
            progress.attach(lm)
            run.notes.extend(n for n in getattr(lm, "run_notes", ()) if n not in run.notes)
        tm = _task_manager(plan) if todo else None
        for task in todo:
            progress.start_task(task.key)
            run.tasks[task.key], run.task_wall_time_s[task.key] = run_task(plan, run, lm, tm, task)
            _save(run, plan.out_dir)
            progress.finish_task()
    if req.probe and lm is not None and not run.speed.method:
        from llmselect.probe import speed_probe

        own_probe = getattr(lm, "speed_probe", None)  # endpoints time streamed requests
        run.speed = own_probe() if callable(own_probe) else speed_probe(lm)
    run.memory = peak_memory()
    run.wall_time_s = (run.wall_time_s or 0.0) + time.monotonic() - started
    run.status = "complete"
    path = _save(run, plan.out_dir)
    shutil.rmtree(plan.out_dir / run.run_id / "partial", ignore_errors=True)
    return path


def _save(run: store.RunResult, out_dir: Path) -> Path:
    return store.save_run(run, out_dir)


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


def _task_manager(plan: Plan):
    from lm_eval.tasks import TaskManager

    # an own suite needs none of lm-eval's ~10k built-in task YAMLs (indexing them: ~30 s here)
    tm = TaskManager(include_path=plan.include_path, include_defaults=plan.suite.own is None)
    for task in plan.tasks:
        if task.task not in tm.all_tasks:
            raise unknown("lm-eval task", task.task, tm.all_tasks,
                          hint=f"fix suite {plan.suite.name!r}")
    return tm


def run_task(plan: Plan, run: store.RunResult, lm, tm, task: SuiteTask) -> tuple[store.TaskResult, float]:
    """One lm-eval evaluation of one suite task; returns its result and wall time."""
    import lm_eval

    task = _adapt_to_lm(lm, run, task)
    if task.requires_code_execution:
        os.environ["LLMSELECT_ALLOW_CODE_EXECUTION"] = "1"
    if not plan.request.verbose:  # lm-eval shells out to `git describe`, noisy outside a checkout
        import lm_eval.evaluator

        lm_eval.evaluator.get_git_commit_hash = lambda: None
    cache = plan.out_dir / run.run_id / "partial" / f"requests_{_safe(task.key)}"
    cache.parent.mkdir(parents=True, exist_ok=True)
    limit = int(task.limit) if task.limit and task.limit >= 1 else task.limit
    started = time.monotonic()
    try:
        out = lm_eval.simple_evaluate(
            model=lm, tasks=[task.task], num_fewshot=task.num_fewshot, limit=limit,
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
    return task_result(plan, run, task, out), elapsed


def _adapt_to_lm(lm, run: store.RunResult, task: SuiteTask) -> SuiteTask:
    """A backend may run a stand-in for a task it cannot score as written (an endpoint without
    prompt logprobs runs MMLU/GPQA generatively); the choice is recorded in the run's notes."""
    adapt = getattr(lm, "adapt_task", None)
    if not callable(adapt):
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

    res = out["results"].get(task.task) or {}
    if task.metric not in res:
        have = ", ".join(k for k in res if "_stderr" not in k and k not in {"alias", "name", "sample_len"})
        raise UserError(f"suite {plan.suite.name!r}: task {task.task} has no metric "
                        f"{task.metric!r}; it reports: {have}")
    leaves = _leaves(out, task.task)
    n = sum(out["n-samples"][t]["effective"] for t in leaves)
    full = sum(out["n-samples"][t]["original"] for t in leaves)
    bench = find_benchmark(task.benchmark)
    samples_rel = write_samples(plan, run, task, out, leaves)
    return store.TaskResult(
        task=task.task, benchmark=task.benchmark, metric=task.metric,
        value=float(res[task.metric]), stderr=_num(res.get(_stderr_key(task.metric))), n=n,
        limit=task.limit, sampled=n < full, num_fewshot=_fewshot(out, leaves, task),
        chance=bench.chance if bench else 0.0,
        higher_is_better=bench.higher_is_better if bench else True,
        task_version=str(out.get("versions", {}).get(task.task)),
        task_hash=_hash_of([task_hash(out.get("samples", {}).get(t, [])) for t in leaves]),
        data_hash=plan.data_hashes.get(task.benchmark), samples_file=samples_rel,
        extra_metrics={m: _num(res.get(m)) for m in task.extra_metrics},
    )


def _leaves(out: dict, name: str) -> list[str]:
    """Leaf tasks under a task/group name, in lm-eval's order."""
    if name in out["n-samples"]:
        return [name]
    children = out.get("group_subtasks", {}).get(name, [])
    return [leaf for child in children for leaf in _leaves(out, child)]


def _fewshot(out: dict, leaves: list[str], task: SuiteTask) -> int | None:
    values = {out.get("n-shot", {}).get(t) for t in leaves} - {None}
    return values.pop() if len(values) == 1 else task.num_fewshot


def _stderr_key(metric: str) -> str:
    name, _, filt = metric.partition(",")
    return f"{name}_stderr,{filt}"


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
    lines = []
    for leaf in leaves:
        for sample in out.get("samples", {}).get(leaf, []):
            item = {"task": leaf, **sample}
            if redact:
                for key in REDACTED_FIELDS:
                    item.pop(key, None)
            lines.append(json.dumps(item, default=str, ensure_ascii=False))
    store.atomic_write_text(plan.out_dir / rel, "\n".join(lines) + "\n")
    return rel


def peak_memory() -> store.Memory:
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    cuda = None
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        cuda = torch.cuda.max_memory_allocated() / 2**20
    return store.Memory(peak_rss_mb=rss_kb / 1024, cuda_max_allocated_mb=cuda)

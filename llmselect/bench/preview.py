"""``bench --plan``: what a run will load, need and evaluate, and how long it will take.

WHY before the run: a full MMLU of an 8B model on a desktop CPU is most of a day; the user
should learn that (and where the weights come from, how much memory and disk they take) before
anything downloads or loads. Weights that are not on disk yet are planned from the hub's file
listing (URL, size, sha256) and the ETA from the model's size and this machine's measured
figures; weights on disk get the full plan (``plan_bench``'s checks) and, with ``--probe``
(default), the speed probe a real run also records (``eta.rates_from_speed``). A real run does
not come here: it counts the requests lm-eval builds anyway (``eta_live``).
"""

from __future__ import annotations

from typing import Any

from llmselect.bench import eta as eta_mod
from llmselect.bench.plan import BenchRequest, _data, _select_tasks, plan_bench
from llmselect.bench.requests import build_instances, count
from llmselect.config.suite_schema import load_suite


def eta_for_tasks(tasks, tm, lm, backend: str, rates: eta_mod.Rates
                  ) -> dict[str, tuple[float, Any]]:
    """{task key: (eta seconds, TaskCount)}: lm-eval builds each task's requests (that is the
    counting: no model runs), timed as the task's build_s."""
    out = {}
    for task in tasks:
        instances, build_s = build_instances(task, tm, lm)
        c = count(task, instances, lm, prefix_sharing=backend == "llamacpp",
                  max_length=getattr(lm, "max_length", None) if lm is not None else None)
        c.build_s = round(build_s, 2)
        out[task.key] = (eta_mod.task_eta(c, rates), c)
    return out


def preview(req: BenchRequest) -> dict[str, Any]:
    from llmselect.catalog import load_catalog
    from llmselect.weights import resolve

    card = None if ":" in req.model or req.model.endswith(".gguf") \
        else load_catalog().find_model(req.model)
    choice = None
    if card is not None:
        choice, trail = resolve.locate(card, req.weights_from, req.quant)
    if choice is not None and not choice.local:
        return _remote(req, card, choice, trail)
    with resolve.quiet():
        plan = plan_bench(req)
    return _local(req, plan)


def _local(req: BenchRequest, plan) -> dict[str, Any]:
    import psutil

    from llmselect.bench.lmeval import load_lm, task_manager

    spec = plan.spec
    tm = task_manager(plan)
    lm = load_lm(plan) if req.probe and not req.dry_run else None
    rates = _probed(lm) if lm is not None else None
    rates = rates or eta_mod.estimate_rates(*_size_of(plan))
    etas = eta_for_tasks(plan.tasks, tm, lm, spec.backend, rates)
    from llmselect.bench.plan import quantization

    size = spec.gguf_path.stat().st_size if spec.gguf_path else None
    weights = {"source": spec.source or spec.kind, "location": spec.weights, "size_bytes": size,
               "sha256": plan.weights_sha256, "quantization": quantization(plan),
               "trail": list(spec.trail)}
    longest = max((c.longest for _, c in etas.values()), default=0)
    return _report(req, plan.suite.name, spec.backend, weights, etas, rates, plan.skipped,
                   _memory(spec.catalog_id, size, longest, psutil.virtual_memory().available),
                   _compute(plan.model_args))


def _probed(lm) -> eta_mod.Rates | None:
    """The rates a real run uses (``bench/run.py::_rates``): from the speed probe when it
    measures this LM, else the short probe; no task generation is run."""
    from llmselect.bench.hooks import lm_hooks
    from llmselect.speed_probe import speed_probe

    hook = lm_hooks(lm).speed_probe
    return eta_mod.task_lm_rates(lm, hook, hook or (lambda: speed_probe(lm)))


def _remote(req: BenchRequest, card, choice, trail) -> dict[str, Any]:
    from lm_eval.tasks import TaskManager

    suite = load_suite(req.suite)
    tasks, skipped = _select_tasks(suite, req)
    include, _, _ = _data(tasks, req)
    tm = TaskManager(include_path=include)
    rates = eta_mod.estimate_rates(card.params_total_b.value if card.params_total_b else 1.0,
                                   choice.size)
    backend = "llamacpp" if choice.kind == "gguf" else "hf"
    etas = eta_for_tasks(tasks, tm, None, backend, rates)
    weights = {"source": choice.source, "location": choice.location, "size_bytes": choice.size,
               "sha256": choice.sha256, "quantization": choice.quant, "repo": choice.repo,
               "files": [f.name for f in choice.files], "trail": trail}
    memory = {"needed_gb": round(choice.fit.needed_gb, 2) if choice.fit and choice.fit.needed_gb
              else None, "available_gb": round(choice.fit.available_gb, 2) if choice.fit else None,
              "why": choice.fit.why if choice.fit else None}
    return _report(req, suite.name, backend, weights, etas, rates, skipped, memory,
                   {"options": choice.options})


def _report(req, suite, backend, weights, etas, rates, skipped, memory, compute) -> dict:
    tasks = [{"task": key, "eta_s": round(eta, 1), **c.facts()} for key, (eta, c) in etas.items()]
    return {"model": req.model, "suite": suite, "backend": backend, "weights": weights,
            "memory": memory, "compute": compute, "speed": rates.facts(), "tasks": tasks,
            "skipped": skipped, "eta_total_s": round(sum(t["eta_s"] for t in tasks), 1),
            "eta_method": rates.method,
            "tokens_counted_with": "the model's tokenizer" if all(t["exact"] for t in tasks)
            else "4 characters per token (no tokenizer loaded)"}


def _size_of(plan) -> tuple[float, float | None]:
    from llmselect.catalog import load_catalog

    card = load_catalog().models.get(plan.spec.catalog_id or "")
    meta = plan.gguf_metadata or {}
    params = (card.params_total_b.value if card and card.params_total_b
              else (meta.get("parameter_count") or 1e9) / 1e9)
    size = plan.spec.gguf_path.stat().st_size if plan.spec.gguf_path else None
    return float(params), size


def _memory(catalog_id: str | None, size: int | None, longest: int, free: int) -> dict:
    from llmselect import memory
    from llmselect.catalog import load_catalog

    card = load_catalog().models.get(catalog_id or "")
    kv = memory.kv_cache_gb(card, longest) if card is not None else None
    need = None
    if size is not None:
        need = size / 1e9 * (1 + memory.OVERHEAD_FRACTION) + (kv or 0) \
            + memory.OVERHEAD_GB_PER_DEVICE
    return {"needed_gb": None if need is None else round(need, 2),
            "kv_cache_gb": None if kv is None else round(kv, 3), "longest_request_tokens": longest,
            "available_gb": round(free / 1e9, 2),
            "fits": None if need is None else need <= free / 1e9}


def _compute(model_args: dict) -> dict:
    keys = ("n_threads", "device", "dtype", "weights", "load_in_4bit", "load_in_8bit",
            "tensor_parallel_size", "parallelize")
    return {k: model_args[k] for k in keys if k in model_args}

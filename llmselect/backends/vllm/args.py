"""lm-eval ``vllm`` model_args: one evaluation on one GPU, a multi-GPU node, or a Ray cluster.

How lm-eval's vLLM model spreads work (lm_eval/models/vllm_causallms.py, 0.4.13):
- ``tensor_parallel_size`` (TP) splits every layer over TP GPUs; ``pipeline_parallel_size`` (PP)
  splits the layer stack into PP stages. Both go to ``vllm.LLM``; one model replica uses TP x PP
  GPUs. When a replica spans nodes, vLLM must run its workers on Ray
  (``distributed_executor_backend=ray``, started on an existing cluster: see docs/cluster.md).
- ``data_parallel_size`` (DP) runs DP independent replicas as Ray actors (``num_gpus=TP`` each),
  splits the requests between them and gathers the answers. Inside an actor lm-eval drops
  ``distributed_executor_backend``, so DP replicas must each fit in one node; DP is not allowed
  with ``enable_expert_parallel`` and forces ``batch_size=auto``.
- ``max_length`` and ``max_model_len`` are mutually exclusive; we only ever set ``max_model_len``.

Everything here is pure: it runs (and is tested) on machines without GPUs or vLLM.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmselect.errors import UserError

if TYPE_CHECKING:
    from llmselect.specs import ModelSpec

QUANTIZATIONS = ("awq", "awq_marlin", "gptq", "gptq_marlin", "fp8", "bitsandbytes",
                 "compressed-tensors", "marlin")
EXECUTORS = ("auto", "ray", "mp")
PASSTHROUGH: dict[str, type] = {"seed": int, "max_num_seqs": int, "enforce_eager": bool,
                                "trust_remote_code": bool, "kv_cache_dtype": str,
                                "enable_prefix_caching": bool, "revision": str, "tokenizer": str}


def model_args(spec: ModelSpec, options: dict[str, Any]) -> dict[str, Any]:
    """``spec`` + bench options -> lm-eval ``vllm`` model_args (see module doc)."""
    if spec.kind not in {"hf", "dir"}:
        raise UserError(f"backend 'vllm' needs a transformers model (hf:org/name or a folder); "
                        f"{spec.text!r} is {spec.kind}")
    tp, pp, dp = (_size(options, k) for k in ("tensor_parallel", "pipeline_parallel",
                                               "data_parallel"))
    args: dict[str, Any] = {
        "pretrained": spec.weights, "tensor_parallel_size": tp, "data_parallel_size": dp,
        "dtype": options.get("dtype") or "auto",
        "gpu_memory_utilization": _fraction(options.get("gpu_memory_utilization", 0.9)),
    }  # batch_size: lm-eval's vllm default "auto" (vLLM schedules its own batches)
    if pp > 1:
        args["pipeline_parallel_size"] = pp
    executor = _executor(options, tp * pp)
    if executor:
        args["distributed_executor_backend"] = executor
    if options.get("max_model_len"):
        args["max_model_len"] = _int("max_model_len", options["max_model_len"])
    _quantization(args, options.get("quantize") or options.get("quantization"))
    for key, kind in PASSTHROUGH.items():
        if options.get(key) is not None:
            args[key] = _typed(key, options[key], kind)
    _check_data_parallel(args, options)
    return args


def gpus_needed(args: dict[str, Any]) -> int:
    """GPUs the evaluation occupies: TP x PP per replica, times DP replicas."""
    return (args.get("tensor_parallel_size", 1) * args.get("pipeline_parallel_size", 1)
            * args.get("data_parallel_size", 1))


def _executor(options: dict[str, Any], gpus_per_replica: int) -> str | None:
    """Ray when asked, or when a replica cannot fit the GPUs of one node; else vLLM's choice."""
    choice = str(options.get("executor") or options.get("distributed_executor_backend")
                 or "auto").lower()
    if choice not in EXECUTORS:
        raise UserError(f"--backend-arg executor={choice!r}: expected one of {', '.join(EXECUTORS)}")
    if choice != "auto":
        return choice
    per_node = options.get("gpus_per_node")
    if per_node is not None and gpus_per_replica > _int("gpus_per_node", per_node):
        return "ray"
    return None


def _quantization(args: dict[str, Any], quantize: Any) -> None:
    if quantize in (None, "", "none"):
        return
    name = str(quantize).lower()
    if name not in QUANTIZATIONS:
        raise UserError(f"--quantize {quantize!r} with vllm: expected one of "
                        f"{', '.join(QUANTIZATIONS)} (the weights must already be quantized so, "
                        f"except fp8 and bitsandbytes)")
    args["quantization"] = name


def _check_data_parallel(args: dict[str, Any], options: dict[str, Any]) -> None:
    if args["data_parallel_size"] > 1 and _typed("enable_expert_parallel",
                                                 options.get("enable_expert_parallel", False), bool):
        raise UserError("vllm: data parallel replicas cannot use expert parallelism (lm-eval "
                        "runs them as independent Ray actors); use --tensor-parallel instead")
    if options.get("enable_expert_parallel") is not None:
        args["enable_expert_parallel"] = _typed("enable_expert_parallel",
                                                options["enable_expert_parallel"], bool)


def _size(options: dict[str, Any], key: str) -> int:
    value = _int(key, 1 if options.get(key) is None else options[key])
    if value < 1:
        raise UserError(f"--{key.replace('_', '-')} {value}: must be 1 or more")
    return value


def _fraction(value: Any) -> float:
    frac = _typed("gpu_memory_utilization", value, float)
    if not 0 < frac <= 1:
        raise UserError(f"--backend-arg gpu_memory_utilization={value}: a fraction in (0, 1]")
    return frac


def _int(key: str, value: Any) -> int:
    return _typed(key, value, int)


def _typed(key: str, value: Any, kind: type) -> Any:
    if kind is bool and isinstance(value, str):
        if value.lower() in {"1", "true", "yes"}:
            return True
        if value.lower() in {"0", "false", "no"}:
            return False
        raise UserError(f"--backend-arg {key}={value!r}: expected true or false")
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise UserError(f"--backend-arg {key}={value!r}: expected {kind.__name__}") from None

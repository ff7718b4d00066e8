"""lm-eval ``model_args`` for the llama.cpp, vLLM and endpoint backends (pure functions).

The LMs themselves live in their own modules (``llamacpp``, ``endpoint``); these builders only
translate a ModelSpec plus CLI options into the arguments those LMs document, so the GPU/server
paths are unit-testable on any machine.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from llmselect.errors import UserError

if TYPE_CHECKING:
    from llmselect.specs import ModelSpec


def llamacpp(spec: ModelSpec, options: dict[str, Any]) -> dict[str, Any]:
    if spec.gguf_path is None:
        raise UserError(f"backend 'llamacpp' needs a GGUF file; {spec.text!r} is {spec.kind} "
                        f"({spec.weights}); use --backend hf")
    args: dict[str, Any] = {"pretrained": str(spec.gguf_path)}
    for key in ("n_ctx", "n_threads", "n_batch"):
        if options.get(key) is not None:
            args[key] = int(options[key])
    args.setdefault("n_threads", len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                    else os.cpu_count() or 1)
    return args


def vllm(spec: ModelSpec, options: dict[str, Any]) -> dict[str, Any]:
    """lm-eval's ``vllm`` model: tensor parallel inside a node, data parallel across replicas."""
    if spec.kind not in {"hf", "dir"}:
        raise UserError(f"backend 'vllm' needs a transformers model (hf:org/name or a folder); "
                        f"{spec.text!r} is {spec.kind}")
    args: dict[str, Any] = {
        "pretrained": spec.weights,
        "tensor_parallel_size": int(options.get("tensor_parallel") or 1),
        "data_parallel_size": int(options.get("data_parallel") or 1),
        "dtype": options.get("dtype") or "auto",
        "gpu_memory_utilization": float(options.get("gpu_memory_utilization") or 0.9),
    }
    if options.get("quantize") in {"awq", "gptq", "fp8", "bitsandbytes"}:
        args["quantization"] = options["quantize"]
    elif options.get("quantize") not in {None, "none"}:
        raise UserError(f"--quantize {options['quantize']!r} with vllm: expected awq, gptq, fp8 or "
                        "bitsandbytes")
    if options.get("max_model_len"):
        args["max_model_len"] = int(options["max_model_len"])
    return args


def endpoint(spec: ModelSpec, options: dict[str, Any]) -> dict[str, Any]:
    if spec.kind != "endpoint":
        raise UserError(f"backend 'endpoint' needs endpoint:URL#model; got {spec.text!r}")
    args: dict[str, Any] = {"base_url": spec.weights}
    if spec.endpoint_model:
        args["model"] = spec.endpoint_model
    return args

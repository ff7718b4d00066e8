"""lm-eval ``model_args`` for the llama.cpp backend (pure: no engine import).

The LM lives in ``llmselect.backends.llamacpp.lm`` (importing it pulls in llama-cpp-python); this
builder only translates a ModelSpec plus CLI options into the arguments that LM documents, so it is
unit-testable anywhere. (vLLM's and the endpoint's builders: ``vllm.py``, ``endpoint_args.py``.)
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from llmselect.errors import UserError

if TYPE_CHECKING:
    from llmselect.specs import ModelSpec


def model_args(spec: ModelSpec, options: dict[str, Any]) -> dict[str, Any]:
    if spec.gguf_path is None:
        raise UserError(f"backend 'llamacpp' needs a GGUF file; {spec.text!r} is {spec.kind} "
                        f"({spec.weights}); use --backend hf")
    args: dict[str, Any] = {"pretrained": str(spec.gguf_path)}
    for key in ("n_ctx", "n_threads", "n_batch"):
        if options.get(key) is not None:
            args[key] = int(options[key])
    args["weights"] = str(options.get("weights") or "auto")
    args.setdefault("n_threads", len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                    else os.cpu_count() or 1)
    return args


"""vLLM model_args for one GPU, a node and a Ray cluster (no GPU or vLLM needed)."""

from __future__ import annotations

import pytest

from llmselect.backends import get_backend
from llmselect.backends.vllm.args import gpus_needed, model_args
from llmselect.errors import UserError
from llmselect.specs import resolve_spec

HUB = resolve_spec("hf:meta-llama/Llama-3.1-70B-Instruct")


def test_single_gpu_defaults():
    assert model_args(HUB, {}) == {"pretrained": HUB.weights, "tensor_parallel_size": 1,
                                   "data_parallel_size": 1, "dtype": "auto",
                                   "gpu_memory_utilization": 0.9}


def test_registry_uses_this_builder():
    assert get_backend("vllm").model_args(HUB, {"pipeline_parallel": 2}) == \
        model_args(HUB, {"pipeline_parallel": 2})


def test_tensor_pipeline_across_nodes_uses_ray():
    args = model_args(HUB, {"tensor_parallel": 8, "pipeline_parallel": 2, "gpus_per_node": 8,
                            "max_model_len": "8192", "quantize": "AWQ",
                            "gpu_memory_utilization": "0.85"})
    assert args == {"pretrained": HUB.weights, "tensor_parallel_size": 8, "data_parallel_size": 1,
                    "pipeline_parallel_size": 2, "distributed_executor_backend": "ray",
                    "dtype": "auto", "gpu_memory_utilization": 0.85, "max_model_len": 8192,
                    "quantization": "awq"}
    assert gpus_needed(args) == 16


def test_replica_within_a_node_leaves_executor_to_vllm():
    args = model_args(HUB, {"tensor_parallel": 4, "data_parallel": 2, "gpus_per_node": 8})
    assert "distributed_executor_backend" not in args and gpus_needed(args) == 8


def test_explicit_executor_and_passthrough():
    args = model_args(HUB, {"executor": "ray", "enforce_eager": "true", "seed": "7",
                            "trust_remote_code": "no"})
    assert args["distributed_executor_backend"] == "ray"
    assert (args["enforce_eager"], args["seed"], args["trust_remote_code"]) == (True, 7, False)


@pytest.mark.parametrize("options, fragment", [
    ({"tensor_parallel": 0}, "must be 1 or more"),
    ({"data_parallel": "two"}, "expected int"),
    ({"quantize": "q4_k_m"}, "expected one of awq"),
    ({"executor": "slurm"}, "executor='slurm'"),
    ({"gpu_memory_utilization": 1.5}, "fraction"),
    ({"data_parallel": 2, "enable_expert_parallel": "true"}, "expert parallelism"),
])
def test_bad_options_are_one_line_user_errors(options, fragment):
    with pytest.raises(UserError, match=fragment):
        model_args(HUB, options)


def test_gguf_is_refused():
    spec = resolve_spec("smollm2-135m")
    with pytest.raises(UserError, match="needs a transformers model"):
        model_args(spec, {})


def test_every_arg_is_accepted_by_lm_eval_or_vllm_engine():
    """Keys lm-eval's VLLM takes by name; the rest must be vLLM EngineArgs it passes through.
    Read from lm-eval's source (importing it needs vllm, absent on CPU machines)."""
    import ast
    import importlib.util

    source = importlib.util.find_spec("lm_eval").submodule_search_locations[0]
    tree = ast.parse(open(f"{source}/models/vllm_causallms.py", encoding="utf-8").read())
    init = next(n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == "VLLM")
    init = next(n for n in init.body if isinstance(n, ast.FunctionDef) and n.name == "__init__")
    named = {a.arg for a in init.args.args}
    assert {"tensor_parallel_size", "data_parallel_size", "max_model_len"} <= named
    engine_args = {"gpu_memory_utilization", "pipeline_parallel_size",
                   "distributed_executor_backend", "enforce_eager", "enable_expert_parallel"}
    args = model_args(HUB, {"tensor_parallel": 2, "pipeline_parallel": 2, "executor": "ray",
                            "enforce_eager": True})
    assert set(args) <= named | engine_args

"""The lm-eval model_args each backend path produces (GPU paths cannot run here: pin them)."""

from __future__ import annotations

import pytest

from llmselect.backends import BACKENDS, get_backend
from llmselect.errors import UserError
from llmselect.specs import resolve_spec

HUB = resolve_spec("hf:meta-llama/Meta-Llama-3-8B-Instruct")


def hf(spec, **options):
    return get_backend("hf").model_args(spec, options)


def test_cpu_defaults_to_float32_batch_1():
    assert hf(HUB, cuda_devices=0) == {"pretrained": HUB.weights, "device": "cpu",
                                       "dtype": "float32", "batch_size": 1}


def test_single_cuda_gpu_keeps_checkpoint_dtype_and_auto_batch():
    assert hf(HUB, cuda_devices=1) == {"pretrained": HUB.weights, "device": "cuda",
                                       "dtype": "auto", "batch_size": "auto"}


def test_several_gpus_split_the_model():
    assert hf(HUB, cuda_devices=4)["parallelize"] is True


@pytest.mark.parametrize("quantize, expected", [
    ("4bit", {"load_in_4bit": True, "bnb_4bit_quant_type": "nf4", "bnb_4bit_compute_dtype": "bfloat16"}),
    ("8bit", {"load_in_8bit": True}),
])
def test_bitsandbytes_on_cuda(quantize, expected):
    args = hf(HUB, cuda_devices=1, quantize=quantize)
    assert expected.items() <= args.items()


def test_gguf_through_transformers_is_fp32_with_gguf_file():
    spec = resolve_spec("smollm2-135m", backend="hf")
    args = hf(spec, cuda_devices=0)
    assert args["gguf_file"] == spec.gguf_path.name
    assert args["pretrained"] == str(spec.gguf_path.parent) and args["dtype"] == "float32"


@pytest.mark.parametrize("options, fragment", [
    ({"cuda_devices": 0, "quantize": "4bit"}, "needs a CUDA GPU"),
    ({"cuda_devices": 1, "quantize": "3bit"}, "expected 4bit or 8bit"),
    ({"device": "tpu"}, "expected auto, cpu"),
    ({"cuda_devices": 0, "dtype": "int3"}, "expected auto, float32"),
])
def test_bad_hf_options(options, fragment):
    with pytest.raises(UserError, match=fragment):
        hf(HUB, **options)


def test_vllm_tensor_and_data_parallel():
    args = get_backend("vllm").model_args(HUB, {"tensor_parallel": 4, "data_parallel": 2,
                                                "quantize": "awq"})
    assert {"pretrained": HUB.weights, "tensor_parallel_size": 4, "data_parallel_size": 2,
            "quantization": "awq"}.items() <= args.items()
    assert get_backend("vllm").lm_eval_model == "vllm"


def test_endpoint_args_come_from_the_spec():
    spec = resolve_spec("endpoint:http://127.0.0.1:8000/v1#m1")
    args = get_backend("endpoint").model_args(spec, {})
    assert args["base_url"] == "http://127.0.0.1:8000/v1" and args["model"] == "m1"


def test_llamacpp_args_and_refusal_of_non_gguf():
    spec = resolve_spec("smollm2-135m")
    args = get_backend("llamacpp").model_args(spec, {"n_ctx": 2048, "n_threads": 2})
    assert args == {"pretrained": str(spec.gguf_path), "n_ctx": 2048, "n_threads": 2, "weights": "auto"}
    assert get_backend("llamacpp").model_args(spec, {"weights": "native"})["weights"] == "native"
    with pytest.raises(UserError, match="needs a GGUF"):
        get_backend("llamacpp").model_args(HUB, {})


def test_registry_typo_and_contents():
    assert {"hf", "llamacpp", "vllm", "endpoint", "fake"} <= set(BACKENDS)
    assert BACKENDS["llamacpp"].lm_eval_model == "llmselect-llamacpp"
    with pytest.raises(UserError, match="did you mean 'llamacpp'"):
        get_backend("llamacp")

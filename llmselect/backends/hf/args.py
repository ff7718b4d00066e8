"""lm-eval ``model_args`` for its ``hf`` (transformers) model, for every hardware path.

WHY a pure function: the GPU paths (CUDA dtype, bitsandbytes 4/8-bit, several GPUs) cannot run on
a CPU-only machine, so they are unit-tested as the exact arguments lm-eval receives. The CUDA
probe is injected (``cuda_devices``) and only consults torch when the caller did not say.

Options (all optional): ``device`` auto|cpu|cuda|cuda:N, ``dtype`` auto|float32|bfloat16|float16,
``quantize`` none|4bit|8bit (CUDA only; bitsandbytes), ``batch_size``, ``trust_remote_code``,
``cuda_devices`` (int, for tests and for callers that already probed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmselect.errors import UserError

if TYPE_CHECKING:
    from llmselect.specs import ModelSpec

QUANTIZE = {"4bit", "8bit"}


def cuda_device_count() -> int:
    """How many CUDA devices torch sees (imports torch: call only when a run is starting)."""
    try:
        import torch
    except ImportError:
        return 0
    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def model_args(spec: ModelSpec, options: dict[str, Any]) -> dict[str, Any]:
    device = _device(options)
    on_cuda = device.startswith("cuda")
    args: dict[str, Any] = {}
    if spec.gguf_path is not None:
        # transformers de-quantises GGUF tensors; fp32 is what it produces and computes in.
        args |= {"pretrained": str(spec.gguf_path.parent), "gguf_file": spec.gguf_path.name}
    elif spec.kind in {"hf", "dir", "catalog"}:
        args["pretrained"] = spec.weights
    else:
        raise UserError(f"backend 'hf' cannot run {spec.text!r} ({spec.kind}); use --backend "
                        f"{spec.backend}")
    args["device"] = device
    args["dtype"] = _dtype(options, on_cuda, spec)
    args |= _quantization(options, on_cuda, spec)
    if on_cuda and int(options.get("cuda_devices", 1)) > 1 and device == "cuda":
        args["parallelize"] = True  # split layers over the GPUs (accelerate device_map)
    args["batch_size"] = options.get("batch_size", "auto" if on_cuda else 1)
    if options.get("trust_remote_code"):
        args["trust_remote_code"] = True
    return args


def _device(options: dict[str, Any]) -> str:
    device = str(options.get("device") or "auto")
    if device != "auto":
        if device != "cpu" and not device.startswith("cuda"):
            raise UserError(f"--device {device!r}: expected auto, cpu, cuda or cuda:N")
        return device
    count = options.get("cuda_devices")
    if count is None:
        count = options["cuda_devices"] = cuda_device_count()
    return "cuda" if int(count) > 0 else "cpu"


def _dtype(options: dict[str, Any], on_cuda: bool, spec: ModelSpec) -> str:
    dtype = str(options.get("dtype") or "auto")
    if spec.gguf_path is not None:
        if dtype not in {"auto", "float32"}:
            raise UserError(f"--dtype {dtype}: a GGUF loaded through transformers is de-quantised "
                            "to float32; use --backend llamacpp to keep it quantised")
        return "float32"
    if dtype == "auto":
        return "auto" if on_cuda else "float32"  # the checkpoint's dtype on GPU; fp32 is fast on CPU
    if dtype not in {"float32", "bfloat16", "float16"}:
        raise UserError(f"--dtype {dtype!r}: expected auto, float32, bfloat16 or float16")
    return dtype


def _quantization(options: dict[str, Any], on_cuda: bool, spec: ModelSpec) -> dict[str, Any]:
    quantize = options.get("quantize")
    if not quantize or quantize == "none":
        return {}
    if quantize not in QUANTIZE:
        raise UserError(f"--quantize {quantize!r}: expected 4bit or 8bit")
    if not on_cuda:
        raise UserError(f"--quantize {quantize} needs a CUDA GPU (bitsandbytes); on CPU use a GGUF "
                        "with --backend llamacpp")
    if spec.gguf_path is not None:
        raise UserError("--quantize does not apply to a GGUF (already quantised)")
    if quantize == "8bit":
        return {"load_in_8bit": True}
    return {"load_in_4bit": True, "bnb_4bit_quant_type": "nf4",
            "bnb_4bit_compute_dtype": "bfloat16"}

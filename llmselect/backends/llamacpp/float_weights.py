"""Float-weight copies of a quantised GGUF, for exact and fast loglikelihood scoring on CPU.

WHY: llama.cpp multiplies 4-bit weights with activations it first rounds to 8 bits (Q4_1 x Q8_1),
through a per-row dot-product kernel. Two consequences measured on this machine (SmolLM2-135M Q4_1,
AMD EPYC, AVX-512): (1) the logprobs differ from the reference evaluation of the same weights in
fp32 (lm-eval `hf` on the GGUF) by 0.037 nat on average, enough to flip 3.5 % of MMLU answers of
a model near chance; (2) prefill runs at 155 tokens/s/core, while the same weights stored as floats
go through llama.cpp's tiled GEMM (llamafile sgemm): f32 285, f16 311, bf16 437 tokens/s/core.
A float copy holds exactly the values of the quantised weights (de-quantisation is exact in f32;
f16/bf16 round them once), so scoring it measures the same model, closer to the fp32 reference and
faster. The cost is memory: a copy is 2-8x the size of the quantised file, so `auto` uses one only
for models small enough (see `choose_weights`).

The copy is written by llama.cpp's own quantiser (`llama_model_quantize` with requantisation
allowed: de-quantise to f32, store as the target type), once, in the cache directory, named by the
source file's identity (path, size, mtime) so a changed source gets a new copy.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
from pathlib import Path

from llmselect.errors import UserError

# llama_ftype values (llama.h): the whole model stored as this float type.
FLOAT_FTYPES = {"f32": 0, "f16": 1, "bf16": 32}
BYTES_PER_WEIGHT = {"f32": 4, "f16": 2, "bf16": 2}
WEIGHT_CHOICES = ("auto", "native", *FLOAT_FTYPES)
# `auto` makes a float copy only when it is at most this large: the copy is read in full for
# every token batch, so beyond a few GB the quantised file's smaller memory traffic wins anyway.
AUTO_MAX_COPY_BYTES = 1 << 30


def cpu_has_bf16() -> bool:
    """AVX512-BF16 (x86) or the ARM BF16 extension: llama.cpp's bf16 GEMM is then native."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or " bf16" in flags


def choose_weights(requested: str, n_params: int | None, file_type: str | None,
                   bf16_native: bool | None = None) -> str:
    """The weight type to evaluate with: `requested` unless it is `auto`.

    auto: a GGUF already in float keeps its weights. A quantised one is scored from a bf16 copy
    on CPUs with bf16 arithmetic (AVX512-BF16, ARM BF16: the fastest kernel, measured 2.8x Q4_1
    per token here), else from an f16 copy, when that copy is at most AUTO_MAX_COPY_BYTES; larger
    models keep their quantised weights (the copy would not pay for its memory traffic).
    """
    if requested not in WEIGHT_CHOICES:
        raise UserError(f"weights={requested!r} is not one of {', '.join(WEIGHT_CHOICES)}")
    if requested != "auto":
        return requested
    if not n_params or (file_type or "").upper() in ("F32", "F16", "BF16"):
        return "native"
    kind = "bf16" if (cpu_has_bf16() if bf16_native is None else bf16_native) else "f16"
    return kind if n_params * BYTES_PER_WEIGHT[kind] <= AUTO_MAX_COPY_BYTES else "native"


def cache_path(source: Path, kind: str, cache_dir: Path) -> Path:
    """Where the `kind` copy of `source` lives: keyed by the source's path, size and mtime."""
    st = source.stat()
    key = hashlib.sha256(f"{source.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()[:16]
    return cache_dir / "gguf-float" / f"{source.stem}.{key}.{kind}.gguf"


def float_copy(source: str | Path, kind: str, cache_dir: Path, arch: str = "?") -> Path:
    """Path of a copy of `source` with every weight stored as `kind` (f32, f16 or bf16); made
    on first use with llama.cpp's quantiser, then reused. Written to a temporary name and renamed,
    so an interrupted run never leaves a half-written copy behind."""
    import llama_cpp

    source = Path(source).expanduser()
    target = cache_path(source, kind, cache_dir)
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = FLOAT_FTYPES[kind]
    params.allow_requantize = True
    params.nthread = os.cpu_count() or 1
    try:
        rc = llama_cpp.llama_model_quantize(str(source).encode(), str(tmp).encode(), ctypes.byref(params))
        if rc != 0:
            raise UserError(
                f"llama.cpp could not read {str(source)!r} (architecture {arch!r}) to make its {kind} copy: "
                f"unsupported by llama-cpp-python {llama_cpp.__version__} or a corrupt file (code {rc}); "
                "upgrade llama-cpp-python or use the hf backend"
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target

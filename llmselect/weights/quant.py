"""Which quantization of a model fits this machine, and which file of a GGUF repo holds it.

WHY a ladder and not "the smallest": accuracy drops with every bit removed (Q8_0 is within noise
of bf16, Q3_K_M visibly below), so a benchmark should run the best quantization the machine can
hold, never a worse one to save time. The fit is ``memory.estimate`` (weights at the
quantization + KV cache of the context + runtime overhead) plus ``HEADROOM_GB`` for the OS and
the rest of the process; when the card lacks a parameter count there is nothing to estimate and
Q4_K_M (the usual default of GGUF publishers) is taken, saying so.

On a GPU the transformers weights run in bf16, or 8/4-bit (bitsandbytes) when bf16 does not fit
the VRAM.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass

from llmselect import memory
from llmselect.config.catalog_schema import ModelCard
from llmselect.errors import EnvironmentProblem, UserError

LADDER = ("Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q3_K_M")
DEFAULT = "Q4_K_M"
HEADROOM_GB = 1.0
#: Context assumed for the KV cache when the suite's requests are not counted yet: MMLU 5-shot
#: prompts top out near 2.5k tokens, GSM8K 8-shot CoT near 1k + 256 generated; `--plan` prints
#: the counted longest request next to it.
SUITE_CONTEXT_TOKENS = 4096
GPU_LADDER = (("bf16", None), ("int8", "8bit"), ("int4", "4bit"))
_KNOWN = sorted({*memory.BYTES_PER_PARAM, "Q4_K_S", "Q5_K_S", "Q3_K_S", "Q3_K_L", "Q2_K",
                 "IQ4_XS", "F16", "BF16", "F32"}, key=len, reverse=True)


@dataclass(frozen=True)
class Fit:
    quant: str
    needed_gb: float | None  # None: no parameter count on the card
    available_gb: float
    why: str


def context_for(card: ModelCard, tokens: int = SUITE_CONTEXT_TOKENS) -> int:
    return min(tokens, card.context_tokens.value) if card.context_tokens else tokens


def needed_gb(card: ModelCard, quant: str, context_tokens: int) -> float | None:
    est = memory.estimate(card, quant, context_tokens)
    return None if est is None else est.total_gb + HEADROOM_GB


def choose_gguf_quant(card: ModelCard, free_gb: float, context_tokens: int,
                      available: list[str] | None = None, wanted: str | None = None) -> Fit:
    """The best quantization of ``LADDER`` (restricted to ``available`` when the repo's files
    are known) that fits ``free_gb``; ``wanted`` (``--quant``) is checked, not chosen around."""
    if wanted is not None:
        wanted = normalise(wanted)
        if available is not None and wanted not in available:
            raise UserError(f"--quant {wanted}: {card.id!r} has no {wanted} file in its GGUF repo "
                            f"(it has: {', '.join(available) or 'none'}); pick one of those")
        need = needed_gb(card, wanted, context_tokens) if wanted in memory.BYTES_PER_PARAM else None
        if need is not None and need > free_gb:
            raise not_enough_memory(card, wanted, need, free_gb)
        return Fit(wanted, need, free_gb, "asked with --quant")
    ladder = [q for q in LADDER if available is None or q in available]
    if not ladder:
        raise UserError(f"{card.id!r}: its GGUF repo has none of {', '.join(LADDER)} "
                        f"(it has: {', '.join(available or []) or 'none'}); choose one with --quant")
    if card.params_total_b is None:
        pick = DEFAULT if DEFAULT in ladder else ladder[0]
        return Fit(pick, None, free_gb, "no parameter count on the card: default")
    for quant in ladder:
        need = needed_gb(card, quant, context_tokens)
        if need is not None and need <= free_gb:
            return Fit(quant, need, free_gb, f"best of {'/'.join(ladder)} that fits "
                                             f"{free_gb:.1f} GB free")
    raise not_enough_memory(card, ladder[-1], needed_gb(card, ladder[-1], context_tokens), free_gb)


def choose_gpu_precision(card: ModelCard, vram_gb: float, context_tokens: int) -> Fit:
    """bf16 when it fits the VRAM, else bitsandbytes 8-bit, else 4-bit."""
    if card.params_total_b is None:
        return Fit("bf16", None, vram_gb, "no parameter count on the card: bf16")
    for quant, _ in GPU_LADDER:
        need = needed_gb(card, quant, context_tokens)
        if need is not None and need <= vram_gb:
            return Fit(quant, need, vram_gb, f"fits {vram_gb:.1f} GB of VRAM")
    raise not_enough_memory(card, "int4", needed_gb(card, "int4", context_tokens), vram_gb, "VRAM")


def quantize_option(fit: Fit) -> str | None:
    """The hf backend's --quantize value for a GPU fit."""
    return dict(GPU_LADDER).get(fit.quant)


def not_enough_memory(card: ModelCard, quant: str, need: float | None, free_gb: float,
                      what: str = "free memory") -> EnvironmentProblem:
    return EnvironmentProblem(
        f"{card.id!r} needs {need:.1f} GB at {quant} (weights + KV cache + overhead + "
        f"{HEADROOM_GB:.0f} GB headroom) but this machine has {free_gb:.1f} GB of {what}; free "
        "memory, pick a smaller model, or force a quantization with --quant")


def normalise(quant: str) -> str:
    found = quant_of(quant + ".gguf") if quant else None
    if found is None:
        raise UserError(f"--quant {quant!r}: not a GGUF quantization name; use one of "
                        f"{', '.join(LADDER)} (or another llama.cpp type such as Q4_0)")
    return found


def quant_of(filename: str) -> str | None:
    """The quantization named in a GGUF file name ('...-Q4_K_M.gguf', '...q4_k_m-00001-of-2')."""
    upper = filename.upper()
    for name in _KNOWN:
        if re.search(rf"(?<![A-Z0-9]){re.escape(name.upper())}(?![A-Z0-9_])", upper):
            return name
    return None


def pattern_files(pattern: str | None, files: list[str], quant: str | None = None) -> list[str]:
    """The files of a repo that match ``pattern`` (``{quant}`` filled in), case-insensitively;
    without a pattern, every ``*.gguf``. Split GGUFs come back as all their parts, sorted."""
    glob = (pattern or "*.gguf").replace("{quant}", quant or "*")
    hits = [f for f in files if fnmatch.fnmatch(f.lower(), glob.lower())]
    if quant is not None:
        hits = [f for f in hits if quant_of(f.rsplit("/", 1)[-1]) == quant]
    return sorted(hits)


def quants_in(pattern: str | None, files: list[str]) -> list[str]:
    """The quantizations a repo's GGUF files offer, best first along the ladder."""
    found = {quant_of(f.rsplit("/", 1)[-1]) for f in pattern_files(pattern, files)} - {None}
    return sorted(found, key=lambda q: (LADDER.index(q) if q in LADDER else len(LADDER), q))


def first_part(files: list[str]) -> str:
    """The file llama.cpp opens: the only one, or part 00001 of a split GGUF."""
    parts = [f for f in files if re.search(r"-0*1-of-\d+\.gguf$", f)]
    return parts[0] if parts else files[0]

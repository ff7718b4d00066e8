"""A short speed probe through the same lm-eval LM the benchmark used.

WHY through the LM interface: it works for every backend (transformers, llama.cpp, endpoint)
and measures what the benchmark exercised, with no second copy of the model in memory.
- prompt tokens/s: one loglikelihood over a ~``prompt_tokens`` prompt (prefill-bound);
- time to first token: a generation of 1 token from such a prompt (median of ``repeats``);
- generation tokens/s: (tokens of a longer greedy generation - 1) / (its time - TTFT).
Every measurement gets its own prompt, different from the first token on, so no backend's
prefix cache turns a measurement into a cache hit.
Token counts use the LM's own tokenizer (``tok_encode``); without one, 4 characters ~ 1 token.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from llmselect.run_schema import Speed

_FILLER = ("The quick brown fox jumps over the lazy dog while the committee reviews the annual "
           "budget, weighs the risks of each option and writes down what it decided and why. ")


def _count(lm: Any, text: str) -> int:
    try:
        return len(lm.tok_encode(text))
    except Exception:  # backends without a local tokenizer (endpoints)
        return max(1, len(text) // 4)


def _instance(request_type: str, args: tuple) -> Any:
    from lm_eval.api.instance import Instance

    return Instance(request_type=request_type, doc={}, arguments=args, idx=0,
                    metadata=("llmselect-probe", 0, 1))


def _timed(fn, *args) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def _prompts(prompt_tokens: int, count: int) -> list[str]:
    """Distinct from their first token on, so a backend's prefix/KV cache cannot serve one
    measurement from another (that would report cache hits as prefill speed)."""
    body = _FILLER * max(1, prompt_tokens // 32)
    return [f"{1009 + 7919 * i} {body}" for i in range(count)]


def speed_probe(lm: Any, prompt_tokens: int = 256, gen_tokens: int = 64, repeats: int = 3) -> Speed:
    prompts = _prompts(prompt_tokens, 2 * repeats + 1)
    n_prompt = _count(lm, prompts[0])
    prefill = [_timed(lm.loglikelihood, [_instance("loglikelihood", (p, " done."))])[0]
               for p in prompts[:repeats]]
    first = [_timed(lm.generate_until, [_instance("generate_until", (
        p, {"until": [], "max_gen_toks": 1, "do_sample": False}))])[0]
        for p in prompts[repeats:2 * repeats]]
    ttft = statistics.median(first)
    gen_time, out = _timed(lm.generate_until, [_instance("generate_until", (
        prompts[-1], {"until": [], "max_gen_toks": gen_tokens, "do_sample": False}))])
    n_gen = _count(lm, out[0]) if out and out[0] else 0
    gen_rate = (n_gen - 1) / (gen_time - ttft) if n_gen > 1 and gen_time > ttft else None
    return Speed(prompt_tokens_per_s=n_prompt / statistics.median(prefill),
                 gen_tokens_per_s=gen_rate, ttft_s=ttft, ttft_p95_s=max(first),
                 method=f"lm-eval LM probe, distinct uncached prompts of ~{n_prompt} tokens: prefill = "
                        f"loglikelihood, median of {repeats}; TTFT = 1-token generation, median of "
                        f"{repeats}; generation = {n_gen} greedy tokens, minus TTFT")

"""How long each task will take, from its counted requests and this model's speed here.

Model of the time of one task (seconds)::

    build_s                               lm-eval loading the data and building the requests
  + prefill_s_per_token * evaluated       tokens the engine runs (after prefix sharing)
  + eval_overhead_s * (groups + gen)      per model call: logits copy, log-softmax, Python
  + gen_s_per_token * gen * mean_gen      generated tokens

WHY these three rates: prefill is compute-bound (cost per token), each evaluation has a fixed
cost, generation is memory-bound (one pass over the weights per token). With a loaded model they
come from ``rates_from_speed``: the run's own speed probe (measured once, kept in the result)
and eight short calls; before anything is loaded, from ``estimate_rates``: the model's size and
two figures measured on this machine now (numpy fp32 matmul GFLOP/s, memory copy GB/s), said to
be an estimate. Generated tokens per request cannot be known before generating: ``GEN_FILL`` of
``max_gen_toks`` (measured by ``benchmarks/bench_eta.py``: small models rarely stop early).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from llmselect.bench.requests import TaskCount

PREFILL_EFFICIENCY = 0.35  # share of matmul peak a llama.cpp prefill reaches (set by bench_eta)
GEN_EFFICIENCY = 0.6  # share of copy bandwidth a token generation reaches
GEN_FILL = 0.9  # generated tokens per request, as a share of max_gen_toks (set by bench_eta)
GEN_OVER_PREFILL = 20.0  # a generated token vs a prefill token, when the probe has no gen rate
CALL_OVERHEAD_S = 2e-3  # fixed cost of one model call, estimate without a loaded model


@dataclass(frozen=True)
class Rates:
    prefill_s_per_token: float
    eval_overhead_s: float
    gen_s_per_token: float
    method: str

    def facts(self) -> dict[str, Any]:
        return {"prefill_tokens_per_s": round(1 / self.prefill_s_per_token, 1),
                "eval_overhead_ms": round(self.eval_overhead_s * 1e3, 2),
                "gen_tokens_per_s": round(1 / self.gen_s_per_token, 1), "method": self.method}


def task_eta(c: TaskCount, r: Rates, mean_gen: float | None = None) -> float:
    gen = mean_gen if mean_gen is not None else c.max_gen_toks * GEN_FILL
    return (c.build_s + r.prefill_s_per_token * c.evaluated
            + r.eval_overhead_s * (c.groups + c.gen_requests)
            + r.gen_s_per_token * c.gen_requests * gen)


def _instance(kind: str, args: tuple):
    from lm_eval.api.instance import Instance

    return Instance(request_type=kind, doc={}, arguments=args, idx=0,
                    metadata=("llmselect-eta", 0, 1))


def _timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def rates_from_speed(lm, speed) -> Rates | None:
    """Rates from the run's speed probe of this same LM (``speed_probe``: prefill of ~256
    tokens, greedy generation) plus the short calls of ``_call_overhead``. WHY reuse: the probe
    is measured anyway for the result file; an ETA-only probe ran the model twice."""
    if not speed or not speed.prompt_tokens_per_s:
        return None
    per_token = 1 / speed.prompt_tokens_per_s
    gen = 1 / speed.gen_tokens_per_s if speed.gen_tokens_per_s else per_token * GEN_OVER_PREFILL
    overhead = _call_overhead(lm, per_token)
    return Rates(per_token, overhead, gen, "this run's speed probe of the loaded model "
                 f"({speed.prompt_tokens_per_s:.0f} prompt tokens/s, {1 / gen:.1f} generated "
                 f"tokens/s, {overhead * 1e3:.1f} ms per call); {_GEN_NOTE}")


def task_lm_rates(lm, speed_hook, speed) -> Rates | None:
    """The rates of the LM that runs the tasks: the short probe where the backend measures its
    speed its own way (``speed_hook``), falling back to that speed when the LM cannot score
    prompts (an endpoint without logprobs); else the generic speed probe of this very LM."""
    if speed_hook is not None:
        try:
            return probe_rates(lm)
        except Exception:  # noqa: BLE001 - no prompt scoring: the backend's own speed instead
            pass
    return rates_from_speed(lm, speed() if callable(speed) else speed)


def probe_rates(lm) -> Rates:
    """A short probe of the LM that runs the tasks, for when the run's speed probe measured
    another engine (llama.cpp's speed is probed on the GGUF's own quantised weights while the
    tasks of a small model run on a float copy): one ~128-token loglikelihood, eight short ones
    and a 16-token generation (under a second for SmolLM2 on an idle 2-core CPU)."""
    from llmselect.speed_probe import _count, _prompts

    [prompt] = _prompts(128, 1)
    per_token = _timed(lm.loglikelihood, [_instance("loglikelihood", (prompt, " done."))]) \
        / max(_count(lm, prompt) + 2, 1)
    overhead = _call_overhead(lm, per_token)
    gen_prompt = "Zulu 77 wrote a long letter to the committee explaining"
    t_gen = _timed(lm.generate_until, [_instance("generate_until", (
        gen_prompt, {"until": [], "max_gen_toks": 16, "do_sample": False}))])
    gen = max((t_gen - per_token * _count(lm, gen_prompt) - overhead) / 16, per_token)
    return Rates(per_token, overhead, gen, "short probe of the loaded model "
                 f"({1 / per_token:.0f} prompt tokens/s, {1 / gen:.1f} generated tokens/s, "
                 f"{overhead * 1e3:.1f} ms per call); {_GEN_NOTE}")


_GEN_NOTE = f"generations assumed {GEN_FILL:.0%} of max_gen_toks"


def _call_overhead(lm, per_token: float) -> float:
    """Fixed cost of one model call beyond its tokens (MMLU pays it per question): eight short
    loglikelihoods of a few tokens each, in one batch."""
    from llmselect.speed_probe import _count

    shorts = [_instance("loglikelihood", (f"{w} {k} asked the clerk", " why."))
              for w, k in zip(("Alpha", "Bravo", "Delta", "Echo", "Golf", "Hotel", "Kilo",
                               "Lima"), ("then", "again", "once", "twice") * 2)]
    try:
        n = sum(_count(lm, i.args[0]) + 2 for i in shorts)
        return max((_timed(lm.loglikelihood, shorts) - per_token * n) / len(shorts), 0.0)
    except Exception:  # an endpoint without prompt logprobs: no per-call figure
        return 0.0


def machine_figures(seconds: float = 0.3) -> tuple[float, float]:
    """(fp32 matmul GFLOP/s, memory copy GB/s) measured now with numpy, all threads."""
    import numpy as np

    a = np.random.default_rng(0).standard_normal((1024, 1024), dtype=np.float32)
    flops, start, n = 0.0, time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        a @ a
        n += 1
    flops = 2 * 1024**3 * n / (time.perf_counter() - start) / 1e9
    src = np.ones(64 * 2**20 // 4, dtype=np.float32)
    dst = np.empty_like(src)
    best = min(_timed(np.copyto, dst, src) for _ in range(5))
    return flops, 2 * src.nbytes / best / 1e9


def estimate_rates(params_b: float, weights_bytes: float | None) -> Rates:
    """From the model's size and this machine's measured figures (no model loaded)."""
    gflops, gbps = machine_figures()
    per_token = 2 * params_b * 1e9 / (gflops * 1e9 * PREFILL_EFFICIENCY)
    weights_gb = (weights_bytes or params_b * 1e9 * 0.6) / 1e9
    gen = weights_gb / (gbps * GEN_EFFICIENCY)
    return Rates(per_token, CALL_OVERHEAD_S, gen, f"estimate from the model's size ({params_b:g}B params, "
                 f"{weights_gb:.2f} GB) and this machine now ({gflops:.0f} GFLOP/s fp32 matmul, "
                 f"{gbps:.1f} GB/s copy); not a probe of the model")

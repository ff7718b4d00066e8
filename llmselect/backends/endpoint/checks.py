"""Two questions asked of an endpoint before and after a bench: can it score loglikelihoods, and
how fast does it answer one request (streamed).

Prompt logprobs: multiple-choice tasks (MMLU, GPQA) score each answer by the log-probability of
its text after the question, which needs ``/completions`` with ``echo=true, logprobs=1``. Many
servers refuse (chat-only APIs), and some return numbers that are wrong: llama-cpp-python's
server shifts prompt logprobs by one token. So the probe checks consistency, not just presence:
it lets the server pick one greedy token after a prompt, then asks for the echoed logprobs of
prompt + that token; that token must be the top choice at its own position. Anything else means
"no usable prompt logprobs", and bench runs the generative variant of the task instead.

Speed: streamed completions, timed per request: time to first token (TTFT) and decode rate
(tokens after the first / time after the first), median and tail over several requests.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Any

from llmselect.backends.endpoint.http import EndpointClient
from llmselect.errors import EnvironmentProblem
from llmselect.run_schema import Speed

PROBE_PROMPT = "Question: What is the capital of France?\nAnswer: The capital of France is"
SPEED_PROMPT = ("The committee reviewed the annual budget, weighed the risks of each option and "
                "wrote down what it decided and why. Summarise the discussion in detail:\n")


@dataclass(frozen=True)
class LogprobSupport:
    usable: bool
    reason: str


def probe_prompt_logprobs(client: EndpointClient, model: str | None) -> LogprobSupport:
    """Does ``/completions`` return prompt logprobs that agree with the server's greedy choice?"""
    base = {"model": model, "temperature": 0, "seed": 1234}
    token = client.post_json("completions", {**base, "prompt": PROBE_PROMPT, "max_tokens": 1},
                             parse=lambda body: body["choices"][0]["text"])
    try:
        echoed = client.post_json("completions", {**base, "prompt": PROBE_PROMPT + token,
                                                  "max_tokens": 1, "echo": True, "logprobs": 1},
                                  parse=lambda body: body)
    except EnvironmentProblem as exc:  # 400/422: the server does not take echo/logprobs
        if "rejected the request (HTTP 4" in str(exc):
            return LogprobSupport(False, "the server rejects echo/logprobs requests")
        raise
    return _judge(echoed, len(PROBE_PROMPT), token)


def _judge(echoed: dict, prompt_chars: int, token: str) -> LogprobSupport:
    try:
        lp = echoed["choices"][0]["logprobs"]
        offsets, tops = lp["text_offset"], lp["top_logprobs"]
        values = lp["token_logprobs"]
    except (KeyError, IndexError, TypeError):
        return LogprobSupport(False, "the server returns no prompt logprobs (echo + logprobs)")
    positions = [i for i, off in enumerate(offsets) if off >= prompt_chars]
    if not token.strip() or not positions or not tops[positions[0]]:
        return LogprobSupport(False, "the server's prompt logprobs do not cover the prompt")
    i = positions[0]
    best = max(tops[i], key=tops[i].get)
    if lp["tokens"][i] != best or values[i] is None or values[i] < tops[i][best] - 1e-4:
        return LogprobSupport(False, f"the server's prompt logprobs are inconsistent with its own "
                              f"greedy choice ({lp['tokens'][i]!r} generated, {best!r} ranked "
                              f"first at that position: shifted by a token?)")
    return LogprobSupport(True, "prompt logprobs agree with the server's greedy choice")


def _percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (numpy's default), without numpy."""
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _one_stream(client: EndpointClient, payload: dict[str, Any]) -> tuple[float, float | None, int]:
    """(TTFT s, decode tokens/s or None, tokens) for one streamed completion."""
    start = time.perf_counter()
    first = last = None
    chunks = 0
    for t, event in client.stream("completions", payload):
        choices = event.get("choices") or []
        if choices and choices[0].get("text"):
            first = first if first is not None else t
            last, chunks = t, chunks + 1
    if first is None:
        raise EnvironmentProblem("endpoint streamed no text for the speed probe; run with "
                                 "--no-probe or check the server's streaming support")
    rate = (chunks - 1) / (last - first) if chunks > 1 and last > first else None
    return first - start, rate, chunks


def streaming_speed(client: EndpointClient, model: str | None, requests: int = 5,
                    max_tokens: int = 64) -> Speed:
    """Median and tail of TTFT and decode speed over ``requests`` streamed completions."""
    payload = {"model": model, "prompt": SPEED_PROMPT, "max_tokens": max_tokens, "temperature": 0,
               "seed": 1234}
    _one_stream(client, {**payload, "max_tokens": 2})  # warm-up: connection, prompt cache
    # a different first line per request: servers that reuse a cached prompt prefix
    # (llama.cpp, vLLM) must not turn TTFT into a cache hit
    samples = [_one_stream(client, {**payload, "prompt": f"Request {i + 1}. {SPEED_PROMPT}"})
               for i in range(requests)]
    ttfts = [s[0] for s in samples]
    rates = [s[1] for s in samples if s[1]]
    return Speed(
        ttft_s=statistics.median(ttfts), ttft_p95_s=_percentile(ttfts, 0.95),
        gen_tokens_per_s=statistics.median(rates) if rates else None,
        gen_tokens_per_s_p95=_percentile(rates, 0.05) if rates else None,
        method=f"endpoint streaming: {requests} sequential /completions requests of up to "
               f"{max_tokens} tokens after one warm-up; TTFT = first text chunk; tokens/s = "
               f"(chunks - 1) / (last - first chunk time), 1 chunk ~ 1 token; *_p95 = the slow "
               f"tail (95th percentile of TTFT, 5th percentile of tokens/s)")

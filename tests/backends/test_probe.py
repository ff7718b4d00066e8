"""The speed probe must never time a cache hit: each measurement gets its own prompt."""

from __future__ import annotations

import time

from llmselect.speed_probe import speed_probe


class _RecordingLM:
    """Charges 1 ms per character not already seen as a prefix: a prefix cache in miniature."""

    def __init__(self) -> None:
        self.prompts: list[str] = []

    def tok_encode(self, text: str) -> list[int]:
        return list(range(len(text.split())))

    def _cost(self, prompt: str) -> None:
        cached = max((len(_common_prefix(prompt, p)) for p in self.prompts), default=0)
        self.prompts.append(prompt)
        time.sleep((len(prompt) - cached) / 100_000)

    def loglikelihood(self, requests):
        for r in requests:
            self._cost(r.arguments[0])
        return [(-1.0, False) for _ in requests]

    def generate_until(self, requests):
        for r in requests:
            self._cost(r.arguments[0])
        n = requests[0].arguments[1]["max_gen_toks"]
        time.sleep(n / 1000)  # decoding costs per generated token
        return [" ".join(["word"] * n)]


def _common_prefix(a: str, b: str) -> str:
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    return a[:i]


def test_every_measurement_uses_a_prompt_that_shares_no_prefix():
    lm = _RecordingLM()
    speed = speed_probe(lm, prompt_tokens=256, gen_tokens=8, repeats=3)
    assert len(lm.prompts) == 7
    firsts = [p.split()[0] for p in lm.prompts]
    assert len(set(firsts)) == 7, "a repeated first token lets a prefix cache serve the probe"
    assert speed.prompt_tokens_per_s and speed.ttft_s and speed.gen_tokens_per_s
    assert "uncached" in speed.method

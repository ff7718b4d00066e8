"""The speed probe must never time a cache hit: each measurement gets its own prompt."""

from __future__ import annotations


from llmselect.speed_probe import speed_probe


class _Clock:
    """The probe's clock, advanced only by what the fake LM charges: no real sleeping, so the
    measured speeds do not depend on how loaded the machine running the test is."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class _RecordingLM:
    """Charges 10 us per character not already seen as a prefix: a prefix cache in miniature."""

    def __init__(self, clock: _Clock) -> None:
        self.prompts: list[str] = []
        self.clock = clock

    def tok_encode(self, text: str) -> list[int]:
        return list(range(len(text.split())))

    def _cost(self, prompt: str) -> None:
        cached = max((len(_common_prefix(prompt, p)) for p in self.prompts), default=0)
        self.prompts.append(prompt)
        self.clock.now += (len(prompt) - cached) / 100_000

    def loglikelihood(self, requests):
        for r in requests:
            self._cost(r.arguments[0])
        return [(-1.0, False) for _ in requests]

    def generate_until(self, requests):
        for r in requests:
            self._cost(r.arguments[0])
        n = requests[0].arguments[1]["max_gen_toks"]
        self.clock.now += n / 1000  # decoding costs per generated token
        return [" ".join(["word"] * n)]


def _common_prefix(a: str, b: str) -> str:
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    return a[:i]


def test_every_measurement_uses_a_prompt_that_shares_no_prefix(monkeypatch):
    from llmselect import speed_probe as probe_module

    clock = _Clock()
    monkeypatch.setattr(probe_module.time, "perf_counter", clock)
    lm = _RecordingLM(clock)
    speed = speed_probe(lm, prompt_tokens=256, gen_tokens=8, repeats=3)
    assert len(lm.prompts) == 7
    firsts = [p.split()[0] for p in lm.prompts]
    assert len(set(firsts)) == 7, "a repeated first token lets a prefix cache serve the probe"
    assert speed.prompt_tokens_per_s and speed.ttft_s and speed.gen_tokens_per_s
    assert "uncached" in speed.method

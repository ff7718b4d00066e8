"""A deterministic fake model (lm-eval name ``llmselect-fake``) for tests and ``--dry-run``.

WHY: unit tests of bench, resume, results and progress need lm-eval to run end to end in
milliseconds, with answers that are the same on every run (so resumed and uninterrupted runs can
be compared) and that depend on the request (so a wrong cache hit would change the score).
``delay`` slows each request (to interrupt a run mid-way in tests); ``count_file`` appends one
line per request actually computed (to prove a resumed run did not recompute finished ones).
``$LLMSELECT_FAKE_STALL_AFTER=N`` makes the model hang before its (N+1)-th request, so a test
can kill -9 it at a known point instead of racing a sleep; an environment variable, not a
model argument, so the killed and the resumed command keep one resume key.
"""

from __future__ import annotations

import hashlib
import os
import time
from typing import Any

from lm_eval.api.model import LM
from lm_eval.api.registry import register_model

LM_EVAL_NAME = "llmselect-fake"


def _h(*parts: Any) -> int:
    return int.from_bytes(hashlib.sha256(repr(parts).encode()).digest()[:8], "big")


@register_model(LM_EVAL_NAME)
class FakeLM(LM):
    def __init__(self, pretrained: str = "fake", seed: int | str = 0, delay: float | str = 0.0,
                 count_file: str | None = None, **_: Any) -> None:
        super().__init__()
        self.name, self.seed = pretrained, int(seed)
        self.delay, self.count_file = float(delay), count_file
        stall = os.environ.get("LLMSELECT_FAKE_STALL_AFTER")
        self.stall_after, self.computed = (int(stall) if stall else None), 0

    def _tick(self, kind: str) -> None:
        if self.stall_after is not None and self.computed >= self.stall_after:
            time.sleep(3600)  # killed here by the test
        self.computed += 1
        if self.delay:
            time.sleep(self.delay)
        if self.count_file:
            with open(self.count_file, "a", encoding="utf-8") as fh:
                fh.write(kind + "\n")

    def loglikelihood(self, requests, disable_tqdm: bool = False):
        out = []
        for req in requests:
            context, continuation = req.args
            self._tick("loglikelihood")
            h = _h(self.seed, context, continuation)
            out.append((-(h % 10_000) / 1000.0 - 0.01 * len(continuation), bool(h % 2)))
            self.cache_hook.add_partial("loglikelihood", req.args, out[-1])
        return out

    def loglikelihood_rolling(self, requests, disable_tqdm: bool = False):
        out = []
        for req in requests:
            self._tick("loglikelihood_rolling")
            out.append(-(_h(self.seed, req.args[0]) % 100_000) / 100.0)
            self.cache_hook.add_partial("loglikelihood_rolling", req.args, out[-1])
        return out

    def generate_until(self, requests, disable_tqdm: bool = False):
        out = []
        for req in requests:
            self._tick("generate_until")
            h = _h(self.seed, req.args[0])
            out.append(f" The answer is {h % 20}.")
            self.cache_hook.add_partial("generate_until", req.args, out[-1])
        return out

    def tok_encode(self, text: str, **_: Any) -> list[int]:
        """Whitespace 'tokens', so the speed probe has something to count."""
        return [_h(w) % 50_000 for w in text.split()]

"""ETA vs actual inside a real run, from the requests lm-eval hands the model.

WHY at hand-over and not before the run: building a task's requests is lm-eval's own work inside
``simple_evaluate`` (for MMLU: loading 57 subjects, tens of seconds); building them a second time
only to count them doubled that cost. So for the duration of one task the LM's three request
methods are wrapped: when lm-eval (through its request cache) hands over a batch, before the
first request is evaluated, the batch is counted with ``requests.count`` (the same count as
``bench --plan``) and its time predicted with the rates of the run's one speed probe
(``eta.rates_from_speed``). After the task the prediction stands next to the measured time:
the model part alone (what was predicted) and the whole task (the measured build time added).
Resumed requests answered from the cache never reach the LM, so they are neither counted nor
predicted.
"""

from __future__ import annotations

import time
from typing import Any

from llmselect.bench import eta as eta_mod
from llmselect.bench.requests import TaskCount, count
from llmselect.config.suite_schema import SuiteTask

REQUEST_METHODS = ("loglikelihood", "loglikelihood_rolling", "generate_until")


class RequestMeter:
    """Context manager around one task's evaluation on ``lm``; ``note(wall)`` afterwards."""

    def __init__(self, lm: Any, task: SuiteTask, rates: eta_mod.Rates, backend: str) -> None:
        self.lm, self.task, self.rates, self.backend = lm, task, rates, backend
        self.counts: list[TaskCount] = []
        self.predicted_model_s = 0.0
        self.model_s = 0.0
        self.count_s = 0.0  # what counting itself cost (reported: it must stay small)
        self.first_call_s: float | None = None
        self._started = 0.0
        self._inside = False

    def __enter__(self) -> RequestMeter:
        self._started = time.monotonic()
        for name in REQUEST_METHODS:
            if hasattr(self.lm, name):
                setattr(self.lm, name, self._wrap(getattr(self.lm, name)))
        return self

    def __exit__(self, *exc) -> None:
        for name in REQUEST_METHODS:
            self.lm.__dict__.pop(name, None)  # the instance attribute set above: the class's again

    def _wrap(self, method):
        def metered(requests, *args, **kwargs):
            if self._inside:  # a backend calling its own request methods: counted once
                return method(requests, *args, **kwargs)
            t0 = time.monotonic()
            if self.first_call_s is None:
                self.first_call_s = t0 - self._started
            c = count(self.task, list(requests), self.lm,
                      prefix_sharing=self.backend == "llamacpp",
                      max_length=getattr(self.lm, "max_length", None))
            self.counts.append(c)
            self.predicted_model_s += eta_mod.task_eta(c, self.rates)  # c.build_s is 0 here
            t1 = time.monotonic()
            self.count_s += t1 - t0
            self._inside = True
            try:
                return method(requests, *args, **kwargs)
            finally:
                self._inside = False
                self.model_s += time.monotonic() - t1
        return metered

    @property
    def requests(self) -> int:
        return sum(sum(c.requests.values()) for c in self.counts)

    def note(self, wall_s: float) -> str:
        """The result file's line (``benchmarks/bench_eta.py`` parses its first part)."""
        key = self.task.key
        if not self.counts:
            return f"ETA {key}: none (every request came from the request cache)"
        other = max(wall_s - self.model_s - self.count_s, 0.0)  # building, metrics, saving
        predicted = self.predicted_model_s + other
        return (f"ETA {key}: predicted {predicted:.1f} s, actual {wall_s:.1f} s "
                f"(actual/predicted {wall_s / predicted:.2f}; model part predicted "
                f"{self.predicted_model_s:.1f} s for {self.requests} requests, "
                f"{sum(c.evaluated for c in self.counts)} tokens evaluated, actual "
                f"{self.model_s:.1f} s (ratio {self.model_s / max(self.predicted_model_s, 1e-9):.2f})"
                f"; {other:.1f} s lm-eval building and scoring, measured; counting took "
                f"{self.count_s:.2f} s)")

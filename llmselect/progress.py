"""Progress of a bench run on stderr: one bar over tasks, one over the requests being computed.

WHY hook the LM and not lm-eval's tqdm: every backend reports each computed request through
lm-eval's cache hook (``cache_hook.add_partial``), and CachingLM hands the LM only the requests
not already cached, so wrapping those two points counts exactly the work left, with a real ETA,
for any backend. lm-eval's own tqdm bars and INFO logs are silenced unless ``--verbose``.
"""

from __future__ import annotations

import logging
import os
import warnings
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

REQUEST_METHODS = ("loglikelihood", "loglikelihood_rolling", "generate_until")


def quiet_engines(verbose: bool) -> None:
    """Silence lm-eval/transformers/datasets chatter (call before importing them)."""
    if verbose:
        return
    os.environ.setdefault("TQDM_DISABLE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("DATASETS_VERBOSITY", "error")
    for name in ("lm_eval", "lm-eval", "transformers", "datasets", "huggingface_hub", "httpx",
                 "llmselect.backends", "accelerate"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=UserWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    _silence_tqdm()


def _silence_tqdm() -> None:
    """lm-eval passes ``disable=`` explicitly, which beats TQDM_DISABLE: force it off. Without
    tqdm (the light install) there is nothing to silence; the bench plan then says what to
    install."""
    try:
        import tqdm.std
    except ImportError:
        return

    init = tqdm.std.tqdm.__init__
    if getattr(init, "_llmselect_quiet", False):
        return

    def quiet_init(self, *args, **kwargs):
        kwargs["disable"] = True
        init(self, *args, **kwargs)

    quiet_init._llmselect_quiet = True
    tqdm.std.tqdm.__init__ = quiet_init


class _ProgressHook:
    """Stands in for lm-eval's CacheHook: stores the result as before, then ticks the bar."""

    def __init__(self, inner: Any, progress: BenchProgress) -> None:
        self.inner, self.progress = inner, progress

    def add_partial(self, attr: str, req: Any, res: Any) -> None:
        if self.inner is not None:
            self.inner.add_partial(attr, req, res)
        self.progress.advance_requests(1)


class BenchProgress:
    def __init__(self, n_tasks: int, enabled: bool = True) -> None:
        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(),
                            console=Console(stderr=True), disable=not enabled, transient=False)
        self.tasks_id = self.bar.add_task("tasks", total=n_tasks)
        self.requests_id = self.bar.add_task("requests", total=0, visible=False)

    def __enter__(self) -> BenchProgress:
        self.bar.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.bar.stop()

    def start_task(self, name: str) -> None:
        self.bar.update(self.requests_id, description=f"  {name}", total=0, completed=0,
                        visible=True)
        self.bar.reset(self.requests_id, total=0)

    def add_requests(self, n: int) -> None:
        total = (self.bar.tasks[self.requests_id].total or 0) + n
        self.bar.update(self.requests_id, total=total)

    def advance_requests(self, n: int) -> None:
        self.bar.advance(self.requests_id, n)

    def finish_task(self, skipped: bool = False) -> None:
        self.bar.advance(self.tasks_id, 1)

    def attach(self, lm: Any) -> None:
        """Count requests handed to ``lm`` and each one it computes (see module doc)."""
        for method in REQUEST_METHODS:
            original = getattr(lm, method, None)
            if original is not None:
                setattr(lm, method, self._counting(original))
        original_set_hook = lm.set_cache_hook
        lm.set_cache_hook = lambda hook: original_set_hook(_ProgressHook(hook, self))
        original_set_hook(_ProgressHook(getattr(lm, "cache_hook", None), self))

    def _counting(self, method):
        def run(requests, *args, **kwargs):
            self.add_requests(len(requests))
            return method(requests, *args, **kwargs)

        return run

"""The optional hooks a backend's lm-eval LM may offer to the bench loop, declared in one place.

WHY a Protocol: the loop used to find these with ``getattr`` and nobody could tell which names
a backend may implement. Each hook is optional; ``lm_hooks`` returns the ones an LM has.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Protocol, runtime_checkable

from llmselect.config.suite_schema import SuiteTask
from llmselect.run_schema import Speed


@runtime_checkable
class NotesHook(Protocol):
    """Facts about how the LM scores (e.g. "scored from a bf16 copy of the weights"),
    copied into the run's notes."""

    run_notes: list[str]


@runtime_checkable
class SpeedProbeHook(Protocol):
    """An LM that measures its own speed (endpoints time streamed requests)."""

    def speed_probe(self) -> Speed: ...


@runtime_checkable
class AdaptTaskHook(Protocol):
    """An LM that must run a stand-in for a task it cannot score as written (an endpoint
    without prompt logprobs runs MMLU/GPQA generatively); returns the task and a note."""

    def adapt_task(self, task: SuiteTask) -> tuple[SuiteTask, str | None]: ...


@dataclass
class LmHooks:
    notes: list[str]
    speed_probe: Callable[[], Speed] | None
    adapt_task: Callable[[SuiteTask], tuple[SuiteTask, str | None]] | None


def lm_hooks(lm: Any) -> LmHooks:
    """The hooks ``lm`` implements (missing ones are empty/None)."""
    return LmHooks(
        notes=list(lm.run_notes) if isinstance(lm, NotesHook) else [],
        speed_probe=lm.speed_probe if isinstance(lm, SpeedProbeHook) else None,
        adapt_task=lm.adapt_task if isinstance(lm, AdaptTaskHook) else None,
    )

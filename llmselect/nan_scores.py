"""Scores that are not a number, made explicit for readers that rank or average them.

WHY: lm-eval reports NaN where no value exists (pass@k with fewer samples than k, a stderr of
one item). The run file keeps it (``run_schema`` writes ``"NaN"``), so nothing measured is
lost; but a NaN fed into a ranking poisons every total it touches, and a NaN compared with a
threshold is always False, so it would pass a gate. Each reader therefore decides in the open:
the recommendation leaves the NaN score out (the published number, if any, stands) and says
so on stderr; the gate fails it (``gate.judge_not_a_number``).
"""

from __future__ import annotations

import math
import sys
from typing import Callable, Iterable

from llmselect.run_schema import RunResult


def nan_tasks(run: RunResult) -> list[str]:
    """Keys of the tasks whose main score is NaN."""
    return [key for key, task in run.tasks.items() if math.isnan(task.value)]


def warn_nan(messages: list[str]) -> None:
    for message in messages:
        print(f"llmselect: warning: {message}", file=sys.stderr)


def drop_nan_scores(runs: Iterable[RunResult],
                    on_nan: Callable[[list[str]], None] | None = warn_nan) -> list[RunResult]:
    """The runs with every NaN-scored task left out (copies; the files are untouched), each
    such task named through ``on_nan``."""
    out, messages = [], []
    for run in runs:
        bad = nan_tasks(run)
        if not bad:
            out.append(run)
            continue
        messages += [f"run {run.run_id}: task {key} scored NaN (not a number); left out of the "
                     "ranking, its published score (if any) is used" for key in bad]
        kept = {k: t for k, t in run.tasks.items() if k not in bad}
        out.append(run.model_copy(update={"tasks": kept}))
    if messages and on_nan is not None:
        on_nan(messages)
    return out

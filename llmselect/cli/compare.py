"""``llmselect compare`` (runs side by side with significance) and ``llmselect gate`` (the CI
check: exit 0 pass, 1 regression, 2 usage error)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer

from llmselect.cli.output import (
    FORMAT_OPTION,
    OutputFormat,
    emit,
    err_console,
    wide_console,
)

DIR_OPTION = typer.Option(None, "--dir", "-d", help="Results folder for run ids and model names "
                          "(default $LLMSELECT_RESULTS_DIR or ./results).")
TASK_OPTION = typer.Option(None, "--task", "-t", help="Only this task key (repeatable; default: "
                           "every task both runs have).")
FORCE_OPTION = typer.Option(False, "--force", help="Compare even when shots, limits, task "
                            "versions or data differ (the differences are reported).")
CONFIDENCE_OPTION = typer.Option(0.95, "--confidence", min=0.5, max=0.999,
                                 help="Confidence level of the intervals.")
ALPHA_OPTION = typer.Option(0.05, "--alpha", min=0.0001, max=0.5,
                            help="Significance level: p below it counts as a real difference.")


def register(app: typer.Typer) -> None:
    app.command("compare")(compare)
    app.command("gate")(gate)


def _tasks(task: Optional[list[str]]) -> Optional[list[str]]:
    """--task accepts repeats and comma-separated lists."""
    if not task:
        return None
    return [t.strip() for item in task for t in item.split(",") if t.strip()]


def compare(
    runs: list[str] = typer.Argument(..., help="Baseline first, then candidates: result files, "
                                     "results folders, run ids, or models (their latest run)."),
    task: Optional[list[str]] = TASK_OPTION,
    folder: Optional[Path] = DIR_OPTION,
    force: bool = FORCE_OPTION,
    confidence: float = CONFIDENCE_OPTION,
    alpha: float = ALPHA_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Compare runs task by task: deltas with intervals and p-values (paired when both runs
    kept per-item results), speed and memory as ratios. The first run is the baseline."""
    from llmselect import compare as cmp
    from llmselect.errors import UserError

    if len(runs) < 2:
        raise UserError("compare needs at least two runs: a baseline and a candidate")
    _check_folder(folder)
    loaded = cmp.resolve_runs(list(runs), folder)
    pairs = [cmp.compare_runs(loaded[0], other, tasks=_tasks(task), force=force,
                              confidence=confidence) for other in loaded[1:]]
    _render(pairs, fmt, alpha)


def _check_folder(folder: Optional[Path]) -> None:
    """--dir given explicitly must be a results folder (else 'no run found' hides the typo)."""
    if folder is not None:
        from llmselect import store

        store.check_results_folder(folder)


def _render(pairs, fmt: OutputFormat, alpha: float) -> None:
    import sys

    from llmselect.compare import all_notes
    from llmselect.render import compare as cmp

    if fmt == OutputFormat.json:
        emit([], fmt, payload={"alpha": alpha, "comparisons": [cmp.pair_payload(p) for p in pairs]})
        return
    if fmt == OutputFormat.markdown:
        sys.stdout.write(cmp.markdown_report(pairs, alpha))
        return
    base = pairs[0].baseline
    rows = [row for p in pairs for row in cmp.task_rows(p, alpha)]
    ratios = [row for p in pairs for row in cmp.ratio_table(p)]
    if len(pairs) == 1:  # the candidate is named in the title
        rows = [{k: v for k, v in r.items() if k != "candidate"} for r in rows]
        ratios = [{k: v for k, v in r.items() if k != "candidate"} for r in ratios]
    title = (f"{pairs[0].candidate.label} vs baseline {base.label}" if len(pairs) == 1
             else f"vs baseline {base.label}") + f" ({base.run.run_id}); * = p < {alpha:g}"
    if fmt != OutputFormat.table:
        emit(rows, fmt, title=title)
        return
    out = wide_console()
    out.print(_table(rows, title))
    if ratios:
        out.print(_table(ratios, "speed and memory (ratio = candidate / baseline)"))
    for p in pairs:
        for note in all_notes(p):
            err_console.print(f"note: {note}", highlight=False)


def _table(rows: list[dict], title: str):
    from llmselect.render.tables import rich_table

    return rich_table(rows, title)


def gate(
    baseline: str = typer.Option(..., "--baseline", "-b", help="Result file, results folder, "
                                 "run id or model (its latest run)."),
    candidate: str = typer.Option(..., "--candidate", "-c", help="Same forms as --baseline."),
    max_drop: float = typer.Option(..., "--max-drop", help="Largest allowed drop per "
                                   "task, in percentage points (e.g. 2 = two points of "
                                   "accuracy)."),
    task: Optional[list[str]] = TASK_OPTION,
    junit: Optional[Path] = typer.Option(None, "--junit", help="Write JUnit XML (one test case "
                                         "per task) to this file."),
    max_slowdown: Optional[float] = typer.Option(None, "--max-slowdown", help="Fail when the "
                                                 "candidate is more than this factor slower "
                                                 "(e.g. 1.25)."),
    folder: Optional[Path] = DIR_OPTION,
    force: bool = FORCE_OPTION,
    alpha: float = ALPHA_OPTION,
    confidence: float = CONFIDENCE_OPTION,
    adjust: str = typer.Option("holm", "--adjust", help="Multiple-task correction of the "
                               "p-values: holm (default) or none."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """CI gate: exit 1 when a task dropped by more than --max-drop points with significance
    (or the candidate is slower than --max-slowdown), 0 otherwise, 2 on a usage error.
    Writes a Markdown summary to $GITHUB_STEP_SUMMARY when set."""
    from llmselect import compare as cmp
    from llmselect.errors import RegressionFound
    from llmselect.gate import evaluate_gate, summary_markdown

    _check_folder(folder)
    base, cand = cmp.resolve_runs([baseline, candidate], folder)
    pair = cmp.compare_runs(base, cand, tasks=_tasks(task), force=force, confidence=confidence)
    result = evaluate_gate(pair, max_drop, alpha, max_slowdown, force, adjust)
    _render([pair], fmt, alpha)
    if junit is not None:
        from llmselect.render.junit import write_junit

        write_junit(result, junit)
        err_console.print(f"JUnit: {junit}")
    from llmselect.render.compare import markdown_report

    _step_summary(summary_markdown(result, markdown_report([pair], alpha)))
    for case in result.cases:
        if case.status == "warn":
            err_console.print(f"warning: {case.message}")
    if not result.passed:
        raise RegressionFound("regression: " + "; ".join(result.regressions))
    err_console.print(f"gate passed: {len(result.cases)} checks, no task dropped more than "
                      f"{max_drop:g} pts with significance")


def _step_summary(text: str) -> None:
    """Append to GitHub's job summary file when running in Actions."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    try:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        err_console.print(f"warning: cannot write $GITHUB_STEP_SUMMARY ({exc.strerror})")

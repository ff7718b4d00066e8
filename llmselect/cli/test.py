"""``llmselect test``: run an own suite on a model and fail CI when its checks fail."""

from __future__ import annotations

from pathlib import Path

import typer

from llmselect.cli.output import FORMAT_OPTION, OutputFormat, emit


def register(app: typer.Typer) -> None:
    app.command("test")(test)


def test(
    suite: str = typer.Option(..., "--suite", help="An own suite (from `llmselect suite new`)"),
    model: str = typer.Option(..., "--model", help="Model spec: alias, .gguf, hf:org/name, endpoint:URL"),
    junit: Path = typer.Option(None, "--junit", help="Write JUnit XML: one case per checked item or tag"),
    backend: str = typer.Option(None, "--backend", help="Backend override (hf, llamacpp, endpoint...)"),
    output: Path = typer.Option(None, "--output", help="Results folder (default ./results)"),
    probe: bool = typer.Option(True, "--probe/--no-probe", help="Measure speed after the run, as bench does"),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Bench MODEL on SUITE (resumable, like `bench`), then check its must-pass items and tag
    thresholds. Exit 1 when a check fails. Writes a Markdown summary to $GITHUB_STEP_SUMMARY."""
    from llmselect.bench import BenchRequest, run_bench
    from llmselect.cli.compare import _step_summary
    from llmselect.cli.output import err_console
    from llmselect.config.suite_schema import load_suite
    from llmselect.errors import RegressionFound, UserError
    from llmselect.ownsuite import checks
    from llmselect.render.junit import write_junit_cases
    from llmselect.store import load_run

    own = load_suite(suite)
    if own.own is None:
        raise UserError(f"suite {own.name!r} is not an own suite; `llmselect test` checks suites "
                        "made by `llmselect suite new` (use `llmselect gate` for public ones)")
    checks.validate_checks(own)
    path = run_bench(BenchRequest(model=model, suite=suite, backend=backend, output=output,
                                   probe=probe))
    run = load_run(path)
    result = checks.evaluate(own, checks.load_items(own, run, path.parent))
    _judge_note(run, own, err_console)
    if not result.cases:
        err_console.print(f"warning: suite {own.name!r} has no must_pass items and no thresholds: "
                          "nothing can fail; add own.checks in its YAML or a must_pass column")
    emit([{"check": c.name, "status": c.status, "message": c.message} for c in result.cases], fmt,
         title=f"llmselect test {own.name} on {run.model.spec}")
    if junit:
        write_junit_cases(result, junit, f"llmselect test {own.name}")
    _step_summary(checks.summary_markdown(own, run, result))
    if not result.passed:
        raise RegressionFound(f"{len(result.regressions)} of {len(result.cases)} checks failed on "
                              f"suite {own.name!r}: {result.regressions[0]}")


def _judge_note(run, suite, console) -> None:
    """Malformed verdicts and self-agreement are reported, never hidden in the score."""
    task = run.tasks.get(suite.tasks[0].key)
    if task is None or "judge" not in suite.own.metrics:
        return
    extra = task.extra_metrics
    mal, agree = extra.get("judge_malformed,none"), extra.get("judge_agreement,none")
    console.print(f"judge: {_pct(mal)} of verdicts malformed (left out of the judge score); "
                  f"self-agreement on rechecked items: {_pct(agree)}")


def _pct(x) -> str:
    return "n/a" if x is None else f"{x * 100:.0f} %"

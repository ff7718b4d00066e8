"""``llmselect recommend``: rank the catalog for a profile and explain the ranking.

Parses options, calls ``llmselect.recommendation`` and renders with ``llmselect.render.recommendation``. Data (ranked table, excluded
models, the why-first line) goes to stdout; which runs were used and other diagnostics to stderr.
"""

from __future__ import annotations

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


def register(app: typer.Typer) -> None:
    app.command("recommend")(recommend)


def recommend(
    profile: str = typer.Option(..., "--profile", "-p", help="Profile name (see `llmselect profiles`) or YAML path."),
    top: int = typer.Option(10, "--top", "-n", min=1, help="How many ranked models to show."),
    fmt: OutputFormat = FORMAT_OPTION,
    explain: Optional[str] = typer.Option(None, "--explain", help="Show every criterion, fact and source for one model id."),
    results: Optional[Path] = typer.Option(None, "--results", help="Results folder with measured runs (default: $LLMSELECT_RESULTS_DIR or ./results)."),
    hardware: Optional[str] = typer.Option(None, "--hardware", help="'local': target this machine's detected hardware instead of the profile's."),
    models: Optional[str] = typer.Option(None, "--models", "-m", metavar="ID,ID,...", help="Rank only this shortlist (ids or aliases, comma-separated); overrides the profile's `models:`."),
    wide: bool = typer.Option(False, "--wide", help="Table: add each criterion's contribution and the key facts, printed whole even past the terminal's width (pipe into `less -S`)."),
) -> None:
    """Rank the catalog's models for a profile: totals with intervals, p(#1), cost, why."""
    from llmselect.recommendation import build_recommendation, parse_shortlist
    from llmselect.render import explain as explain_view
    from llmselect.render import recommendation as view

    inputs = build_recommendation(profile, results, hardware, parse_shortlist(models))
    _diagnostics(inputs.rec, inputs.runs)
    if explain:
        explain_view.explain(inputs.rec, inputs.catalog, explain, fmt, wide_console(),
                             err_console, emit)
    else:
        view.render(inputs.rec, top, fmt, wide_console(wide), emit, wide=wide)


def _diagnostics(rec, runs) -> None:
    if rec.measured_runs:
        elsewhere = {r.run_id for r in runs if getattr(r, "imported", None) is not None}
        shown = [f"{r} (measured elsewhere)" if r in elsewhere else r for r in rec.measured_runs]
        err_console.print(f"using {len(rec.measured_runs)} measured run(s): {', '.join(shown)}",
                          soft_wrap=True)
    from llmselect.scoring.measured import unlinked as unlinked_runs

    unlinked = unlinked_runs(runs)
    if unlinked:
        err_console.print(f"ignored {len(unlinked)} run(s) not linked to a catalog model: "
                          f"{', '.join(unlinked[:5])}")

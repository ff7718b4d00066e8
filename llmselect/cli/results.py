"""``llmselect results``: list and filter bench runs; export them as CSV or Parquet."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from llmselect.cli.output import FORMAT_OPTION, OutputFormat, emit, err_console


def register(app: typer.Typer) -> None:
    from llmselect.cli.results_import import import_results

    group = typer.Typer(help="List recorded runs; `results import` adds lm-eval output.",
                        invoke_without_command=True)
    group.callback()(results)
    group.command("import")(import_results)
    app.add_typer(group, name="results")


def results(
    ctx: typer.Context,
    folder: Optional[Path] = typer.Option(None, "--dir", "-d", help="Results folder (default "
                                          "$LLMSELECT_RESULTS_DIR or ./results)."),
    model: Optional[str] = typer.Option(None, "--model", "-m", help="Only this model (id/spec)."),
    suite: Optional[str] = typer.Option(None, "--suite", "-s", help="Only this suite."),
    benchmark: Optional[str] = typer.Option(None, "--benchmark", help="Only this benchmark."),
    backend: Optional[str] = typer.Option(None, "--backend", help="Only this backend."),
    complete: bool = typer.Option(False, "--complete", help="Only finished runs."),
    export: Optional[Path] = typer.Option(None, "--export", help="Write the rows to a .csv or "
                                          ".parquet file."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """List recorded bench runs, one row per task."""
    if ctx.invoked_subcommand is not None:
        return
    from llmselect import store
    from llmselect.errors import UserError

    if folder is not None:
        store.check_results_folder(folder)
    df = store.runs_frame(store.load_runs(folder))
    if not df.empty:
        for column, value in (("suite", suite), ("benchmark", benchmark), ("backend", backend)):
            if value:
                df = df[df[column] == value]
        if model:
            df = df[(df["model"] == model) | (df["spec"] == model)]
        if complete:
            df = df[df["status"] == "complete"]
    if export is not None:
        if export.suffix not in {".csv", ".parquet"}:
            raise UserError(f"--export {export}: use a .csv or .parquet file name")
        _export(df, export)
        err_console.print(f"wrote {len(df)} rows to {export}")
        return
    shown = ["run_id", "status", "model", "backend", "suite", "task", "metric", "value",
             "stderr", "n", "sampled", "prompt_tok_s", "gen_tok_s", "peak_rss_mb", "measured"]
    view = df[[c for c in shown if c in df.columns]] if not df.empty else df
    rows = view.astype(object).where(view.notna(), None).to_dict("records")
    if fmt == OutputFormat.table and rows:   # at 80 columns: the columns that fit, named
        from llmselect.cli.output import wide_console
        from llmselect.render.fitted import print_fitted

        print_fitted(wide_console(), rows, title=f"{df['run_id'].nunique()} runs",
                     optional=("peak_rss_mb", "prompt_tok_s", "gen_tok_s", "sampled",
                               "backend", "suite", "metric", "model", "status", "n"),
                     hint="--format json or --export FILE.csv")
        return
    emit(rows, fmt, title=f"{df['run_id'].nunique() if not df.empty else 0} runs",
         payload=df.astype(object).where(df.notna(), None).to_dict("records"))


def _export(df, export: Path) -> None:
    """CSV or Parquet through a temp file: a failed export leaves the old file as it was."""
    from llmselect.errors import EnvironmentProblem
    from llmselect.fileio import atomic_output, cannot_write

    try:
        with atomic_output(export) as tmp:
            df.to_csv(tmp, index=False) if export.suffix == ".csv" else df.to_parquet(tmp)
    except ImportError:
        raise EnvironmentProblem("Parquet export needs pyarrow: pip install pyarrow") from None
    except OSError as exc:
        raise cannot_write(export, exc, "choose another --export path") from None

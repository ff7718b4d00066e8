"""``llmselect results import FILE...``: lm-eval output files -> runs (measured elsewhere)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from llmselect.cli.output import FORMAT_OPTION, OutputFormat, emit, err_console


def import_results(
    files: List[Path] = typer.Argument(..., help="lm-eval results_*.json files (or folders "
                                       "holding them); samples_*.jsonl beside them are read too."),
    model: Optional[str] = typer.Option(None, "--model", "-m", help="Catalog id the results "
                                        "count for (default: the model name lm-eval recorded)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Results folder "
                                          "(default $LLMSELECT_RESULTS_DIR or ./results)."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Import lm-eval's own output as runs measured elsewhere, for recommend, compare, gate."""
    from llmselect.results_import.convert import import_file
    from llmselect.results_import.lmeval_files import expand
    from llmselect.store import results_dir

    out_dir = results_dir(output)
    rows = []
    for path in expand(files):
        run, saved, warnings = import_file(path, out_dir, model)
        for warning in warnings:
            err_console.print(f"warning: {warning}", markup=False, soft_wrap=True)
        if run is None:
            continue
        err_console.print(f"imported {path} -> {saved}", markup=False, soft_wrap=True)
        for key, t in run.tasks.items():
            rows.append({"run_id": run.run_id, "model": run.model.catalog_id, "task": key,
                         "metric": t.metric, "value": t.value, "stderr": t.stderr, "n": t.n,
                         "shots": t.num_fewshot, "samples": bool(t.samples_file),
                         "measured": "elsewhere"})
    emit(rows, fmt, title=f"{len({r['run_id'] for r in rows})} runs imported")

"""Rendering shared by every command that prints data: ``--format table|json|markdown|csv``.

Data goes to stdout, diagnostics to stderr (``err_console``) so ``--format json`` pipes cleanly.
Commands build a list of row dicts (or a pandas DataFrame) and hand it here; the text of the
cells and tables comes from ``llmselect.render``.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import typer
from rich.console import Console

from llmselect.render.formats import OutputFormat
from llmselect.render.tables import markdown_table, rich_table

console = Console()
err_console = Console(stderr=True)


def wide_console(wide: bool = False) -> Console:
    """The console data tables print on, read fresh so the width is the one of this call:
    the terminal's width; when piped (CI logs, files), ``$COLUMNS`` when set, else 80, as a
    person's terminal would be, or 200 for ``wide`` output (``recommend --wide``: the full
    matrix stays readable in a log rather than folded). Tables fit that width; they never
    force a wider one."""
    fresh = Console()
    if fresh.is_terminal or os.environ.get("COLUMNS", "").strip().isdigit():
        return fresh
    return Console(width=200 if wide else 80)


FORMAT_OPTION = typer.Option(
    OutputFormat.table, "--format", "-f", help="Output format.", case_sensitive=False
)


def emit(rows: list[dict[str, Any]], fmt: OutputFormat, *, title: str | None = None,
         payload: Any = None) -> None:
    """Print ``rows`` in ``fmt``. JSON prints ``payload`` when given (richer than the rows)."""
    if fmt == OutputFormat.json:
        sys.stdout.write(json.dumps(payload if payload is not None else rows, indent=2,
                                    default=str, ensure_ascii=False) + "\n")
        return
    columns = list(dict.fromkeys(k for row in rows for k in row))
    if fmt == OutputFormat.csv:
        import csv

        writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in columns})
        return
    if fmt == OutputFormat.markdown:
        sys.stdout.write(markdown_table(rows, columns, title=title))
        return
    console.print(rich_table(rows, title))

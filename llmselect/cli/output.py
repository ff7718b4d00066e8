"""Rendering shared by every command that prints data: ``--format table|json|markdown|csv``.

Data goes to stdout, diagnostics to stderr (``err_console``) so ``--format json`` pipes cleanly.
Commands build a list of row dicts (or a pandas DataFrame) and hand it here; the text of the
cells and tables comes from ``llmselect.render``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
from rich.console import Console

from llmselect.render.formats import OutputFormat
from llmselect.render.tables import markdown_table, rich_table

console = Console()
err_console = Console(stderr=True)


def wide_console() -> Console:
    """The terminal's console; when piped (CI logs, files), 200 columns instead of rich's 80,
    so wide tables stay readable rather than folded into ellipses."""
    return console if console.is_terminal else Console(width=200)


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

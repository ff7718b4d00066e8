"""Rendering shared by every command that prints data: ``--format table|json|markdown|csv``.

Data goes to stdout, diagnostics to stderr (``err_console``) so ``--format json`` pipes cleanly.
Commands build a list of row dicts (or a pandas DataFrame) and hand it here.
"""

from __future__ import annotations

import enum
import json
import sys
from typing import Any

import typer
from rich.console import Console

console = Console()
err_console = Console(stderr=True)


def wide_console() -> Console:
    """The terminal's console; when piped (CI logs, files), 200 columns instead of rich's 80,
    so wide tables stay readable rather than folded into ellipses."""
    return console if console.is_terminal else Console(width=200)


class OutputFormat(str, enum.Enum):
    table = "table"
    json = "json"
    markdown = "markdown"
    csv = "csv"


FORMAT_OPTION = typer.Option(
    OutputFormat.table, "--format", "-f", help="Output format.", case_sensitive=False
)


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    return str(value)


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
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for col in columns:
        table.add_column(col)
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    console.print(table)


def markdown_table(rows: list[dict[str, Any]], columns: list[str] | None = None, *,
                   title: str | None = None) -> str:
    """A GitHub-flavoured Markdown table (pull-request comments, step summaries)."""
    columns = columns or list(dict.fromkeys(k for row in rows for k in row))
    out = [f"### {title}\n"] if title else []
    out.append("| " + " | ".join(columns) + " |")
    out.append("|" + "|".join("---" for _ in columns) + "|")
    for row in rows:
        out.append("| " + " | ".join(_cell(row.get(c)).replace("|", "\\|") for c in columns) + " |")
    return "\n".join(out) + "\n"

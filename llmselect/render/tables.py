"""Rows of plain values -> text: the cell format, Markdown tables and rich tables every command
shares, so a number looks the same in a terminal, a PR comment and a step summary."""

from __future__ import annotations

from typing import Any


def cell(value: Any) -> str:
    """One value as table text: None is an em dash, floats keep 4 significant digits."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(cell(v) for v in value)
    return str(value)


def columns_of(rows: list[dict[str, Any]]) -> list[str]:
    """Every key of every row, first-seen order."""
    return list(dict.fromkeys(k for row in rows for k in row))


def markdown_table(rows: list[dict[str, Any]], columns: list[str] | None = None, *,
                   title: str | None = None) -> str:
    """A GitHub-flavoured Markdown table (pull-request comments, step summaries)."""
    columns = columns or columns_of(rows)
    out = [f"### {title}\n"] if title else []
    out.append("| " + " | ".join(columns) + " |")
    out.append("|" + "|".join("---" for _ in columns) + "|")
    for row in rows:
        out.append("| " + " | ".join(cell(row.get(c)).replace("|", "\\|") for c in columns) + " |")
    return "\n".join(out) + "\n"


def rich_table(rows: list[dict[str, Any]], title: str | None = None, *, keys: int = 1,
               **options: Any):
    """A rich Table of ``rows`` (columns: every key, first-seen order) that never cuts a value
    to "…" at any width: the first ``keys`` columns (ids) and numeric columns never wrap, so
    rich narrows the text columns instead, which wrap at spaces and fold words longer than
    their column (a long licence id folds; it is not lost)."""
    from rich.table import Table

    table = Table(title=title, **options)
    columns = columns_of(rows)
    for i, col in enumerate(columns):
        values = [row.get(col) for row in rows]
        numeric = all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))
                      for v in values)
        if i < keys or numeric:
            table.add_column(col, no_wrap=True, justify="right" if numeric and i >= keys else "left")
        else:
            table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*(cell(row.get(c)) for c in columns))
    return table

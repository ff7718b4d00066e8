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
    """``rows`` as a renderable that never cuts a value to "…": a rich Table when every
    column fits the console with its longest word whole, else one block per row (see
    ``FittingTable``)."""
    return FittingTable(rows, title, keys=keys, **options)


def _words(text: str) -> list[str]:
    return text.split() or [""]


GAP = 2  # between two columns: collapsed padding and an invisible divider; no outer border


class FittingTable:
    """Rows that choose their layout at render time, from the width they are given.

    Why not a plain rich Table: below its natural width rich narrows every column, folding
    ids, task names and source keys mid-word and cutting numbers to "…", and with minimum
    widths it can overrun the console and lose the right edge. Here the widths are computed
    first: the first ``keys`` columns (ids) and numeric columns keep their full width, text
    columns give up width widest first but never below their longest word, and the table is
    borderless (a rule under the header) so the data gets the columns. When even that cannot
    fit, each row becomes a block: its id, then one indented 'column: value' line per known
    value, wrapped to the width."""

    def __init__(self, rows: list[dict[str, Any]], title: str | None = None, *, keys: int = 1,
                 **options: Any):
        self.rows, self.title, self.keys, self.options = rows, title, keys, options
        self.columns = columns_of(rows)

    def _numeric(self, col: str) -> bool:
        return all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))
                   for v in (r.get(col) for r in self.rows))

    def _fixed(self, i: int, col: str) -> bool:
        return i < self.keys or self._numeric(col)

    def _texts(self, col: str) -> list[str]:
        return [col, *(cell(r.get(col)) for r in self.rows)]

    def natural_widths(self) -> list[int]:
        return [max(len(line) for t in self._texts(c) for line in (t.splitlines() or [""]))
                for c in self.columns]

    def min_widths(self) -> list[int]:
        """Per column: the full width of ids and numbers, the longest word of text."""
        return [nat if self._fixed(i, col) else
                max(len(w) for t in self._texts(col) for w in _words(t))
                for i, (col, nat) in enumerate(zip(self.columns, self.natural_widths()))]

    def widths(self, max_width: int) -> list[int] | None:
        """Column widths that fit ``max_width``, or None when no table layout can."""
        avail = max_width - GAP * (len(self.columns) - 1)
        widths, least = self.natural_widths(), self.min_widths()
        if sum(least) > avail:
            return None
        excess = sum(widths) - avail
        while excess > 0:   # narrow the widest column that can still give a character
            i = max((j for j in range(len(widths)) if widths[j] > least[j]),
                    key=lambda j: widths[j])
            widths[i] -= 1
            excess -= 1
        return widths

    def table(self, widths: list[int]):
        from rich import box
        from rich.table import Table

        table = Table(title=self.title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                      padding=(0, 1), collapse_padding=True, **self.options)
        for i, (col, width) in enumerate(zip(self.columns, widths)):
            fixed = self._fixed(i, col)
            table.add_column(col, width=width, no_wrap=fixed, overflow="fold",
                             justify="right" if fixed and i >= self.keys else "left")
        for row in self.rows:
            table.add_row(*(cell(row.get(c)) for c in self.columns))
        return table

    def blocks(self):
        """One block per row: the key in bold (with its value, in a fact/value table), then
        'column: value' lines (unknown ones left out), indented and wrapped."""
        from rich.padding import Padding
        from rich.text import Text

        out = [Text(self.title, style="bold")] if self.title else []
        head = self.columns[:max(self.keys, 1)]
        rest = self.columns[len(head):]
        inline = rest[:1] == ["value"]   # a fact table: 'fact: value' on the head line
        for row in self.rows:
            text = Text(" ".join(cell(row.get(c)) for c in head), style="bold",
                        overflow="fold")
            if inline:
                text.append(f": {cell(row.get('value'))}", style="")
            out.append(text)
            for col in rest[1:] if inline else rest:
                if row.get(col) is not None:
                    out.append(Padding(Text(f"{col}: {cell(row.get(col))}", overflow="fold"),
                                       (0, 0, 0, 2), expand=False))
        return out

    def __rich_console__(self, console, options):
        widths = self.widths(options.max_width) if self.columns else None
        if widths is not None:
            yield self.table(widths)
        else:
            yield from self.blocks()

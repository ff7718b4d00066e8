"""A listing that fits the console: ids whole, numbers whole, and when even the narrowest
layout is too wide, the least important columns left out with a line that says which and
where to find them. Why not let rich shrink the table: rich narrows every column, folding
ids and licences mid-word and cutting numbers to "…"; a person reading at 80 columns wants
fewer columns, whole."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from llmselect.render.tables import cell, columns_of

GAP = 2  # characters between two columns (collapsed padding + an invisible divider)


def natural_width(rows: list[dict[str, Any]], column: str) -> int:
    return max([len(column), *(len(cell(r.get(column))) for r in rows)])


def fitting_columns(rows: list[dict[str, Any]], width: int, optional: Sequence[str] = (),
                    foldable: Mapping[str, int] | None = None) -> tuple[list[str], list[str]]:
    """(columns kept, columns left out): ``optional`` columns go, first to last, until the
    table fits ``width``, counting each ``foldable`` column at most at its given width (its
    rare longer values fold onto a second line)."""
    foldable = foldable or {}
    columns = columns_of(rows)
    dropped: list[str] = []
    for name in [None, *optional]:
        if name is not None and name in columns:
            columns.remove(name)
            dropped.append(name)
        total = sum(min(natural_width(rows, c), foldable.get(c, width)) for c in columns) \
            + GAP * (len(columns) - 1)
        if total <= width:
            break
    return columns, dropped


def fitted_table(rows: list[dict[str, Any]], columns: list[str], title: str | None = None,
                 foldable: Sequence[str] = ()):
    """A borderless table (header underlined) of ``columns``: numbers right-aligned; only the
    ``foldable`` columns may wrap, so rich narrows those and never cuts the others."""
    from rich import box
    from rich.table import Table

    table = Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                  padding=(0, 1), collapse_padding=True)
    for col in columns:
        values = [r.get(col) for r in rows]
        numeric = all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))
                      for v in values)
        table.add_column(col, justify="right" if numeric else "left", overflow="fold",
                         no_wrap=col not in foldable)
    for r in rows:
        table.add_row(*(cell(r.get(c)) for c in columns))
    return table


def print_fitted(console, rows: list[dict[str, Any]], *, title: str | None = None,
                 optional: Sequence[str] = (), foldable: Mapping[str, int] | None = None,
                 hint: str = "--format json") -> None:
    columns, dropped = fitting_columns(rows, console.width, optional, foldable)
    fold = tuple(foldable or ())
    if sum(min(natural_width(rows, c), (foldable or {}).get(c, console.width)) for c in columns) \
            + GAP * (len(columns) - 1) > console.width:
        fold = tuple(columns[1:])   # narrower than any layout: fold values rather than cut them
    console.print(fitted_table(rows, columns, title, fold))
    if dropped:
        console.print(f"({', '.join(dropped)} left out at {console.width} columns: widen the "
                      f"terminal, or see {hint})", highlight=False)

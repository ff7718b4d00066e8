"""A recommendation as text: the ranked table, the excluded models and the summary lines, in
every ``--format``. Reads the Recommendation; computes nothing. (``--explain``: ``explain.py``.)

The terminal table is for a person at 80 columns: rank, model, total with its 95 % interval,
p(#1), deployment, monthly cost and a short why; the per-criterion matrix is ``--wide``.
CSV is for spreadsheets and scripts: numbers in their own columns, flags beside them.
``--top`` cuts every format, JSON included (which says how many it shows of how many).

The caller passes the console and the generic ``emit`` of the command layer so this module
stays free of the CLI layer."""

from __future__ import annotations

import json
import sys

from llmselect.render.cells import (
    MARKS_LEGEND,
    deploy_text,
    facts_line,
    money,
    percent,
    provenance_mark,
    total_text,
)
from llmselect.render.formats import OutputFormat
from llmselect.render.tables import markdown_table

#: Short column headers for the ``--wide`` matrix (CSV/Markdown/JSON keep the full names).
SHORT = {"quality": "qual", "gdpr_security": "gdpr", "license_openness": "lic", "cost": "cost",
         "hardware_fit": "hw", "speed": "speed", "context": "ctx", "languages": "lang",
         "ecosystem": "eco", "vendor_support": "vend", "ecology": "ecol", "transparency": "transp"}


def _mark(entry, criterion: str) -> str:
    c = entry.criteria.get(criterion)
    return provenance_mark(c.provenance) if c else ""


def total_cell(entry) -> str:
    """Total ± half-interval, marked like its quality (~ when a benchmark was estimated)."""
    mark = "~" if entry.estimated else _mark(entry, "quality")
    return total_text(entry) + mark


def cost_cell(entry) -> str:
    return money(entry.monthly_cost_usd) + (_mark(entry, "cost") if entry.monthly_cost_usd
                                             is not None else "")


def rank_cell(entry) -> str:
    return f"{entry.rank}≈" if entry.tie_with else str(entry.rank)


def display_rows(rec, top: int) -> list[dict]:
    """Markdown rows: the compact columns, then every criterion's contribution (marked)."""
    rows = []
    for e in rec.ranked[:top]:
        row = {"rank": rank_cell(e), "model": e.model, "total ±95%": total_cell(e),
               "p(#1)": percent(e.p_first), "deploy": deploy_text(e), "$/month": cost_cell(e),
               "why": e.why or "—"}
        for name, c in e.criteria.items():
            row[name] = f"{c.contribution:.3f}" + provenance_mark(c.provenance)
        row["key facts"] = facts_line(e.key_facts)
        rows.append(row)
    return rows


def csv_rows(rec, top: int) -> list[dict]:
    """Numbers only in number columns: each criterion's contribution, its provenance beside it."""
    rows = []
    for e in rec.ranked[:top]:
        row = {"rank": e.rank, "model": e.model, "total": e.total, "low": e.interval[0],
               "high": e.interval[1], "p_first": e.p_first, "deployment": e.deployment,
               "quantization": e.quantization, "memory_gb": e.memory_gb,
               "monthly_cost_usd": e.monthly_cost_usd}
        for name, c in e.criteria.items():
            row[name] = c.contribution
            row[f"{name}_provenance"] = c.provenance
        row |= {"tie_with": ";".join(e.tie_with), "estimated": ";".join(e.estimated),
                "why": e.why}
        rows.append(row)
    return rows


def json_payload(rec, top: int) -> dict:
    """The Recommendation with only the top ``top`` ranked, saying so (shown, ranked_total)."""
    data = json.loads(rec.model_dump_json())
    out = {}
    for key, value in data.items():
        if key == "ranked":
            out["ranked"] = value[:top]
            out["shown"] = len(out["ranked"])
            out["ranked_total"] = len(value)
        else:
            out[key] = value
    return out


def excluded_groups(rec) -> list[tuple[str, str, list[str]]]:
    """(constraint, detail, models): models excluded for the same reason, listed together."""
    groups: dict[tuple[str, str], list[str]] = {}
    for x in rec.excluded:
        groups.setdefault((x.constraint, x.detail), []).append(x.model)
    return [(c, d, models) for (c, d), models in groups.items()]


def excluded_rows(rec) -> list[dict]:
    return [{"model": x.model, "constraint": x.constraint, "detail": x.detail}
            for x in rec.excluded]


def break_even_line(rec) -> str:
    be = rec.break_even
    if be is None:
        return "Break-even self-hosting vs API: —"
    volume = ("—" if be.break_even_mtok_per_month is None
              else f"{be.break_even_mtok_per_month:,.0f} M tokens/month")
    note = f" ({be.note})" if be.note else ""
    return (f"Break-even: self-hosting {be.self_hosted_model} costs "
            f"{money(be.self_hosted_monthly_usd)}/month, {be.api_model} "
            f"${be.api_usd_per_mtok:.3g}/Mtok; self-hosting is cheaper above {volume}{note}")


def summary_lines(rec) -> list[str]:
    """What a person reads under the table, each fact said once."""
    lines = []
    if rec.why_first:
        lines.append(f"Why #1: {rec.why_first}; p(#1 beats #2) "
                     f"{percent(rec.p_first_beats_second)}")
    if rec.ties:
        lines.append("Ties (95 % intervals overlap, order not certain): "
                     + "; ".join(" ≈ ".join(g) for g in rec.ties[:5]))
    lines.append(break_even_line(rec))
    lines.append(f"Units: {rec.units}")
    lines.append(f"Marks: {MARKS_LEGEND}; ≈ tied with a neighbour")
    overrides = "".join(f"; {c}: {p}" for c, p in rec.missing_facts_by_criterion.items())
    lines.append(f"Missing facts: {rec.missing_facts} — {rec.missing_facts_rule}{overrides}.")
    s = rec.sensitivity
    lines.append("Uncertainty: " + (rec.uncertainty_note or
                 f"p(#1) is the share of {s.draws} draws, each weight ×U(1±{s.perturbation:g}) "
                 f"(seed {s.seed}), in which the model ranks first."))
    return lines


def render(rec, top: int, fmt: OutputFormat, out, emit, *, wide: bool = False) -> None:
    if fmt == OutputFormat.json:
        sys.stdout.write(json.dumps(json_payload(rec, top), indent=2, ensure_ascii=False) + "\n")
        return
    if fmt == OutputFormat.csv:
        emit(csv_rows(rec, top), fmt)
        return
    title = f"{rec.profile}: {rec.use_case}"
    shown = _shown_line(rec, top)
    if fmt == OutputFormat.markdown:
        parts = [markdown_table(display_rows(rec, top), title=title)]
        if shown:
            parts.append(shown + "\n")
        if rec.excluded:
            parts.append(markdown_table(excluded_rows(rec), title="Excluded"))
        parts.append("\n".join(f"- {line}" for line in summary_lines(rec)) + "\n")
        sys.stdout.write("\n".join(parts))
        return
    out.print(f"[bold]{rec.profile}[/bold] — {rec.description}", highlight=False)
    if rec.hardware:
        out.print(f"Target: {rec.hardware}", highlight=False)
    out.print(f"[bold]{title}[/bold]", highlight=False)
    if wide:
        _print_unshrunk(out, _wide_table(rec, top))
    else:
        out.print(_table(rec, top))
    if shown:
        out.print(shown, highlight=False)
    if rec.excluded:
        out.print(_excluded_grid(rec))
    for line in summary_lines(rec):
        out.print(line, highlight=False)


def _print_unshrunk(out, table) -> None:
    """``--wide`` asked for the whole matrix: print it at its natural width even past the
    console's (read it with ``less -S``), since squeezing it to 80 columns cut every cell."""
    from rich.console import Console
    from rich.measure import Measurement

    natural = Measurement.get(out, out.options.update_width(10_000), table).maximum
    if natural <= out.width:
        out.print(table)
    else:
        Console(file=out.file, width=natural, no_color=out.no_color,
                force_terminal=out.is_terminal).print(table)


def _shown_line(rec, top: int) -> str:
    if top >= len(rec.ranked):
        return ""
    return f"Top {top} of {len(rec.ranked)} ranked models shown (--top)."


def _new_table(**options):
    from rich import box
    from rich.table import Table

    return Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                 padding=(0, 1), collapse_padding=True, **options)


def _compact_columns(table) -> None:
    for col in ("#", "model", "total ±95%", "p(#1)", "deploy", "$/month"):
        table.add_column(col, no_wrap=True,
                         justify="right" if col in ("p(#1)", "$/month") else "left")


def _table(rec, top: int):
    """The default, 80-column table: every cell whole; only 'why' wraps."""
    table = _new_table()
    _compact_columns(table)
    table.add_column("why", overflow="fold")
    for e in rec.ranked[:top]:
        table.add_row(rank_cell(e), e.model, total_cell(e), percent(e.p_first),
                      deploy_text(e), cost_cell(e), e.why or "—")
    return table


def _wide_table(rec, top: int):
    """``--wide``: the compact columns, then each criterion's contribution (weight × score)."""
    table = _new_table(caption="qual to transp: each criterion's contribution (weight × "
                       "score) to the total")
    _compact_columns(table)
    for name in rec.weights:
        table.add_column(SHORT.get(name, name), justify="right", no_wrap=True)
    table.add_column("why", overflow="fold")
    table.add_column("key facts", overflow="fold")
    for e in rec.ranked[:top]:
        cells = [rank_cell(e), e.model, total_cell(e), percent(e.p_first), deploy_text(e),
                 cost_cell(e)]
        for name in rec.weights:
            c = e.criteria[name]
            cells.append(f"{c.contribution:.3f}".lstrip("0") + provenance_mark(c.provenance))
        cells += [e.why or "—", facts_line(e.key_facts)]
        table.add_row(*cells)
    return table


def _excluded_grid(rec):
    """'Excluded (N):' then one line per reason: the constraint, the models, the detail."""
    from rich.table import Table

    grid = Table.grid(padding=(0, 1))
    grid.title = f"Excluded ({len(rec.excluded)}); --explain MODEL for one"
    grid.title_justify = "left"
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for constraint, detail, models in excluded_groups(rec):
        grid.add_row(constraint, f"{', '.join(models)}: {detail}")
    return grid

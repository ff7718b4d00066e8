"""A recommendation as text: the ranked table, the excluded models, the summary lines and the
per-model explanation, in every ``--format``. Reads the Recommendation; computes nothing.

The caller passes the consoles and the generic ``emit`` of the command layer so this module
stays free of the CLI layer."""

from __future__ import annotations

import sys

from llmselect.errors import unknown
from llmselect.render.cells import facts_line, facts_text, provenance_mark
from llmselect.render.formats import OutputFormat
from llmselect.render.tables import markdown_table, rich_table


def _fmt_total(entry) -> str:
    half = (entry.interval[1] - entry.interval[0]) / 2
    return f"{entry.total:.3f} ± {half:.3f}"


def ranked_rows(rec, top: int) -> list[dict]:
    """One row per ranked model: rank, total ± 95 % half-interval, p(#1), contributions."""
    rows = []
    for e in rec.ranked[:top]:
        row = {"rank": e.rank, "model": e.model, "total": _fmt_total(e), "p_first": round(e.p_first, 3),
               "tie": "tie" if e.tie_with else "", "deploy": _deploy(e)}
        for name, c in e.criteria.items():
            row[name] = f"{c.contribution:.3f}" + provenance_mark(c.provenance)
        row["key facts"] = facts_line(e.key_facts)
        rows.append(row)
    return rows


def _deploy(e) -> str:
    if e.deployment == "api":
        return "api"
    return f"{e.quantization} {e.memory_gb:.0f}GB"


def excluded_rows(rec) -> list[dict]:
    return [{"model": x.model, "constraint": x.constraint, "detail": x.detail} for x in rec.excluded]


def summary_lines(rec) -> list[str]:
    lines = []
    if rec.why_first:
        lines.append(f"Why #1: {rec.why_first}")
    if rec.ties:
        lines.append("Ties (95 % intervals overlap): " + "; ".join(" ≈ ".join(g) for g in rec.ties[:5]))
    overrides = "".join(f"; {c}: {p}" for c, p in rec.missing_facts_by_criterion.items())
    lines.append(f"Missing facts: {rec.missing_facts} — {rec.missing_facts_rule}{overrides}. "
                 "In the table, ? = unknown (policy value used), * = measured here.")
    lines.append(f"p_first: share of {rec.sensitivity.draws} draws with each weight ×U(1±"
                 f"{rec.sensitivity.perturbation:g}) (seed {rec.sensitivity.seed}) where the model is #1.")
    return lines


def render(rec, top: int, fmt: OutputFormat, out, emit) -> None:
    if fmt == OutputFormat.json:
        sys.stdout.write(rec.model_dump_json(indent=2) + "\n")
        return
    rows = ranked_rows(rec, top)
    if fmt == OutputFormat.csv:
        emit(rows, fmt)
        return
    title = f"{rec.profile}: {rec.use_case}"
    if fmt == OutputFormat.markdown:
        out = [markdown_table(rows, title=title)]
        if rec.excluded:
            out.append(markdown_table(excluded_rows(rec), title="Excluded"))
        out.append("\n".join(f"- {line}" for line in summary_lines(rec)) + "\n")
        sys.stdout.write("\n".join(out))
        return
    out.print(f"[bold]{rec.profile}[/bold] — {rec.description}")
    if rec.hardware:
        out.print(f"Target: {rec.hardware}", highlight=False)
    out.print(_rich_table(rec, top, title))
    if rec.excluded:
        out.print(rich_table(excluded_rows(rec), f"Excluded ({len(rec.excluded)})"))
    for line in summary_lines(rec):
        out.print(line, highlight=False)


#: Short column headers for the terminal table (CSV/Markdown/JSON keep the full names).
SHORT = {"quality": "qual", "gdpr_security": "gdpr", "license_openness": "lic", "cost": "cost",
         "hardware_fit": "hw", "speed": "speed", "context": "ctx", "languages": "lang",
         "ecosystem": "eco", "vendor_support": "vend", "ecology": "ecol", "transparency": "transp"}


def _rich_table(rec, top: int, title: str):
    """Compact table: criterion contributions as .ddd under short names, key facts last."""
    from rich.table import Table

    table = Table(title=title, caption="columns qual…transp: each criterion's contribution "
                  "(weight × score) to the total; ? unknown, * measured", pad_edge=False)
    for col in ("#", "model", "total ±95%", "p(#1)", "deploy"):
        table.add_column(col, no_wrap=col in ("#", "model", "total ±95%"))
    for name in rec.weights:
        table.add_column(SHORT.get(name, name), justify="right")
    table.add_column("key facts")
    for e in rec.ranked[:top]:
        cells = [str(e.rank), e.model + (" ≈" if e.tie_with else ""), _fmt_total(e),
                 f"{e.p_first:.0%}", _deploy(e)]
        for name in rec.weights:
            c = e.criteria[name]
            mark = provenance_mark(c.provenance)
            cells.append(f"{c.contribution:.3f}".lstrip("0") + mark)
        cells.append(facts_line(e.key_facts))
        table.add_row(*cells)
    return table


def explain(rec, catalog, model: str, fmt: OutputFormat, console, err_console, emit) -> None:
    card = catalog.find_model(model)
    model_id = card.id if card else model
    entry = next((e for e in rec.ranked if e.model == model_id), None)
    if entry is None:
        gone = next((x for x in rec.excluded if x.model == model_id), None)
        if gone is None:
            raise unknown("model", model, [e.model for e in rec.ranked],
                          hint="see `llmselect models` for the catalog")
        if fmt == OutputFormat.json:
            sys.stdout.write(gone.model_dump_json(indent=2) + "\n")
        else:
            console.print(f"{gone.model} is excluded by constraint {gone.constraint}: {gone.detail}",
                          highlight=False)
        return
    if fmt == OutputFormat.json:
        sys.stdout.write(entry.model_dump_json(indent=2) + "\n")
        return
    rows = [{"criterion": n, "score": c.score, "used": c.used, "weight": c.weight,
             "contribution": c.contribution, "provenance": c.provenance,
             "sources": ", ".join(c.sources), "facts": facts_text(c.facts)}
            for n, c in entry.criteria.items()]
    if fmt == OutputFormat.table:
        console.print(f"[bold]#{entry.rank} {entry.model}[/bold] ({entry.name}) total "
                      f"{_fmt_total(entry)}, p(#1) {entry.p_first:.0%}, {_deploy(entry)}")
        for w in entry.warnings:
            err_console.print(f"warning: {w}")
    emit(rows, fmt, title=f"{entry.model} under {rec.profile}")



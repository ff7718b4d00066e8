"""``recommend --explain MODEL``: one model's ranking, criterion by criterion.

Laid out vertically (one block per criterion: score ± stderr, weight, contribution,
provenance, then its facts and sources wrapped to the width) because a criterion's facts are
sentences and source keys: in a table's column they were cut to "…" below 200 columns; in a
block they wrap and a word longer than the line folds, so nothing is ever lost. CSV, Markdown
and JSON keep one row (object) per criterion. Reads the Recommendation; computes nothing."""

from __future__ import annotations

import sys
from typing import Any

from llmselect.errors import unknown
from llmselect.render.cells import deploy_text, money, percent, total_text
from llmselect.render.formats import OutputFormat

INDENT = 4


def find_entry(rec, catalog, model: str):
    """(ranked entry, None), (None, exclusion) or a one-line error with a did-you-mean."""
    card = catalog.find_model(model)
    model_id = card.id if card else model
    entry = next((e for e in rec.ranked if e.model == model_id), None)
    if entry is not None:
        return entry, None
    gone = next((x for x in rec.excluded if x.model == model_id), None)
    if gone is None:
        raise unknown("model", model, [e.model for e in rec.ranked] +
                      [x.model for x in rec.excluded],
                      hint="see `llmselect models` for the catalog")
    return None, gone


def criterion_rows(entry) -> list[dict[str, Any]]:
    return [{"criterion": n, "score": c.score, "stderr": c.stderr, "used": c.used,
             "weight": c.weight, "contribution": c.contribution, "provenance": c.provenance,
             "sources": ", ".join(dict.fromkeys(c.sources)), "facts": _facts_inline(c.facts)}
            for n, c in entry.criteria.items()]


def explain(rec, catalog, model: str, fmt: OutputFormat, console, err_console, emit) -> None:
    entry, gone = find_entry(rec, catalog, model)
    if gone is not None:
        if fmt == OutputFormat.json:
            sys.stdout.write(gone.model_dump_json(indent=2) + "\n")
        else:
            console.print(f"{gone.model} is excluded by constraint {gone.constraint}: "
                          f"{gone.detail}", highlight=False)
        return
    if fmt == OutputFormat.json:
        sys.stdout.write(entry.model_dump_json(indent=2) + "\n")
        return
    for w in entry.warnings:
        err_console.print(f"warning: {w}", highlight=False)
    if fmt != OutputFormat.table:
        emit(criterion_rows(entry), fmt, title=f"{entry.model} under {rec.profile}")
        return
    for line in header_lines(rec, entry):
        console.print(_wrapped(line, 0))
    for name, c in entry.criteria.items():
        console.print()
        console.print(_wrapped(criterion_line(name, c), 0, bold=True))
        for line in fact_lines(c):
            console.print(_wrapped(line, INDENT))


def header_lines(rec, e) -> list[str]:
    lo, hi = e.interval
    where = "api" if e.deployment == "api" else f"self-hosted {deploy_text(e)}"
    lines = [f"#{e.rank} {e.model} ({e.name}, {e.vendor}) under {rec.profile}",
             f"total {total_text(e)} (95 % interval {lo:.3f}–{hi:.3f}), "
             f"p(#1) {percent(e.p_first)}, {where}",
             f"monthly cost {money(e.monthly_cost_usd)}"
             + (f" = {e.cost_basis}" if e.cost_basis else "")]
    if e.why:
        lines.append(f"why: {e.why}")
    if e.estimated:
        lines.append(f"estimated (not published, not measured): {', '.join(e.estimated)}")
    if e.tie_with:
        lines.append(f"tied with: {', '.join(e.tie_with)}")
    return lines


def criterion_line(name: str, c) -> str:
    score = ("— (unknown; the policy's " f"{c.used:.3f} used)" if c.score is None
             else f"{c.score:.3f} ±{c.stderr:.3f}")
    return (f"{name}: score {score}, weight {c.weight:.3f}, contribution "
            f"{c.contribution:.3f}, {c.provenance}")


def fact_lines(c) -> list[str]:
    lines = [f"{k}: {_value(v)}" for k, v in c.facts.items()]
    sources = list(dict.fromkeys(c.sources))
    lines.append("sources: " + (", ".join(sources) if sources else "—"))
    return lines


def _value(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, dict):
        text = ", ".join(f"{a}={_value(b)}" for a, b in v.items() if a != "source")
        return text + (f" ({v['source']})" if v.get("source") else "")
    if isinstance(v, (list, tuple)):
        return ", ".join(_value(x) for x in v)
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _facts_inline(facts: dict[str, Any]) -> str:
    return "; ".join(f"{k}: {_value(v)}" for k, v in facts.items())


def _wrapped(text: str, indent: int, bold: bool = False):
    """``text`` indented by ``indent`` and wrapped at the console width; a word longer than a
    line folds onto the next instead of being cut."""
    from rich.padding import Padding
    from rich.text import Text

    return Padding(Text(text, overflow="fold", style="bold" if bold else ""), (0, 0, 0, indent), expand=False)

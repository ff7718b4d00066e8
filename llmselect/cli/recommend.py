"""``llmselect recommend``: rank the catalog for a profile and explain the ranking.

Parses options, calls ``llmselect.scoring.recommend`` and renders. Data (ranked table, excluded
models, the why-first line) goes to stdout; which runs were used and other diagnostics to stderr.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from llmselect.cli.output import FORMAT_OPTION, OutputFormat, console, emit, err_console, markdown_table, wide_console
from llmselect.errors import UserError, unknown


def register(app: typer.Typer) -> None:
    app.command("recommend")(recommend)


def recommend(
    profile: str = typer.Option(..., "--profile", "-p", help="Profile name (see `llmselect profiles`) or YAML path."),
    top: int = typer.Option(10, "--top", "-n", min=1, help="How many ranked models to show."),
    fmt: OutputFormat = FORMAT_OPTION,
    explain: Optional[str] = typer.Option(None, "--explain", help="Show every criterion, fact and source for one model id."),
    results: Optional[Path] = typer.Option(None, "--results", help="Results folder with measured runs (default: $LLMSELECT_RESULTS_DIR or ./results)."),
    hardware: Optional[str] = typer.Option(None, "--hardware", help="'local': target this machine's detected hardware instead of the profile's."),
) -> None:
    """Rank the catalog's models for a profile: totals with intervals, p(#1), contributions."""
    rec, _prof, catalog, runs = build_recommendation(profile, results, hardware)
    _diagnostics(rec, runs)
    if explain:
        _explain(rec, catalog, explain, fmt)
    else:
        render(rec, top, fmt)


def build_recommendation(profile: str, results: Optional[Path], hardware: Optional[str]):
    """Profile + catalog + measured runs -> (Recommendation, profile, catalog, runs).

    The one path from options to a ranking, shared by ``recommend`` and ``report`` so the two
    can never disagree on a number."""
    from llmselect import store
    from llmselect.catalog import load_catalog
    from llmselect.catalog.benchmarks import BENCHMARKS
    from llmselect.config.profile_schema import load_profile, validate_benchmarks
    from llmselect.scoring import recommend as run_recommend

    prof, path = load_profile(profile)
    catalog = load_catalog()
    validate_benchmarks(prof, list(BENCHMARKS), str(path))
    if hardware is not None:
        prof = with_local_hardware(prof, hardware)
    runs = store.load_runs(results)
    rec = run_recommend(prof, catalog, runs, benchmarks=BENCHMARKS, profile_file=str(path))
    return rec, prof, catalog, runs


def with_local_hardware(prof, hardware: str):
    """Replace the profile's target with this machine (``llmselect.hardware.local_target``)."""
    if hardware != "local":
        raise UserError(f"--hardware {hardware!r}: the only value is 'local' (this machine); "
                        "describe other hardware in a profile's `hardware:` section")
    from llmselect.hardware import local_target

    quant = list(prof.hardware.quantization) if prof.hardware else None
    constraints = prof.constraints.model_copy(update={"max_memory_gb": None})
    return prof.model_copy(update={"hardware": local_target(quant), "constraints": constraints})


def _diagnostics(rec, runs) -> None:
    if rec.measured_runs:
        elsewhere = {r.run_id for r in runs if getattr(r, "imported", None) is not None}
        shown = [f"{r} (measured elsewhere)" if r in elsewhere else r for r in rec.measured_runs]
        err_console.print(f"using {len(rec.measured_runs)} measured run(s): {', '.join(shown)}",
                          soft_wrap=True)
    unlinked = [r.run_id for r in runs if r.model.catalog_id is None]
    if unlinked:
        err_console.print(f"ignored {len(unlinked)} run(s) not linked to a catalog model: "
                          f"{', '.join(unlinked[:5])}")


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
            row[name] = f"{c.contribution:.3f}" + ("?" if c.provenance == "unknown" else
                                                   "*" if c.provenance in ("measured", "mixed") else "")
        row["key facts"] = _facts_line(e.key_facts)
        rows.append(row)
    return rows


def _deploy(e) -> str:
    if e.deployment == "api":
        return "api"
    return f"{e.quantization} {e.memory_gb:.0f}GB"


def _facts_line(facts: dict) -> str:
    parts = []
    if facts.get("params_b"):
        act = facts.get("active_params_b")
        parts.append(f"{facts['params_b']:g}B" + (f"/{act:g}B act" if act else ""))
    if facts.get("license"):
        parts.append(facts["license"])
    if facts.get("context"):
        parts.append(f"{facts['context'] // 1000}k ctx")
    if facts.get("cost_per_mtok_usd") is not None:
        parts.append(f"${facts['cost_per_mtok_usd']:.3g}/Mtok")
    if facts.get("tokens_per_s"):
        parts.append(f"{facts['tokens_per_s']:.0f} t/s")
    return ", ".join(parts)


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


def render(rec, top: int, fmt: OutputFormat) -> None:
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
    out = wide_console()
    out.print(f"[bold]{rec.profile}[/bold] — {rec.description}")
    if rec.hardware:
        out.print(f"Target: {rec.hardware}", highlight=False)
    out.print(_rich_table(rec, top, title))
    if rec.excluded:
        out.print(_simple_table(excluded_rows(rec), f"Excluded ({len(rec.excluded)})"))
    for line in summary_lines(rec):
        out.print(line, highlight=False)


def _simple_table(rows: list[dict], title: str):
    from rich.table import Table

    table = Table(title=title)
    for col in rows[0]:
        table.add_column(col)
    for row in rows:
        table.add_row(*(str(v) for v in row.values()))
    return table


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
            mark = "?" if c.provenance == "unknown" else "*" if c.provenance in ("measured", "mixed") else ""
            cells.append(f"{c.contribution:.3f}".lstrip("0") + mark)
        cells.append(_facts_line(e.key_facts))
        table.add_row(*cells)
    return table


def _explain(rec, catalog, model: str, fmt: OutputFormat) -> None:
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
             "sources": ", ".join(c.sources), "facts": _facts_text(c.facts)}
            for n, c in entry.criteria.items()]
    if fmt == OutputFormat.table:
        console.print(f"[bold]#{entry.rank} {entry.model}[/bold] ({entry.name}) total "
                      f"{_fmt_total(entry)}, p(#1) {entry.p_first:.0%}, {_deploy(entry)}")
        for w in entry.warnings:
            err_console.print(f"warning: {w}")
    emit(rows, fmt, title=f"{entry.model} under {rec.profile}")


def _facts_text(facts: dict) -> str:
    out = []
    for k, v in facts.items():
        if isinstance(v, dict):
            v = ", ".join(f"{a}={b}" for a, b in v.items() if a != "source")
            out.append(f"{k}: ({v})")
        else:
            out.append(f"{k}={v}")
    return "; ".join(out)

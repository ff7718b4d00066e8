"""How one fact or score reads in every output (terminal, CSV, Markdown, HTML): the provenance
markers and the short texts for totals, deployments and key facts. One copy, so the table and
the report can never mark the same cell differently."""

from __future__ import annotations

from typing import Any

#: ``?`` = unknown (the missing-fact policy's value was used), ``~`` = estimated from the model's
#: other facts, ``*`` = measured here.
MARKS = {"unknown": "?", "estimated": "~", "measured": "*", "mixed": "*"}
MARKS_LEGEND = "? unknown (policy value), ~ estimated, * measured here"


def provenance_mark(provenance: str | None) -> str:
    return MARKS.get(provenance or "", "")


def facts_line(facts: dict[str, Any]) -> str:
    """'8B, llama3, 8k ctx, $0.2/Mtok, 35 t/s' — the key facts of a ranked model."""
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


def facts_text(facts: dict[str, Any]) -> str:
    """A criterion's facts as 'k=v; k: (a=b, c=d); k: x, y' (sources are listed separately)."""
    out = []
    for k, v in facts.items():
        if isinstance(v, dict):
            v = ", ".join(f"{a}={b}" for a, b in v.items() if a != "source")
            out.append(f"{k}: ({v})")
        elif isinstance(v, list):
            out.append(f"{k}: {', '.join(map(str, v))}")
        else:
            out.append(f"{k}={v}")
    return "; ".join(out)

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


def money(usd: float | None) -> str:
    """A monthly cost as a person reads it: $0.35, $13, $1.2k, $19.6k, $196k, $1.3M."""
    if usd is None:
        return "—"
    a = abs(usd)
    if a < 1:
        return f"${usd:.2f}"
    if a < 999.5:
        return f"${usd:.0f}"
    if a < 99_950:
        return f"${usd / 1e3:.1f}k"
    if a < 999_500:
        return f"${usd / 1e3:.0f}k"
    return f"${usd / 1e6:.1f}M"


def total_text(entry) -> str:
    """Total and its 95 % half-interval at 2 decimals: the published facts behind a total differ
    by points between sources, so a third decimal would claim a precision the interval denies."""
    half = (entry.interval[1] - entry.interval[0]) / 2
    return f"{entry.total:.2f} ±{half:.2f}"


def deploy_text(entry) -> str:
    """'api', or the quantization and the memory it needs: 'int4 38GB' (GB = 10^9 bytes)."""
    if entry.deployment == "api":
        return "api"
    mem = "—" if entry.memory_gb is None else f"{entry.memory_gb:.0f}GB"
    return f"{entry.quantization or '—'} {mem}"


def percent(p: float | None) -> str:
    """A probability as a share; below 1 % (but not 0) as '<1%' rather than a false '0%'."""
    if p is None:
        return "—"
    if 0 < p < 0.005:
        return "<1%"
    if 0.995 <= p < 1:
        return ">99%"
    return f"{p:.0%}"

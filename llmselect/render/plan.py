"""``bench --plan`` for a person: one row per task (requests, tokens, ETA) and a few summary
lines (weights, memory, compute, how the ETA was obtained). JSON gets the whole report."""

from __future__ import annotations

from typing import Any


def plan_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    rows = [{"task": t["task"], "requests": sum(t["requests"].values()), "docs": t["docs"],
             "tokens": t["tokens"], "evaluated": t["evaluated"], "longest": t["longest"],
             "generations": t["gen_requests"], "eta": duration(t["eta_s"])}
            for t in report["tasks"]]
    rows.append({"task": "total", "requests": sum(r["requests"] for r in rows),
                 "docs": sum(r["docs"] for r in rows), "tokens": sum(r["tokens"] for r in rows),
                 "evaluated": sum(r["evaluated"] for r in rows), "longest": None,
                 "generations": sum(r["generations"] for r in rows),
                 "eta": duration(report["eta_total_s"])})
    return rows


def plan_lines(report: dict[str, Any]) -> list[str]:
    w, m = report["weights"], report["memory"]
    size = f"{w['size_bytes'] / 1e9:.2f} GB" if w.get("size_bytes") else "size unknown"
    sha = f", sha256 {w['sha256']}" if w.get("sha256") else ""
    lines = [f"weights: {w['source']}: {w['location']} ({size}{sha})",
             f"backend: {report['backend']}, {w.get('quantization') or 'dtype per backend'}; "
             f"compute: {report['compute']}"]
    if m.get("needed_gb") is not None:
        lines.append(f"memory: {m['needed_gb']} GB needed, {m['available_gb']} GB available"
                     + ("" if m.get("fits", True) else "  << does not fit"))
    lines.append(f"ETA {duration(report['eta_total_s'])}: {report['eta_method']}; tokens: "
                 f"{report['tokens_counted_with']}")
    lines += [f"skipped {k}: {why}" for k, why in report["skipped"].items()]
    return lines


def duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"

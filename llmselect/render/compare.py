"""A comparison as text: JSON payload, display rows (percentage points, intervals beside the
delta) and the Markdown report for pull-request comments and step summaries. Reads the
``PairComparison``; computes nothing."""

from __future__ import annotations

from typing import Any

from llmselect.compare import LoadedRun, PairComparison, all_notes, slowdown
from llmselect.metric_keys import short_metric
from llmselect.render.tables import markdown_table


def pair_payload(c: PairComparison) -> dict[str, Any]:
    """JSON-ready dict: what `compare --format json` prints for one candidate."""
    def run_info(lr: LoadedRun) -> dict:
        r = lr.run
        return {"run_id": r.run_id, "model": lr.label, "spec": r.model.spec,
                "backend": r.model.backend, "suite": r.suite, "file": str(lr.path)}

    return {
        "baseline": run_info(c.baseline), "candidate": run_info(c.candidate),
        "confidence": c.confidence,
        "tasks": [{k: v for k, v in vars(t).items()} | {"worse_by": t.worse_by} for t in c.tasks],
        "ratios": [vars(r) | {"slowdown": r.slowdown} for r in c.ratios],
        "slowdown": slowdown(c.ratios),
        "only_baseline": c.only_baseline, "only_candidate": c.only_candidate,
        "forced_differences": c.refused, "notes": c.notes,
    }


def _pts(x: float) -> str:
    return f"{x * 100:+.1f}"


def _p(p: float) -> str:
    return f"{p:.3g}" if p >= 0.001 else "<0.001"


def task_rows(c: PairComparison, alpha: float = 0.05) -> list[dict[str, Any]]:
    """Display rows: scores and deltas in percentage points, interval beside the delta."""
    pct = int(round(c.confidence * 100))
    rows = []
    for t in c.tasks:
        rows.append({
            "candidate": c.candidate.label, "task": t.task, "metric": short_metric(t.metric),
            "n": t.paired_n if t.paired_n is not None else f"{t.n_baseline}/{t.n_candidate}",
            "base": f"{t.baseline * 100:.1f}", "cand": f"{t.candidate * 100:.1f}",
            f"delta pts [{pct}% CI]": f"{_pts(t.delta)} [{_pts(t.ci_low)}, {_pts(t.ci_high)}]",
            "p": _p(t.p_value) + (" *" if t.p_value < alpha else ""), "test": t.method,
        })
    return rows


def ratio_table(c: PairComparison) -> list[dict[str, Any]]:
    return [{"candidate": c.candidate.label, "measure": r.name, "baseline": r.baseline,
             "candidate value": r.candidate,
             "ratio": None if r.ratio is None else f"{r.ratio:.2f}x",
             "worse when": r.worse_when} for r in c.ratios]


def markdown_report(comparisons: list[PairComparison], alpha: float = 0.05,
                    title: str = "llmselect compare") -> str:
    """A pull-request comment: one section per candidate, scores then speed/memory."""
    out = [f"## {title}\n"]
    for c in comparisons:
        b, k = c.baseline, c.candidate
        out.append(f"**{k.label}** (`{k.run.run_id}`) vs baseline **{b.label}** "
                   f"(`{b.run.run_id}`), suite `{b.run.suite}`; deltas in percentage points, "
                   f"{int(round(c.confidence * 100))}% intervals, significant at p < {alpha}.\n")
        out.append(markdown_table([{k2: v for k2, v in r.items() if k2 != "candidate"}
                                   for r in task_rows(c, alpha)]))
        if c.ratios:
            out.append("\n" + markdown_table([{k2: v for k2, v in r.items() if k2 != "candidate"}
                                              for r in ratio_table(c)]))
        for note in all_notes(c):
            out.append(f"- {note}")
        out.append("")
    return "\n".join(out) + "\n"

"""The report's plots, drawn with matplotlib's object API (no pyplot: no global state, no GUI).

Readable in greyscale and on a black-and-white printout: series differ by marker, hatch and line
style, never by colour alone; every axis names its unit. Each function returns a ``Figure`` or
``None`` when there is nothing to draw (the caller says so in words instead).

Imported only by the ``report`` command: matplotlib costs ~0.5 s to import.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

from matplotlib.figure import Figure

from llmselect.render.report_data import Z95, ReportData

#: Greyscale fill and hatch per stacked segment: neighbours differ in both, solids in shade.
#: Line hatches only: dot and circle hatches cost ~100 KB each as SVG patterns.
STYLES = [("#202020", ""), ("#f0f0f0", "///"), ("#909090", ""), ("#ffffff", "\\\\\\"),
          ("#c0c0c0", "xxx"), ("#ffffff", "---"), ("#e0e0e0", "|||"), ("#ffffff", "+++"),
          ("#606060", ""), ("#ffffff", "//"), ("#d0d0d0", "\\\\"), ("#ffffff", "x")]
MARKER = {"self-hosted": "o", "api": "s"}
RC = {"font.size": 8, "svg.fonttype": "none", "svg.hashsalt": "llmselect",
      "hatch.linewidth": 0.6, "axes.grid": True, "grid.color": "#dddddd", "grid.linewidth": 0.5}


def _figure(width: float = 7.5, height: float = 4.5) -> Figure:
    import matplotlib

    matplotlib.rcParams.update(RC)
    return Figure(figsize=(width, height), layout="constrained")


def _quality_label(data: ReportData) -> str:
    if data.quality_axis == "quality":
        return "quality score (0–1; benchmark skill above chance)"
    return "total score (0–1; the profile weights no quality)"


def quality_vs_cost(data: ReportData) -> Figure | None:
    """Quality against cost per 1M tokens; the Pareto front (best quality for its price) as a
    dashed step line through filled markers. Symlog x: costs span $0 to $100/Mtok."""
    pts = [p for p in data.points if p.cost_per_mtok is not None and p.quality is not None]
    if not pts:
        return None
    fig = _figure()
    ax = fig.add_subplot()
    front = set(data.pareto)
    for mode, marker in MARKER.items():
        for on_front in (True, False):
            sel = [p for p in pts if p.deployment == mode and (p.model in front) == on_front]
            if sel:
                ax.scatter([p.cost_per_mtok for p in sel], [p.quality for p in sel], s=36,
                           marker=marker, edgecolors="black", linewidths=0.9,
                           facecolors="black" if on_front else "white",
                           label=f"{mode}{' (on Pareto front)' if on_front else ''}",
                           zorder=3, clip_on=False)
    fp = sorted((p for p in pts if p.model in front), key=lambda p: p.cost_per_mtok)
    ax.step([p.cost_per_mtok for p in fp], [p.quality for p in fp], where="post",
            linestyle="--", color="black", linewidth=1, label="Pareto front", zorder=2)
    _annotate(ax, [(p.cost_per_mtok, p.quality, p.model) for p in pts])
    ax.set_xscale("symlog", linthresh=0.01)
    ax.set_xlim(0, max(1.0, max(p.cost_per_mtok for p in pts) * 1.5))
    if all(p.cost_per_mtok == pts[0].cost_per_mtok for p in pts):
        ax.text(0.5, 0.5, f"every model costs ${pts[0].cost_per_mtok:g} per 1M tokens here\n"
                "(owned hardware, no usage charge): the front is the best quality alone",
                transform=ax.transAxes, ha="center", va="center", fontsize=8, style="italic")
    ax.set_xlabel("cost per 1M tokens (USD, symmetric-log scale; 0 = owned hardware, no charge)")
    ax.set_ylabel(_quality_label(data))
    ax.set_title("Quality against cost")
    ax.legend(loc="best", fontsize=7)
    return fig


def _annotate(ax, items: list[tuple[float, float, str]]) -> None:
    for x, y, label in items:
        ax.annotate(label, (x, y), xytext=(4, 3), textcoords="offset points", fontsize=6.5)


def quality_vs_memory(data: ReportData) -> Figure | None:
    """Estimated memory against quality, with the target's limit as a vertical line: ranked
    self-hosted models (circles) left of it, models the limit excluded (crosses) right of it.
    API models have no local memory and are absent."""
    pts = [p for p in data.points if p.memory_gb is not None and p.quality is not None]
    big = [p for p in data.too_big if p.quality is not None]
    if not pts and not big:
        return None
    fig = _figure()
    ax = fig.add_subplot()
    if pts:
        ax.scatter([p.memory_gb for p in pts], [p.quality for p in pts], marker="o", s=36,
                   facecolors="white", edgecolors="black", linewidths=0.9, zorder=3,
                   label="ranked, self-hosted (estimated memory)", clip_on=False)
    if big:
        ax.scatter([p.memory_gb for p in big], [p.quality for p in big], marker="x", s=36,
                   color="black", linewidths=1, zorder=3, clip_on=False,
                   label="excluded: does not fit at any allowed quantization")
    _annotate(ax, [(p.memory_gb, p.quality, p.model) for p in pts + big])
    if data.capacity_gb:
        ax.axvline(data.capacity_gb, color="black", linestyle="-.", linewidth=1.2,
                   label=f"target hardware limit: {data.capacity_gb:.1f} GB")
    right = max([p.memory_gb for p in pts + big] + [data.capacity_gb or 0])
    scale = ""
    if big and right > 20 * (data.capacity_gb or right):
        ax.set_xscale("log")      # a 375 GB model next to a 12 GB limit: keep both readable
        scale = ", log scale"
    else:
        ax.set_xlim(0, right * 1.08)
    ax.set_xlabel(f"memory needed: weights + KV cache + overhead (GB{scale})")
    ax.set_ylabel(_quality_label(data))
    ax.set_title("Quality against memory on the target hardware")
    ax.legend(loc="best", fontsize=7)
    return fig


def contributions(data: ReportData, top: int) -> Figure | None:
    """Stacked horizontal bars: each criterion's contribution (weight × score) per model, so the
    bar's length is the total; the 95 % interval of the total as an error bar."""
    ranked = data.rec.ranked[:top]
    if not ranked:
        return None
    fig = _figure(height=1.9 + 0.32 * len(ranked))
    ax = fig.add_subplot()
    ys = list(range(len(ranked)))[::-1]
    left = [0.0] * len(ranked)
    for k, name in enumerate(data.rec.weights):
        widths = [e.criteria[name].contribution if name in e.criteria else 0.0 for e in ranked]
        ax.barh(ys, widths, left=left, color=STYLES[k % len(STYLES)][0], hatch=STYLES[k % len(STYLES)][1],
                edgecolor="black", linewidth=0.5, label=name, zorder=2)
        left = [a + b for a, b in zip(left, widths)]
    ax.errorbar([e.total for e in ranked], ys, capsize=3, fmt="none", ecolor="black",
                xerr=[[e.total - e.interval[0] for e in ranked],
                      [e.interval[1] - e.total for e in ranked]], label="95 % interval", zorder=3)
    ax.set_yticks(ys, [f"#{e.rank} {e.model}" for e in ranked])
    ax.set_xlabel("contribution to the total score (weight × criterion score, 0–1)")
    ax.set_title("What each criterion contributes")
    fig.legend(loc="outside lower center", fontsize=6.5, ncols=7)
    return fig


def measured_vs_published(data: ReportData) -> Figure | None:
    """Per model and benchmark: the published score (hollow circle) and the score measured here
    (filled square), each with its 95 % interval."""
    rows = data.comparisons
    if not rows:
        return None
    fig = _figure(height=1.3 + 0.4 * len(rows))
    ax = fig.add_subplot()
    ys = list(range(len(rows)))[::-1]
    for kind, marker, face, off in (("published", "o", "white", 0.12), ("measured", "s", "black", -0.12)):
        sel = [(y, getattr(c, kind), getattr(c, f"{kind}_se")) for y, c in zip(ys, rows)
               if getattr(c, kind) is not None]
        if sel:
            ax.errorbar([v for _, v, _ in sel], [y + off for y, _, _ in sel],
                        xerr=[Z95 * (se or 0) for _, _, se in sel], fmt=marker, capsize=3,
                        markerfacecolor=face, markeredgecolor="black", ecolor="black",
                        linestyle="none", label=f"{kind} (95 % interval)")
    ax.set_yticks(ys, [f"{c.model} · {c.benchmark}" for c in rows])
    ax.set_xlim(0, 1)
    ax.set_xlabel("score (fraction of items correct, 0–1)")
    ax.set_title("Measured here against published")
    ax.legend(loc="best", fontsize=7)
    return fig


def speed(data: ReportData) -> Figure | None:
    """Generation speed (tokens/s, higher is better) and time to first token (s, lower is
    better) per model and backend, from the runs; side by side, hatched differently."""
    rows = data.speeds
    if not rows:
        return None
    fig = _figure(height=1.4 + 0.35 * len(rows))
    left, right = fig.subplots(1, 2, sharey=True)
    ys = list(range(len(rows)))[::-1]
    labels = [f"{r.model} · {r.backend}{' ' + r.quantization if r.quantization else ''}"
              for r in rows]
    _bars(left, ys, [r.gen_tokens_per_s for r in rows], "///", "generation speed (tokens/s)")
    _bars(right, ys, [r.ttft_s for r in rows], "\\\\\\", "time to first token (s)")
    left.set_yticks(ys, labels)
    left.set_title("Generation speed (higher is better)")
    right.set_title("Time to first token (lower is better)")
    return fig


def _bars(ax, ys: list[int], values: list[float | None], hatch: str, xlabel: str) -> None:
    known = [(y, v) for y, v in zip(ys, values) if v is not None]
    ax.barh([y for y, _ in known], [v for _, v in known], color="#d0d0d0", hatch=hatch,
            edgecolor="black", linewidth=0.6, zorder=2)
    for y, v in known:
        ax.annotate(f"{v:.3g}", (v, y), xytext=(3, 0), textcoords="offset points",
                    va="center", fontsize=7)
    for y in (y for y, v in zip(ys, values) if v is None):
        ax.annotate("not measured", (0, y), xytext=(3, 0), textcoords="offset points",
                    va="center", fontsize=7, style="italic")
    ax.set_xlabel(xlabel)
    ax.set_xlim(left=0, right=max([v for _, v in known], default=1) * 1.25)


PLOTS = {
    "quality_vs_cost": quality_vs_cost,
    "quality_vs_memory": quality_vs_memory,
    "contributions": contributions,
    "measured_vs_published": measured_vs_published,
    "speed": speed,
}


def draw_all(data: ReportData, top: int) -> dict[str, Figure | None]:
    """Every plot by name; None where there is nothing to draw."""
    return {name: (fn(data, top) if name == "contributions" else fn(data))
            for name, fn in PLOTS.items()}


def svg_data_uri(fig: Figure) -> str:
    """The figure as a base64 SVG ``data:`` URI: vector, self-contained, and isolated in its own
    document (inline <svg> elements of several figures would share matplotlib's element ids)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def save_png(fig: Figure, path: Path) -> None:
    """Written beside ``path`` and renamed: a report killed mid-write keeps its previous image."""
    from llmselect.fileio import atomic_output

    with atomic_output(path) as tmp:
        fig.savefig(tmp, format="png", dpi=150, metadata={"Software": None})

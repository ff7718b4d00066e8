"""One self-contained HTML page: inline CSS, plots as ``data:`` URIs, no script, no network.

Every number sits in a cell with ``data-model``/``data-field``/``data-value`` attributes holding
the exact value from the ``Recommendation`` (tests and scripts read them back) and a ``title``
saying where it comes from (published + source key, measured + run id, or estimated), shown on
hover; the source keys are also listed as footnotes at the end.

Long because the page is one template: every section's markup sits here so the page can be
read top to bottom; the data comes from ``report_data`` and the plots from ``plots``.
"""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape
from typing import Any, Iterable

from llmselect.render.cells import facts_text, provenance_mark
from llmselect.render.report_data import ReportData
from llmselect.scoring.result import CriterionDetail, RankedModel

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111;
 max-width:1200px;margin:0 auto;padding:1.5em}
h1{font-size:1.6em;margin:.2em 0}h2{margin-top:1.8em;border-bottom:1px solid #999}
table{border-collapse:collapse;margin:.6em 0;font-size:12.5px}
th,td{border:1px solid #bbb;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#eee}td[data-field=model]{white-space:nowrap}td.num{text-align:right;font-variant-numeric:tabular-nums}
tbody tr:nth-child(even){background:#f7f7f7}
td[title],span[title]{cursor:help;text-decoration:underline dotted #888}
.measured{font-weight:bold}.unknown{font-style:italic;color:#666}
.why{font-size:1.1em;padding:.6em;border-left:4px solid #333;background:#f3f3f3}
figure{margin:1.2em 0;page-break-inside:avoid}figure img{width:100%;max-width:1000px;border:1px solid #ddd}
figcaption{font-size:12px;color:#333;max-width:900px}
.empty{font-style:italic;padding:.5em;border:1px dashed #999;display:inline-block}
.scroll{overflow-x:auto}details{margin:.3em 0}summary{cursor:pointer}.meta{color:#444}
ol.sources li{margin:.2em 0}sup a{text-decoration:none}
@media print{details{display:block}summary{display:none}}
"""

CAPTIONS = {
    "quality_vs_cost": "Quality against cost per 1M tokens. Filled markers and the dashed step "
    "line are the Pareto front: no other model is both cheaper and better. Circles are "
    "self-hosted on the target hardware (cost from its $/h and the estimated throughput), "
    "squares are served by the vendor's API (list price).",
    "quality_vs_memory": "Quality against the memory a self-hosted model needs at the chosen "
    "quantization (weights + KV cache at the profile's context + runtime overhead, estimated). "
    "The dash-dot line is the target hardware's limit; crosses are models the limit excluded, "
    "at the smallest allowed quantization. API-only models have no local memory and are not "
    "shown.",
    "contributions": "Each criterion's contribution (normalised weight × criterion score) per "
    "model; the bar's length is the total score, the error bar its 95 % interval.",
    "measured_vs_published": "Scores measured here by `llmselect bench` (filled squares) next to "
    "the published score for the same model and benchmark (hollow circles), with 95 % intervals "
    "(measured: lm-eval's stderr; published: the stated stderr or the documented default).",
    "speed": "Speed measured by the runs in the results folder, per model, backend and "
    "quantization: generation tokens per second and time to first token.",
}
EMPTY = {
    "quality_vs_cost": "No model has both a known cost and a known quality.",
    "quality_vs_memory": "No ranked model is self-hosted, so there is no memory to compare.",
    "contributions": "No ranked model.",
    "measured_vs_published": "No measured runs: every quality number in this report is "
    "published. Run `llmselect bench` to measure models on your own hardware.",
    "speed": "No measured runs with speed: speeds in the ranking are published or estimated. "
    "Run `llmselect bench` to measure tokens/s and time to first token.",
}
TITLES = {"quality_vs_cost": "Quality against cost", "quality_vs_memory": "Quality against memory",
          "contributions": "Per-criterion contributions",
          "measured_vs_published": "Measured against published", "speed": "Speed"}


def render(data: ReportData, images: dict[str, str | None], *, top: int, version: str) -> str:
    """The whole page; ``images`` maps plot name -> data: URI (None = nothing to draw)."""
    rec = data.rec
    notes = _SourceNotes(data.sources)
    body = [_header(data, version), _summary(data), _ranked(data, top, notes),
            _details(data, top, notes), _excluded(data), _plots(images),
            _comparisons(data), _speeds(data), notes.render()]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<link rel=\"icon\" href=\"data:,\">"
            f"<title>llmselect report: {escape(rec.profile)}</title><style>{CSS}</style></head>"
            "<body>\n" + "\n".join(body) + "\n</body></html>\n")


class _SourceNotes:
    """Numbered footnotes for source keys, in order of first citation."""

    def __init__(self, sources: dict[str, dict[str, Any]]):
        self.sources, self.order = sources, []

    def cite(self, keys: Iterable[str]) -> str:
        marks = []
        for key in dict.fromkeys(keys):
            if key not in self.order:
                self.order.append(key)
            n = self.order.index(key) + 1
            marks.append(f'<a href="#src-{n}" title="{escape(key)}">{n}</a>')
        return f"<sup>{','.join(marks)}</sup>" if marks else ""

    def render(self) -> str:
        items = []
        for n, key in enumerate(self.order, 1):
            s = self.sources.get(key, {"title": key})
            link = f' <a href="{escape(s["url"])}">{escape(s["url"])}</a>' if s.get("url") else ""
            date = f", {escape(s['date'])}" if s.get("date") else ""
            items.append(f'<li id="src-{n}"><code>{escape(key)}</code>: '
                         f'{escape(s["title"])}{date}{link}</li>')
        return ('<section id="sources"><h2>Sources</h2><ol class="sources">'
                + "".join(items) + "</ol></section>")


def _cell(model: str, field: str, value: Any, text: str, title: str = "",
          cls: str = "num") -> str:
    data = "" if value is None else f' data-value="{escape(str(value))}"'
    tip = f' title="{escape(title)}"' if title else ""
    return (f'<td class="{cls}" data-model="{escape(model)}" data-field="{escape(field)}"'
            f'{data}{tip}>{escape(text)}</td>')


def _header(data: ReportData, version: str) -> str:
    rec = data.rec
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    hw = f"<br>Target hardware: {escape(rec.hardware)}" if rec.hardware else ""
    cap = (f" — memory limit {data.capacity_gb:.1f} GB" if data.capacity_gb else "")
    return (f'<header><h1>Which model for “{escape(rec.profile)}”?</h1>'
            f'<p>{escape(rec.description)}</p><p class="meta">Use case: {escape(rec.use_case)}'
            f'{hw}{escape(cap)}<br>Profile file: <code>{escape(rec.profile_file or "—")}</code>'
            f'<br>Generated {when} by llmselect {escape(version)}</p></header>')


def _summary(data: ReportData) -> str:
    rec = data.rec
    out = ['<section id="summary"><h2>Recommendation</h2>']
    if rec.why_first:
        out.append(f'<p class="why" id="why-first">{escape(rec.why_first)}</p>')
    if rec.ties:
        groups = "; ".join(" ≈ ".join(g) for g in rec.ties)
        out.append(f"<p><b>Ties</b> (95 % intervals overlap, so their order is not certain): "
                   f"{escape(groups)}</p>")
    overrides = "".join(f"; {c}: {p}" for c, p in rec.missing_facts_by_criterion.items())
    weights = ", ".join(f"{c} {w:.0%}" for c, w in rec.weights.items())
    bench = ", ".join(f"{b} ×{w:g}" for b, w in rec.quality_benchmarks.items())
    s = rec.sensitivity
    out.append(
        f"<ul><li><b>Weights</b> (normalised): {escape(weights)}</li>"
        f"<li><b>Quality benchmarks</b> (relative weights): {escape(bench)}; each normalised "
        "as (score − chance) / (1 − chance).</li>"
        f"<li><b>Missing facts</b>: {escape(rec.missing_facts)} — {escape(rec.missing_facts_rule)}"
        f"{escape(overrides)}.</li>"
        f"<li><b>p(#1)</b>: share of {s.draws} draws, each weight multiplied by U(1 ± "
        f"{s.perturbation:g}) and renormalised (seed {s.seed}), in which the model ranks first.</li>"
        f"<li><b>Measured runs used</b>: {escape(', '.join(rec.measured_runs) or 'none')}</li>"
        "</ul>")
    out.extend(f"<p>{escape(n)}</p>" for n in rec.notes)
    return "".join(out) + "</section>"


def _ranked(data: ReportData, top: int, notes: _SourceNotes) -> str:
    rec = data.rec
    crit = list(rec.weights)
    head = ["#", "model", "total", "95 % interval", "p(#1)", "deployment", "memory (GB)",
            "cost (USD / 1M tokens)", "speed (tokens/s)"] + [f"{c} ({rec.weights[c]:.0%})"
                                                           for c in crit]
    rows = [_ranked_row(e, crit, notes) for e in rec.ranked[:top]]
    more = (f"<p>{len(rec.ranked) - top} more ranked model(s) not shown (use --top).</p>"
            if len(rec.ranked) > top else "")
    return ('<section id="ranking"><h2>Ranking</h2>'
            '<p>Criterion columns show each criterion’s contribution (weight × score) to the '
            'total; hover a number for its score, weight, facts and source. <b>Bold</b> = '
            'measured here, <i>italic</i> = unknown (the missing-fact policy’s value), '
            'superscripts = sources.</p>'
            '<div class="scroll"><table id="ranked"><thead><tr>'
            + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr></thead><tbody>"
            + "".join(rows) + "</tbody></table></div>" + more + "</section>")


def _ranked_row(e: RankedModel, crit: list[str], notes: _SourceNotes) -> str:
    m = e.model
    lo, hi = e.interval
    tie = f" ≈ tie with {', '.join(e.tie_with)}" if e.tie_with else ""
    cells = [
        _cell(m, "rank", e.rank, str(e.rank)),
        f'<td data-model="{escape(m)}" data-field="model" title="{escape(e.name)} by '
        f'{escape(e.vendor)}{escape(tie)}">{escape(m)}{" ≈" if e.tie_with else ""}</td>',
        _cell(m, "total", e.total, f"{e.total:.3f}", f"weighted sum of the criterion "
              f"contributions; stderr {e.stderr:.4f}"),
        _cell(m, "interval", f"{lo},{hi}", f"{lo:.3f} – {hi:.3f}", "total ± 1.96 stderr"),
        _cell(m, "p_first", e.p_first, f"{e.p_first:.0%}", "share of weight-perturbation draws "
              "in which this model ranks #1"),
        _cell(m, "deployment", e.deployment, e.deployment + (f" {e.quantization}" if
              e.quantization else ""), "self-hosted on the target hardware" if
              e.deployment == "self-hosted" else "vendor API", cls=""),
        _cell(m, "memory_gb", e.memory_gb, "—" if e.memory_gb is None else f"{e.memory_gb:.1f}",
              _memory_tip(e)),
        _fact_cell(e, "cost_per_mtok_usd", "cost", "{:.3g}"),
        _fact_cell(e, "tokens_per_s", "speed", "{:.0f}"),
    ]
    cells += [_criterion_cell(m, name, e.criteria.get(name), notes) for name in crit]
    return "<tr>" + "".join(cells) + "</tr>"


def _memory_tip(e: RankedModel) -> str:
    if e.memory_gb is None:
        return "served by the vendor's API: no local memory"
    hw = e.criteria.get("hardware_fit")
    parts = ""
    if hw:
        f = hw.facts
        parts = (f": weights {f.get('weights_gb')} + KV cache {f.get('kv_cache_gb')} + overhead "
                 f"{f.get('overhead_gb')} GB, of {f.get('capacity_gb')} GB available")
    return f"estimated at {e.quantization}{parts}"


def _fact_cell(e: RankedModel, key: str, criterion: str, fmt: str) -> str:
    value = e.key_facts.get(key)
    detail = e.criteria.get(criterion)
    if detail is not None:
        basis = detail.facts.get("basis")
        tip = f"{detail.provenance}" + (f" ({basis})" if basis else "")
        tip += f"; sources: {', '.join(detail.sources)}" if detail.sources else ""
    else:
        tip = "estimated by llmselect (criterion not weighted in this profile)"
    text = "—" if value is None else fmt.format(value)
    return _cell(e.model, key, value, text, tip)


def _criterion_cell(model: str, name: str, c: CriterionDetail | None,
                    notes: _SourceNotes) -> str:
    if c is None:
        return "<td></td>"
    score = "unknown" if c.score is None else f"{c.score:.3f}"
    tip = (f"{name}: score {score} (used {c.used:.3f}) × weight {c.weight:.3f} = "
           f"{c.contribution:.4f}; {c.provenance}"
           + (f" ({', '.join(c.sources)})" if c.sources else "") + "; " + facts_text(c.facts))
    cls = "num " + ("measured" if c.provenance in ("measured", "mixed") else
                    "unknown" if c.provenance == "unknown" else "")
    mark = provenance_mark(c.provenance)
    cell = _cell(model, f"contribution.{name}", c.contribution, f"{c.contribution:.3f}{mark}",
                 tip, cls=cls.strip())
    return cell[:-5] + notes.cite(c.sources) + "</td>"


def _details(data: ReportData, top: int, notes: _SourceNotes) -> str:
    """Per model: every criterion's score, weight, provenance, sources and facts, folded."""
    parts = ['<section id="explanations"><h2>Explanation per model</h2>']
    for e in data.rec.ranked[:top]:
        rows = "".join(
            f"<tr><td>{escape(n)}</td><td class=num>{'unknown' if c.score is None else f'{c.score:.3f}'}"
            f"</td><td class=num>{c.used:.3f}</td><td class=num>{c.weight:.3f}</td>"
            f"<td class=num>{c.contribution:.4f}</td><td>{escape(c.provenance)}"
            f"{notes.cite(c.sources)}</td><td>{escape(facts_text(c.facts))}</td></tr>"
            for n, c in e.criteria.items())
        warn = "".join(f"<li>{escape(w)}</li>" for w in e.warnings)
        parts.append(
            f"<details><summary>#{e.rank} {escape(e.model)} — {escape(e.name)} "
            f"({escape(e.vendor)}), total {e.total:.3f}</summary><table><thead><tr>"
            "<th>criterion</th><th>score</th><th>used</th><th>weight</th><th>contribution</th>"
            f"<th>provenance</th><th>facts</th></tr></thead><tbody>{rows}</tbody></table>"
            + (f"<ul>{warn}</ul>" if warn else "") + "</details>")
    return "".join(parts) + "</section>"


def _excluded(data: ReportData) -> str:
    rec = data.rec
    if not rec.excluded:
        return ('<section id="excluded"><h2>Excluded models</h2>'
                "<p>No model was excluded by the profile’s hard constraints.</p></section>")
    rows = "".join(
        f'<tr><td data-model="{escape(x.model)}" data-field="excluded">{escape(x.model)}</td>'
        f'<td data-model="{escape(x.model)}" data-field="constraint">{escape(x.constraint)}</td>'
        f"<td>{escape(x.detail)}</td></tr>" for x in rec.excluded)
    return (f'<section id="excluded"><h2>Excluded models ({len(rec.excluded)})</h2>'
            "<p>Removed by a hard constraint of the profile before ranking.</p>"
            '<table id="excluded-table"><thead><tr><th>model</th><th>constraint</th>'
            f"<th>why</th></tr></thead><tbody>{rows}</tbody></table></section>")


def _plots(images: dict[str, str | None]) -> str:
    out = ['<section id="plots"><h2>Plots</h2>']
    for name, uri in images.items():
        out.append(f'<h3 id="plot-{name}">{escape(TITLES[name])}</h3>')
        if uri is None:
            out.append(f'<p class="empty" data-plot="{name}">{escape(EMPTY[name])}</p>')
        else:
            out.append(f'<figure data-plot="{name}"><img alt="{escape(TITLES[name])}" '
                       f'src="{uri}"><figcaption>{escape(CAPTIONS[name])}</figcaption></figure>')
    return "".join(out) + "</section>"


def _fmt(value: float | None, se: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}" + (f" ± {1.96 * se:.3f}" if se is not None else "")


def _comparisons(data: ReportData) -> str:
    if not data.comparisons:
        return ('<section id="measured"><h2>Measured against published</h2>'
                f'<p class="empty">{escape(EMPTY["measured_vs_published"])}</p></section>')
    rows = "".join(
        f"<tr><td>{escape(c.model)}</td><td>{escape(c.benchmark)}</td>"
        f'<td class=num title="published; source {escape(c.published_source or "none")}">'
        f"{_fmt(c.published, c.published_se)}</td>"
        f'<td class="num measured" title="measured; run {escape(c.run_id or "")}, n={c.n}">'
        f"{_fmt(c.measured, c.measured_se)}</td><td class=num>"
        f"{'—' if c.published is None or c.measured is None else f'{c.measured - c.published:+.3f}'}"
        f"</td><td><code>{escape(c.run_id or '')}</code></td></tr>" for c in data.comparisons)
    return ('<section id="measured"><h2>Measured against published</h2><table><thead><tr>'
            "<th>model</th><th>benchmark</th><th>published (± 95 %)</th><th>measured (± 95 %)"
            "</th><th>difference</th><th>run</th></tr></thead><tbody>" + rows
            + "</tbody></table></section>")


def _speeds(data: ReportData) -> str:
    if not data.speeds:
        return ('<section id="speed"><h2>Measured speed</h2>'
                f'<p class="empty">{escape(EMPTY["speed"])}</p></section>')
    num = lambda v, f: "—" if v is None else f.format(v)  # noqa: E731
    rows = "".join(
        f"<tr><td>{escape(s.model)}</td><td>{escape(s.backend)}</td>"
        f"<td>{escape(s.quantization or '—')}</td>"
        f'<td class=num title="{escape(s.method or "")}">{num(s.gen_tokens_per_s, "{:.1f}")}</td>'
        f"<td class=num>{num(s.prompt_tokens_per_s, '{:.1f}')}</td>"
        f"<td class=num>{num(s.ttft_s, '{:.3f}')}</td><td>{escape(s.hardware or '—')}</td>"
        f"<td><code>{escape(s.run_id)}</code></td></tr>" for s in data.speeds)
    return ('<section id="speed"><h2>Measured speed</h2><table><thead><tr><th>model</th>'
            "<th>backend</th><th>quantization</th><th>generation (tokens/s)</th>"
            "<th>prompt (tokens/s)</th><th>time to first token (s)</th><th>hardware</th>"
            "<th>run</th></tr></thead><tbody>" + rows + "</tbody></table></section>")

"""The recommendation views with every field the new scoring fills (monthly cost, why,
estimated benchmarks, p(#1 beats #2), break-even, uncertainty note), at 80 columns. The
ranking is the real one for chatbot-en; only those fields are filled in here, with values of
the size the scoring produces, to check the layout holds once they are there."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from llmselect.recommendation import build_recommendation
from llmselect.render import explain as explain_view
from llmselect.render import recommendation as view
from llmselect.render.formats import OutputFormat
from llmselect.scoring.result import BreakEven

COSTS = [19_600.0, 241_000.0, 13.4, 1_234.0, 0.35, None, 987_654.0, 5_000_000.0]
WHYS = ["quality, GDPR", "licence, quality, ecosystem, vendor support and a long reason",
        "cost", "", "speed, cost", "GDPR", "context", "quality"]


@pytest.fixture(scope="module")
def filled():
    inputs = build_recommendation("chatbot-en")
    rec = inputs.rec
    ranked = []
    for i, e in enumerate(rec.ranked):
        crit = {n: c.model_copy(update={"stderr": 0.031}) for n, c in e.criteria.items()}
        ranked.append(e.model_copy(update={
            "monthly_cost_usd": COSTS[i % len(COSTS)], "why": WHYS[i % len(WHYS)],
            "cost_basis": "1 node × $27.20/h × 730 h", "criteria": crit,
            "estimated": ["gpqa", "gsm8k"] if i % 2 else [],
            "interval": (e.total - 0.043, e.total + 0.043)}))
    be = BreakEven(self_hosted_model="llama3.1-8b", self_hosted_monthly_usd=19_856.0,
                   api_model="gpt-4o-mini", api_usd_per_mtok=0.375,
                   break_even_mtok_per_month=52_949.0, note="C's rule: about $5k/month")
    rec = rec.model_copy(update={"ranked": ranked, "p_first_beats_second": 0.87,
                                 "break_even": be, "uncertainty_note": "Monte Carlo over "
                                 "weights and facts: published ±2 points per source, measured "
                                 "stderr, estimation error; 2000 draws, seed 0."})
    return rec, inputs.catalog


def _render(fn, width=80) -> str:
    buf = io.StringIO()
    fn(Console(file=buf, width=width, no_color=True))
    return buf.getvalue()


def test_filled_table_fits_80_and_shows_every_field(filled):
    rec, _ = filled
    text = _render(lambda c: view.render(rec, 10, OutputFormat.table, c, None))
    assert max(len(line) for line in text.splitlines()) <= 80 and "…" not in text
    for cost in ("$19.6k", "$241k", "$13", "$1.2k", "$0.35", "$988k", "$5.0M"):
        assert cost in text, cost
    first = rec.ranked[0]
    assert f"{first.total:.2f} ±0.04" in text
    assert "~" in text.split("Excluded")[0]          # estimated quality is marked
    assert "p(#1 beats #2) 87%" in text
    assert "self-hosting is cheaper above 52,949 M tokens/month" in text
    assert "Units: GB = 10^9 bytes" in text and "Monte Carlo over weights" in text
    assert "ecosystem" in text                       # a long why wraps, it is not cut


def test_filled_explain_fits_80(filled):
    rec, catalog = filled
    text = _render(lambda c: explain_view.explain(rec, catalog, rec.ranked[1].model,
                                                  OutputFormat.table, c, c, None))
    assert max(len(line) for line in text.splitlines()) <= 80 and "…" not in text
    assert "±0.031" in text and "1 node × $27.20/h × 730 h" in text
    assert "estimated (not published, not measured): gpqa, gsm8k" in text


def test_filled_csv_is_numeric(filled):
    rec, _ = filled
    rows = view.csv_rows(rec, 3)
    for row in rows:
        for key in ("total", "low", "high", "p_first", "quality", "cost"):
            assert isinstance(row[key], float)
    assert rows[0]["monthly_cost_usd"] == 19_600.0 and rows[1]["estimated"] == "gpqa;gsm8k"

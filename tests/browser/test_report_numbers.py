"""Every number in the HTML report equals what ``recommend --format json`` prints for the same
profile and results: the report lays out the recommendation, it never re-scores. Read back from
the ``data-model``/``data-field``/``data-value`` attributes of the cells with ``html.parser``."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from typer.testing import CliRunner

from llmselect.cli.main import app


class _Cells(HTMLParser):
    """(model, field) -> {"value": data-value, "title": title} for every cell that has them."""

    def __init__(self):
        super().__init__()
        self.cells: dict[tuple[str, str], dict] = {}
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "td" and "data-model" in a:
            self.cells[(a["data-model"], a["data-field"])] = {"value": a.get("data-value"),
                                                             "title": a.get("title")}

    def handle_data(self, data):
        self.text.append(data)


def _invoke(args: list[str]) -> str:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("profile_name", ["chatbot-en-local", "chatbot-en"])
def test_html_numbers_equal_recommend_json(profile_name, report_results, tmp_path):
    profile = ["--profile", profile_name, "--results", str(report_results)]
    rec = json.loads(_invoke(["recommend", *profile, "--format", "json"]))
    out = tmp_path / "report.html"
    _invoke(["report", *profile, "--top", "100", "--output", str(out)])
    page = _Cells()
    page.feed(out.read_text(encoding="utf-8"))
    cells = page.cells

    assert rec["measured_runs"], "the fixture's runs must be used"
    ranked_models = {m for (m, f) in cells if f == "total"}
    assert ranked_models == {e["model"] for e in rec["ranked"]}
    for e in rec["ranked"]:
        m = e["model"]
        value = lambda f: cells[(m, f)]["value"]  # noqa: E731
        assert int(value("rank")) == e["rank"]
        assert float(value("total")) == e["total"]
        assert float(value("p_first")) == e["p_first"]
        assert [float(v) for v in value("interval").split(",")] == e["interval"]
        assert value("deployment") == e["deployment"]
        _same_optional(value("memory_gb"), e["memory_gb"])
        _same_optional(value("cost_per_mtok_usd"), e["key_facts"].get("cost_per_mtok_usd"))
        _same_optional(value("tokens_per_s"), e["key_facts"].get("tokens_per_s"))
        for name, c in e["criteria"].items():
            cell = cells[(m, f"contribution.{name}")]
            assert float(cell["value"]) == c["contribution"]
            assert c["provenance"] in cell["title"]          # provenance on hover
            for src in c["sources"]:
                assert src in cell["title"]
    excluded = {m: cells[(m, "constraint")] for (m, f) in cells if f == "excluded"}
    assert set(excluded) == {x["model"] for x in rec["excluded"]}
    text = "".join(page.text)
    assert rec["why_first"] in text
    for run_id in rec["measured_runs"]:
        assert run_id in text


def test_measured_cell_names_its_run(report_results, tmp_path):
    out = tmp_path / "report.html"
    _invoke(["report", "-p", "chatbot-en-local", "--results", str(report_results), "-o", str(out)])
    page = _Cells()
    page.feed(out.read_text(encoding="utf-8"))
    title = page.cells[("mistral-7b-instruct", "contribution.quality")]["title"]
    assert "measured" in title and "mistral-7b-instruct-test" in title


def _same_optional(html_value: str | None, json_value) -> None:
    if json_value is None:
        assert html_value is None
    else:
        assert float(html_value) == json_value

"""``llmselect report``: Markdown + PNG output, the no-runs case, bad input, light imports, and the
report's own computations (Pareto front, measured vs published)."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from typer.testing import CliRunner

from llmselect import store
from llmselect.render.report_data import Point, comparisons, pareto_front, speed_rows
from llmselect.cli.main import app

from helpers.report_runs import measured_runs

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _report(*args: str):
    return CliRunner().invoke(app, ["report", *args])


def test_markdown_writes_png_plots_beside_it(tmp_path):
    results = tmp_path / "runs"
    measured_runs(results)
    out = tmp_path / "out" / "committee.md"
    out.parent.mkdir()
    result = _report("-p", "chatbot-en", "--results", str(results), "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    pngs = sorted(p.name for p in out.parent.glob("*.png"))
    assert pngs == [f"committee-{n}.png" for n in ("contributions", "measured_vs_published",
                                                   "quality_vs_cost", "quality_vs_memory",
                                                   "speed")]
    for name in pngs:
        assert f"]({name})" in text
        assert (out.parent / name).read_bytes().startswith(PNG_MAGIC)
    assert "## Excluded models" in text and "| # | model | total |" in text


def test_without_runs_says_no_measured_runs(tmp_path):
    out = tmp_path / "report.html"
    (tmp_path / "empty").mkdir()
    result = _report("-p", "chatbot-en", "--results", str(tmp_path / "empty"), "-o", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert html.count("No measured runs") == 4      # plot + table, for scores and for speed
    assert html.count("<img ") == 3                 # cost, memory, contributions
    assert "http://" not in html.split("<body>")[0] and "<script" not in html


def test_format_follows_output_suffix(tmp_path):
    out = tmp_path / "r.md"
    assert _report("-p", "budget-prototype", "-o", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("# Which model for")


@pytest.mark.parametrize("args, message", [
    (["-p", "chatbot-en", "-o", "/nonexistent-dir/r.html"], "does not exist"),
    (["-p", "chatbt-en", "-o", "r.html"], "did you mean"),
    (["-p", "chatbot-en", "--format", "pdf"], "pdf"),
])
def test_bad_input_is_one_line_exit_2(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = _report(*args)
    assert result.exit_code == 2
    assert message in result.output.lower()
    assert "Traceback" not in result.output
    assert not (tmp_path / "r.html").exists()


def test_output_folder_is_refused(tmp_path):
    result = _report("-p", "chatbot-en", "-o", str(tmp_path))
    assert result.exit_code == 2 and "is a folder" in result.output


def test_light_commands_do_not_import_matplotlib():
    code = ("import sys\nfrom typer.testing import CliRunner\nfrom llmselect.cli.main import app\n"
            "r = CliRunner().invoke(app, ['recommend', '-p', 'chatbot-en', '-f', 'json'])\n"
            "assert r.exit_code == 0, r.output\n"
            "CliRunner().invoke(app, ['report', '--help'])\n"
            "bad = [m for m in ('matplotlib', 'torch', 'scipy') if m in sys.modules]\n"
            "assert not bad, bad\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]


def _p(model: str, quality: float | None, cost: float | None) -> Point:
    return Point(model, 0, quality, cost, None, "api")


@pytest.mark.parametrize("points, front", [
    ([_p("a", 0.5, 1.0), _p("b", 0.6, 2.0), _p("c", 0.55, 3.0)], ["a", "b"]),
    ([_p("a", 0.5, 1.0), _p("b", 0.5, 1.0)], ["a"]),                 # equal: one is enough
    ([_p("a", 0.9, 0.0), _p("b", 0.5, 0.0), _p("c", 0.95, 5.0)], ["a", "c"]),
    ([_p("a", 0.5, None), _p("b", None, 1.0), _p("c", 0.1, 9.0)], ["c"]),  # unknown left out
    ([_p("a", 0.7, 1.0), _p("b", 0.6, 2.0)], ["a"]),                 # b dominated
    ([], []),
])
def test_pareto_front(points, front):
    assert pareto_front(points) == front


def test_comparisons_pair_newest_measured_with_published(tmp_path):
    from llmselect.catalog import load_catalog
    from llmselect.catalog.benchmarks import BENCHMARKS

    runs = measured_runs(tmp_path)
    older = runs[0].model_copy(update={
        "run_id": "older", "created_at": runs[0].created_at - timedelta(days=1),
        "tasks": {"mmlu": runs[0].tasks["mmlu"].model_copy(update={"value": 0.1})}})
    rows = comparisons(load_catalog(), [older, *runs], BENCHMARKS)
    by_key = {(c.model, c.benchmark): c for c in rows}
    mmlu = by_key[("mistral-7b-instruct", "mmlu")]
    card = load_catalog().get_model("mistral-7b-instruct")
    published = next(s for s in card.scores if s.benchmark == "mmlu")
    assert mmlu.measured == 0.561 and mmlu.run_id == runs[0].run_id       # newest wins
    assert mmlu.published == pytest.approx(published.value / 100)
    assert 0 < mmlu.published_se < 0.05 and mmlu.measured_se == 0.0041
    small = by_key[("smollm2-135m-instruct", "mmlu")]
    assert small.published is None and small.measured == 0.262


def test_speed_rows_skip_runs_without_speed(tmp_path):
    runs = measured_runs(tmp_path)
    no_speed = runs[1].model_copy(update={"run_id": "x", "speed": store.Speed(),
                                          "created_at": datetime.now(timezone.utc)})
    rows = speed_rows([*runs, no_speed])
    assert [(r.model, r.gen_tokens_per_s, r.ttft_s) for r in rows] == [
        ("mistral-7b-instruct", 11.4, 0.84), ("smollm2-135m-instruct", 79.5, 0.15)]


def test_models_cut_by_memory_sit_where_scoring_said(tmp_path):
    """The memory plot's crosses use the scoring's own estimate: the same GB as the exclusion."""
    import re

    from llmselect.catalog import load_catalog
    from llmselect.catalog.benchmarks import BENCHMARKS
    from llmselect.config.profile_schema import load_profile
    from llmselect.render.report_data import build
    from llmselect.scoring import rank_catalog

    profile = load_profile("chatbot-en-local")[0]
    catalog = load_catalog()
    rec = rank_catalog(profile, catalog, [])
    data = build(rec, catalog, [], benchmarks=BENCHMARKS)
    stated = {x.model: float(re.search(r"needs ~([\d.]+) GB", x.detail).group(1))
              for x in rec.excluded if x.constraint == "max_memory_gb"}
    assert data.too_big and {p.model for p in data.too_big} <= set(stated)
    for p in data.too_big:
        assert p.memory_gb == pytest.approx(stated[p.model], abs=0.05)
        assert p.memory_gb > data.capacity_gb

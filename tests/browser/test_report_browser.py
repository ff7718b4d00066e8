"""The HTML report in a real headless Chromium: loads without console errors, asks for nothing
but itself, shows every plot, and leaves a screenshot for people to look at."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from llmselect.cli.main import app

from conftest import render_page  # tests/browser/conftest.py (pytest puts its folder on sys.path)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_harness_sees_every_kind_of_page_error(chromium, tmp_path):
    """The checks below can fail: a broken page shows up as console error, uncaught exception,
    failed resource load and a non-local request."""
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><html><head><title>broken</title></head><body>"
                    '<img src="missing.png"><img src="http://127.0.0.1:9/remote.png">'
                    "<script>console.error('boom'); null.crash();</script></body></html>")
    report = render_page(chromium, page.as_uri(), tmp_path)
    assert any("boom" in m for m in report.console_errors)
    assert any("crash" in m for m in report.exceptions)
    assert any("missing.png" in m for m in report.log_errors)
    assert "http://127.0.0.1:9/remote.png" in report.requests
    assert report.images_ok == 0 and report.images_total == 2


def test_report_renders_without_errors_and_screenshot(chromium, report_results, tmp_path):
    out = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["report", "--profile", "chatbot-en-local", "--results",
                                      str(report_results), "--output", str(out)])
    assert result.exit_code == 0, result.output
    shot = tmp_path / "report.png"
    page = render_page(chromium, out.as_uri(), tmp_path, screenshot=shot)
    assert page.errors == []
    assert page.title == "llmselect report: chatbot-en-local"
    local = [u for u in page.requests if not u.startswith(("file:", "data:"))]
    assert local == [], f"report fetches from outside itself: {local}"
    # all five plots drawn (measured runs give measured-vs-published and speed) and decoded
    assert page.images_total == 5 and page.images_ok == 5
    assert page.overflow_px <= 0, "the page scrolls sideways at 1280 px"
    data = shot.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 50_000
    assert _png_height(shot) > 2000  # full page, not just the first screen


def _png_height(path: Path) -> int:
    return int.from_bytes(path.read_bytes()[20:24], "big")

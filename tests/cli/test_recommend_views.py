"""``recommend`` views: --top in every format, the --models shortlist (and the profile's
``models:``), and the cells that must read the same everywhere (cost, interval)."""

from __future__ import annotations

import re

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from llmselect.cli.main import app
from llmselect.render.cells import money

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, ["recommend", *args])


def ok(*args) -> str:
    out = invoke(*args)
    assert out.exit_code == 0, out.output
    return out.stdout


def test_top_cuts_json_and_says_so():
    full = json.loads(ok("--profile", "chatbot-en", "--format", "json"))
    top = json.loads(ok("--profile", "chatbot-en", "--format", "json", "--top", "2"))
    assert len(full["ranked"]) > 2
    assert [e["model"] for e in top["ranked"]] == [e["model"] for e in full["ranked"][:2]]
    assert top["shown"] == 2 and top["ranked_total"] == full["ranked_total"] == len(
        full["ranked"]) == full["shown"]
    assert top["excluded"] == full["excluded"]       # exclusions are never cut


def test_top_cuts_csv_and_markdown():
    rows = list(csv.DictReader(io.StringIO(ok("--profile", "chatbot-en", "-f", "csv", "-n", "2"))))
    assert [r["rank"] for r in rows] == ["1", "2"]
    md = ok("--profile", "chatbot-en", "-f", "markdown", "--top", "2")
    table = md.split("\n\n")[1]
    assert len([ln for ln in table.splitlines() if ln.startswith("| ")]) == 1 + 2  # header + 2
    assert "Top 2 of" in md
    text = ok("--profile", "chatbot-en", "--top", "2")
    assert "Top 2 of" in text


def _ranked_and_excluded(*args):
    rec = json.loads(ok("--profile", "chatbot-en", "--format", "json", *args))
    return {e["model"] for e in rec["ranked"]}, {x["model"] for x in rec["excluded"]}


def test_models_shortlist_ranks_only_those_and_keeps_exclusions():
    # aliases resolve; gpt-4o is excluded by chatbot-en's min_quality, and still listed
    ranked, excluded = _ranked_and_excluded("--models", "phi-4, llama3-8b,mistral-7b,gpt-4o")
    assert ranked == {"phi-4", "llama3-8b-instruct", "mistral-7b-instruct"}
    assert excluded == {"gpt-4o"}


def test_models_shortlist_from_the_profile_and_the_option_wins(tmp_path):
    path = tmp_path / "short.yaml"
    path.write_text("extends: chatbot-en\nmodels: [phi-4, llama3.1-8b]\n")
    rec = json.loads(ok("--profile", str(path), "--format", "json"))
    assert {e["model"] for e in rec["ranked"]} == {"phi-4", "llama3.1-8b"}
    rec = json.loads(ok("--profile", str(path), "--format", "json", "--models", "phi-4"))
    assert [e["model"] for e in rec["ranked"]] == ["phi-4"]


@pytest.mark.parametrize("args, message", [
    (["--models", "phi-4,lama3-8b"], "--models: unknown model 'lama3-8b' (did you mean 'llama3-8b'?)"),
    (["--models", " , "], "--models: no model given"),
])
def test_models_shortlist_bad_names_are_one_line(args, message):
    out = invoke("--profile", "chatbot-en", *args)
    assert out.exit_code == 2 and out.stdout == ""
    assert out.stderr.strip().count("\n") == 0 and message in out.stderr


def test_profile_shortlist_typo_names_the_file(tmp_path):
    path = tmp_path / "short.yaml"
    path.write_text("extends: chatbot-en\nmodels: [phi4x]\n")
    out = invoke("--profile", str(path))
    assert out.exit_code == 2 and f"{path}: models: unknown model 'phi4x'" in out.stderr


def test_explain_outside_the_shortlist_is_one_line():
    out = invoke("--profile", "chatbot-en", "--models", "phi-4,llama3-8b", "--explain", "gpt-4o")
    assert out.exit_code == 2 and "unknown model 'gpt-4o'" in out.stderr
    assert "Traceback" not in out.output
    out = invoke("--profile", "chatbot-en", "--models", "phi-4,llama3-8b", "--explain", "llama3-8b")
    assert out.exit_code == 0 and re.search(r"#[12] llama3-8b-instruct", out.stdout)


def test_shortlist_of_only_excluded_models_is_the_usual_error():
    out = invoke("--profile", "chatbot-en", "--models", "gpt-4o")
    assert out.exit_code == 2 and "exclude every model" in out.stderr


@pytest.mark.parametrize("usd, text", [
    (None, "—"), (0.35, "$0.35"), (13.2, "$13"), (999.4, "$999"), (1234, "$1.2k"),
    (19_600, "$19.6k"), (196_000, "$196k"), (1_300_000, "$1.3M")])
def test_money_is_compact(usd, text):
    assert money(usd) == text

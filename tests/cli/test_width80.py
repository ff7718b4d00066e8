"""Every command's default output read at 80 columns, as a person's terminal (or a pipe with
no $COLUMNS) gives it: no line longer than 80, no id or number cut to "…", every ranked model
and catalog id whole. Plus: piped output honours $COLUMNS, and --wide widens only when asked."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers.compare_runs import flip, make_run, outcomes
from helpers.profiles import BUILTIN
from llmselect.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
LONG_ID = "20261202T005942-smollm2-135m-instruct-quick-65bd84"   # as store.new_run_id names


@pytest.fixture(autouse=True)
def _builtin_catalog(monkeypatch):
    monkeypatch.delenv("LLMSELECT_CATALOG_PATH", raising=False)
    monkeypatch.setenv("COLUMNS", "80")


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("results")
    base = outcomes(60, 0.5, seed=1)
    make_run(folder, "base-run", "smollm2-135m-instruct", {"mmlu": base})
    make_run(folder, "cand-run", "gemma3-270m", {"mmlu": flip(base, 8, 2)}, minutes=5)
    make_run(folder, LONG_ID, "smollm2-135m-instruct", {"mmlu": base, "gsm8k": base},
             minutes=9)
    return folder


def run80(*args: str) -> str:
    out = CliRunner().invoke(app, list(args), env={"COLUMNS": "80"}, terminal_width=80)
    assert out.exit_code == 0, out.output
    return out.stdout


def assert_fits(text: str, width: int = 80) -> None:
    assert text.strip(), "no output"
    long = [line for line in text.splitlines() if len(line) > width]
    assert not long, f"{len(long)} line(s) over {width} columns: {long[0]!r}"
    assert "…" not in text, next(line for line in text.splitlines() if "…" in line)


def ids_whole(text: str, ids) -> None:
    words = {w.strip(",;:()[]") for w in text.split()} | set(text.split())
    missing = [i for i in ids if i not in words]
    assert not missing, f"ids not printed whole: {missing}"


def _json(*args: str):
    import json

    out = CliRunner().invoke(app, [*args, "--format", "json"])
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


@pytest.mark.parametrize("profile", BUILTIN)
def test_recommend_fits_80_with_every_model_whole(profile):
    text = run80("recommend", "--profile", profile)
    assert_fits(text)
    rec = _json("recommend", "--profile", profile)
    ids_whole(text, [e["model"] for e in rec["ranked"]] + [x["model"] for x in rec["excluded"]])
    header = next(line for line in text.splitlines() if line.startswith("#"))
    for col in ("model", "total ±95%", "p(#1)", "deploy", "$/month", "why"):
        assert col in header
    assert "qual" not in header, "the criterion matrix belongs to --wide"
    for marker in ("Units:", "Marks:", "Uncertainty:", "Break-even"):
        assert marker in text


def test_recommend_totals_have_two_decimals_at_80():
    text = run80("recommend", "--profile", "chatbot-en")
    rec = _json("recommend", "--profile", "chatbot-en")
    first = rec["ranked"][0]
    half = (first["interval"][1] - first["interval"][0]) / 2
    assert f"{first['total']:.2f} ±{half:.2f}" in text
    assert f"{first['total']:.3f}" not in text.split("Why #1")[0]


def test_wide_adds_the_matrix_whole_even_past_COLUMNS():
    text = run80("recommend", "--profile", "chatbot-en", "--wide")
    assert "qual" in text and "gdpr" in text and "…" not in text
    rec = _json("recommend", "--profile", "chatbot-en")
    ids_whole(text, [e["model"] for e in rec["ranked"]])
    below = text.split("Excluded")[1]              # only the matrix is wider than asked
    assert not [line for line in below.splitlines() if len(line) > 80]


def test_explain_is_vertical_and_fits_80():
    text = run80("recommend", "--profile", "chatbot-en", "--explain", "llama3-8b")
    assert_fits(text)
    entry = _json("recommend", "--profile", "chatbot-en", "--explain", "llama3-8b")
    for name in entry["criteria"]:
        assert any(line.startswith(f"{name}: score") for line in text.splitlines()), name
    sources = {s for c in entry["criteria"].values() for s in c["sources"]}
    ids_whole(text, sources)                      # long source keys wrap, never cut
    assert "commercial use allowed under 700 million monthly active users" in " ".join(
        text.split())


@pytest.mark.parametrize("args", [
    ["models"], ["models", "show", "llama3.1-8b"], ["models", "show", "mistral-large-2"],
    ["profiles"], ["profiles", "show", "chatbot-en"], ["suites"], ["hardware"],
])
def test_light_commands_fit_80(args):
    assert_fits(run80(*args))


def test_models_prints_every_id_and_licence_whole():
    text = run80("models")
    rows = _json("models")
    ids_whole(text, [r["id"] for r in rows])
    assert_fits(text)
    lines = text.splitlines()
    for lic in {r["license"] for r in rows if r["license"]}:
        if lic in text.split():
            continue
        # longer than its column: folded onto the next line at the same column, not cut
        i, line = next((i, ln) for i, ln in enumerate(lines)
                       if any(lic.startswith(w) and len(w) > 8 for w in ln.split()))
        head = next(w for w in line.split() if lic.startswith(w) and len(w) > 8)
        col = line.index(head)
        assert lines[i + 1][col:].split()[0] == lic[len(head):], lic


def test_results_and_compare_fit_80(runs):
    text = run80("results", "-d", str(runs))
    assert_fits(text)
    ids_whole(text, [LONG_ID, "base-run", "cand-run"])
    assert "left out at 80 columns" in text
    text = run80("compare", "base-run", "cand-run", "-d", str(runs))
    assert_fits(text)
    ids_whole(text, ["base-run"])


def _piped(*args: str, columns: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    if columns is not None:
        env["COLUMNS"] = columns
    out = subprocess.run([sys.executable, "-m", "llmselect", *args], capture_output=True,
                         text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def widest(text: str) -> int:
    return max(len(line.rstrip()) for line in text.splitlines())


def test_piped_output_honours_COLUMNS_and_defaults_to_80():
    assert widest(_piped("recommend", "--profile", "chatbot-en", columns="60")) <= 60
    assert widest(_piped("recommend", "--profile", "chatbot-en", columns=None)) <= 80
    wide = _piped("recommend", "--profile", "chatbot-en", "--wide", columns=None)
    assert widest(wide) > 80                         # --wide: the whole matrix, past 80
    assert widest(_piped("models", columns="120")) > 80   # room for every column at 120

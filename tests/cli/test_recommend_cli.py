"""``llmselect recommend``: exit codes for every built-in profile and every bad input, output
formats, --explain, --hardware, and the light-import promise."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from llmselect.cli.main import app
from helpers.profiles import BUILTIN, GOOD

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, ["recommend", *args])


@pytest.mark.parametrize("name", BUILTIN)
def test_every_builtin_profile_exits_0_and_json_parses(name):
    out = invoke("--profile", name, "--format", "json")
    assert out.exit_code == 0, out.output
    rec = json.loads(out.stdout)
    assert rec["profile"] == name and rec["ranked"]
    assert [e["rank"] for e in rec["ranked"]] == list(range(1, len(rec["ranked"]) + 1))
    assert abs(sum(e["p_first"] for e in rec["ranked"]) - 1) < 1e-6
    totals = [e["total"] for e in rec["ranked"]]
    assert totals == sorted(totals, reverse=True)
    for e in rec["ranked"]:
        assert e["interval"][0] <= e["total"] <= e["interval"][1]
        assert abs(sum(c["contribution"] for c in e["criteria"].values()) - e["total"]) < 2e-3
    for x in rec["excluded"]:
        assert x["constraint"] and x["detail"]


@pytest.mark.parametrize("name", BUILTIN)
def test_every_builtin_profile_table_shows_policy_and_why(name):
    out = invoke("--profile", name)
    assert out.exit_code == 0, out.output
    assert "Missing facts:" in out.stdout
    assert "Why #1:" in out.stdout or "only model" in out.stdout


def test_csv_has_numeric_columns_and_provenance_flags_beside_them():
    out = invoke("--profile", "chatbot-en", "--format", "csv", "--top", "3")
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert len(rows) == 3 and [r["rank"] for r in rows] == ["1", "2", "3"]
    rec = json.loads(invoke("--profile", "chatbot-en", "--format", "json").stdout)
    for row, entry in zip(rows, rec["ranked"]):
        assert row["model"] == entry["model"]
        low, total, high = float(row["low"]), float(row["total"]), float(row["high"])
        assert low <= total <= high and 0 <= float(row["p_first"]) <= 1
        contributions = 0.0
        for name, detail in entry["criteria"].items():
            contributions += float(row[name])            # a number, not "0.159~"
            assert row[f"{name}_provenance"] == detail["provenance"]
        assert abs(contributions - total) < 2e-3
        for col in ("memory_gb", "monthly_cost_usd"):
            assert row[col] == "" or float(row[col]) >= 0
    assert "±" not in out.stdout


def test_markdown_has_ranked_excluded_and_summary():
    out = invoke("--profile", "chatbot-en-local", "--format", "markdown")
    assert out.exit_code == 0, out.output
    assert out.stdout.count("| rank |") == 1 and "### Excluded" in out.stdout
    assert "- Missing facts: neutral" in out.stdout


def test_explain_shows_every_criterion_with_sources():
    out = invoke("--profile", "chatbot-en", "--explain", "llama3.1-8b", "--format", "json")
    assert out.exit_code == 0, out.output
    entry = json.loads(out.stdout)
    assert entry["model"] == "llama3.1-8b"
    assert entry["criteria"]["quality"]["sources"]
    assert entry["criteria"]["hardware_fit"]["facts"]["total_gb"] > 16


def test_explain_accepts_an_alias_and_explains_an_exclusion():
    out = invoke("--profile", "chatbot-en-local", "--explain", "llama3-70b")
    assert out.exit_code == 0, out.output
    assert "llama3-70b-instruct is excluded by constraint max_memory_gb" in out.stdout


def test_explain_unknown_model_exits_2_with_did_you_mean():
    out = invoke("--profile", "chatbot-en", "--explain", "llama3.1-8")
    assert out.exit_code == 2
    assert "did you mean" in out.output


def _write(tmp_path, text, name="p.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("text, message", [
    ("description: [oops", "malformed YAML"),
    (GOOD.replace("cost: 1", "costs: 1"), "criteria.weights: unknown criterion 'costs' (did you mean 'cost'?)"),
    (GOOD.replace("cost: 1", "cost: -0.5"), "criteria.weights: criterion 'cost' has a negative weight"),
    (GOOD.replace("quality: 1, cost: 1", "quality: 0, cost: 0.0"), "criteria.weights: all criterion weights are zero"),
    (GOOD.replace("mmlu: 1", "mmlu_pro: 1"), "quality_benchmarks.mmlu_pro: unknown benchmark"),
    (GOOD + "constraints: {min_context: 100000000}\n", "constraints exclude every model (min_context removed"),
])
def test_bad_input_exits_2_with_one_line_naming_the_file(tmp_path, text, message):
    path = _write(tmp_path, text)
    out = invoke("--profile", path)
    assert out.exit_code == 2, out.output
    assert out.stdout == ""
    err = out.stderr.strip()
    assert err.count("\n") == 0 and path in err and message in err, err
    assert "Traceback" not in out.output


@pytest.mark.parametrize("args, message", [
    (["--profile", "chatbot"], "unknown profile 'chatbot'"),
    (["--profile", "no/such/file.yaml"], "no such profile file"),
    (["--profile", "chatbot-en", "--hardware", "gpu"], "the only value is 'local'"),
])
def test_bad_options_exit_2(args, message):
    out = invoke(*args)
    assert out.exit_code == 2 and message in out.stderr


def test_debug_env_reraises(tmp_path, monkeypatch):
    from llmselect.errors import UserError

    monkeypatch.setenv("LLMSELECT_DEBUG", "1")
    out = invoke("--profile", _write(tmp_path, "description: [oops"))
    assert isinstance(out.exception, UserError)


def _machine(monkeypatch, ram_gb: float):
    """The detected machine, fixed: the test must not depend on where it runs."""
    from llmselect import hardware
    from llmselect.run_schema import Hardware

    detected = []

    def detect():
        detected.append(ram_gb)
        return Hardware(cpu="Test CPU", cores=2, ram_gb=ram_gb)

    monkeypatch.setattr(hardware, "measure_memory_bandwidth_gbps", lambda: 20.0)

    monkeypatch.setattr(hardware, "detect_hardware", detect)
    return detected


def test_hardware_local_targets_the_detected_machine(monkeypatch):
    detected = _machine(monkeypatch, 24.0)
    out = invoke("--profile", "chatbot-en-local", "--hardware", "local", "--format", "json")
    assert out.exit_code == 0, out.output
    rec = json.loads(out.stdout)
    assert detected == [24.0]  # detected once, and that is what was ranked against
    assert rec["hardware"] == (
        "this machine: Test CPU, 2 cores, 24 GB RAM (cpu, int8, Q8_0, Q4_K_M, int4, Q4_0)")
    ranked = [e["model"] for e in rec["ranked"]]
    excluded = {x["model"]: x["constraint"] for x in rec["excluded"]}
    assert "mistral-7b-instruct" in ranked  # a 7B model at Q4 fits 24 GB
    assert excluded["llama3-70b-instruct"] == excluded["qwen2.5-72b"] == "max_memory_gb"


def test_hardware_local_on_a_tiny_machine_excludes_everything_in_one_line(monkeypatch):
    _machine(monkeypatch, 0.3)
    out = invoke("--profile", "chatbot-en-local", "--hardware", "local")
    assert out.exit_code == 2 and out.stdout == ""
    err = out.stderr.strip()
    assert "\n" not in err and "constraints exclude every model (max_memory_gb removed" in err


HEAVY = ("torch", "transformers", "lm_eval", "llama_cpp", "matplotlib", "scipy", "datasets")


def test_recommend_does_not_import_heavy_engines():
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from llmselect.cli.main import app\n"
        "r = CliRunner().invoke(app, ['recommend', '--profile', 'chatbot-en', '--format', 'json'])\n"
        "assert r.exit_code == 0, r.output\n"
        "r = CliRunner().invoke(app, ['profiles'])\n"
        "assert r.exit_code == 0, r.output\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"

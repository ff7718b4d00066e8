"""`llmselect models` and `llmselect models show` through the real CLI app (CliRunner)."""

from __future__ import annotations

import csv
import io
import json
import os

import pytest
from typer.testing import CliRunner

from llmselect.cli.main import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _builtin_only(monkeypatch):
    monkeypatch.delenv("LLMSELECT_CATALOG_PATH", raising=False)


def _json(*args: str):
    result = runner.invoke(app, ["models", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _ids(*args: str) -> set[str]:
    return {row["id"] for row in _json(*args)}


def test_lists_every_model():
    rows = _json()
    assert len(rows) == 22
    llama = next(r for r in rows if r["id"] == "llama3-8b-instruct")
    assert llama["published_scores"]["mmlu"] == 68.4
    assert llama["jurisdiction"] == "US"


def test_open_weights_and_api_only_partition_the_catalog():
    open_ids, api_ids = _ids("--open-weights"), _ids("--api-only")
    assert not open_ids & api_ids and len(open_ids | api_ids) == 22
    assert api_ids == {"gpt-4o", "gpt-4o-mini", "claude-3-sonnet", "claude-3.5-sonnet",
                       "gemini-1.5-pro"}


@pytest.mark.parametrize("licence,expected", [
    ("mit", {"phi-4", "deepseek-v3"}),
    ("llama", {"llama3-8b-instruct", "llama3-70b-instruct", "llama3.1-8b", "llama3.1-405b",
               "llama3.3-70b"}),
    ("APACHE", {"mistral-7b-instruct", "mixtral-8x22b", "qwen2.5-0.5b", "qwen2.5-7b",
                "qwen2.5-coder-32b", "smollm2-135m-instruct"}),
])
def test_license_filter(licence, expected):
    assert _ids("--license", licence) == expected


def test_max_memory_uses_params_and_native_quantization():
    # bf16 default: 0.5B Qwen ~1.6 GB; the GGUF models count at Q4_1 / Q4_K_M (< 1 GB)
    assert _ids("--max-memory", "2") == {"qwen2.5-0.5b", "smollm2-135m-instruct", "gemma3-270m"}
    small = _json("--max-memory", "1")
    assert {r["id"] for r in small} == {"smollm2-135m-instruct", "gemma3-270m"}
    assert all(r["memory_gb"] <= 1 for r in small)
    # int4 brings 7-8B models under 8 GB, never API models nor the 14B at bf16
    int4 = _ids("--max-memory", "8", "--quantization", "int4")
    assert {"llama3-8b-instruct", "mistral-7b-instruct", "qwen2.5-7b"} <= int4
    assert "gpt-4o" not in int4 and "llama3-70b-instruct" not in int4


def test_memory_grows_with_context():
    short = {r["id"]: r["memory_gb"] for r in _json("--context", "1024")}
    long = {r["id"]: r["memory_gb"] for r in _json("--context", "32768")}
    assert long["llama3-8b-instruct"] > short["llama3-8b-instruct"]
    assert short["gpt-4o"] is None  # nothing to host


@pytest.mark.parametrize("args,expected", [
    (("--language", "fr"), {"llama3.1-8b", "llama3.1-405b", "llama3.3-70b", "mistral-large-2",
                            "mixtral-8x22b", "qwen2.5-0.5b", "qwen2.5-7b", "qwen2.5-coder-32b",
                            "qwen2.5-72b"}),
    (("--vendor", "meta"), {"llama3-8b-instruct", "llama3-70b-instruct", "llama3.1-8b",
                            "llama3.1-405b", "llama3.3-70b"}),
    (("--vendor", "Mistral AI", "--license", "apache"), {"mistral-7b-instruct", "mixtral-8x22b"}),
])
def test_language_and_vendor_filters(args, expected):
    assert _ids(*args) == expected


def test_no_match_is_not_an_error():
    result = runner.invoke(app, ["models", "--license", "nothing-like-this", "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout) == []


@pytest.mark.parametrize("args,message", [
    (["models", "--vendor", "mistrl"], "unknown vendor 'mistrl' (did you mean 'mistral'?)"),
    (["models", "--quantization", "q4_k_m"], None),  # case-insensitive match: accepted
    (["models", "--quantization", "q5"], "--quantization: unknown format 'q5'"),
    (["models", "--max-memory", "-1"], "--max-memory: -1.0 GB"),
    (["models", "show", "lama3-8b"], "unknown model 'lama3-8b' (did you mean 'llama3-8b'?)"),
])
def test_bad_input_exit_2(args, message):
    result = runner.invoke(app, args)
    if message is None:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_show_json_has_every_fact_and_its_sources():
    result = runner.invoke(app, ["models", "show", "llama3-8b", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["model"]["id"] == "llama3-8b-instruct"
    assert data["model"]["training"] == {"gpu_hours": 1300000.0, "tco2eq": 390.0,
                                         "source": "B-chatbot-en", "note": "700 W GPUs"}
    assert data["vendor"]["grid"]["licences"]["text"] == "Llama community licence"
    assert {"B-chatbot-en", "C-top5-2025", "A-whitepaper", "vendor-page:meta"} <= set(data["sources"])
    assert data["sources"]["B-chatbot-en"]["kind"] == "document"


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv"])
def test_show_other_formats(fmt):
    result = runner.invoke(app, ["models", "show", "mixtral-8x22b", "--format", fmt])
    assert result.exit_code == 0, result.output
    assert "D-mixtral" in result.stdout


def test_show_csv_rows_carry_sources_and_unknowns():
    result = runner.invoke(app, ["models", "show", "gpt-4o", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    by_fact = {r["fact"]: r for r in rows}
    assert by_fact["license"]["source"] == "A-whitepaper"
    assert "params_total_b" in by_fact["not stated by the sources"]["value"]
    assert by_fact["vendor.grid.copyright_indemnity"]["value"].startswith("yes")


def test_user_card_shows_up_and_malformed_one_exits_2(tmp_path, monkeypatch):
    folder = tmp_path / "cards"
    folder.mkdir()
    (folder / "tiny.yaml").write_text(
        "id: tiny\nname: Tiny\nvendor: meta\nopen_weights: {value: true, source: A-whitepaper}\n")
    monkeypatch.setenv("LLMSELECT_CATALOG_PATH", str(folder))
    assert "tiny" in _ids("--vendor", "meta")
    (folder / "broken.yaml").write_text(
        "id: broken\nname: B\nvendor: meta\nopen_weights: {value: true, source: A-whitepaper}\n"
        "params_total_b: {value: lots, source: A-whitepaper}\n")
    from llmselect.catalog import clear_cache

    clear_cache()
    result = runner.invoke(app, ["models"])
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1
    assert f"{folder / 'broken.yaml'}: params_total_b.value: " in line
    assert "Traceback" not in result.output


def test_models_import_no_heavy_engines():
    import subprocess
    import sys

    code = ("import sys; from typer.testing import CliRunner; from llmselect.cli.main import app;"
            "r = CliRunner().invoke(app, ['models', '--max-memory', '24']); assert r.exit_code == 0;"
            "heavy = {'torch', 'transformers', 'lm_eval', 'llama_cpp', 'datasets', 'matplotlib',"
            " 'scipy'} & set(sys.modules); print(sorted(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "COLUMNS": "200"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"

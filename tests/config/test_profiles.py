"""Profile schema and the built-in profiles: validation, did-you-mean, extends, the CLI."""

from __future__ import annotations

import json

import pytest

from helpers.profiles import BUILTIN, GOOD
from typer.testing import CliRunner

from llmselect import resources
from llmselect.catalog.benchmarks import BENCHMARKS
from llmselect.cli.main import app
from llmselect.config.profile_schema import CRITERIA, load_profile, validate_benchmarks
from llmselect.errors import UserError




@pytest.mark.parametrize("name", BUILTIN)
def test_builtin_profile_is_valid_and_says_who_it_stands_for(name):
    prof, path = load_profile(name)
    assert path.parent == resources.builtin_dir("profiles")
    assert prof.name == name
    assert len(prof.description) > 60 and prof.use_case
    validate_benchmarks(prof, list(BENCHMARKS), str(path))
    assert abs(sum(prof.criteria.normalised().values()) - 1) < 1e-9


def test_builtins_are_exactly_the_issue_list():
    assert set(BUILTIN) <= set(resources.list_named_yaml("profiles"))





@pytest.mark.parametrize("text, field, message", [
    ("description: [unclosed", None, "malformed YAML at line"),
    (GOOD.replace("cost: 1", "cots: 1"), "criteria.weights", "did you mean 'cost'"),
    (GOOD.replace("cost: 1", "cost: -1"), "criteria.weights", "negative weight"),
    (GOOD.replace("quality: 1, cost: 1", "quality: 0, cost: 0"), "criteria.weights", "all criterion weights are zero"),
    (GOOD.replace("mmlu: 1", "mmlu: -2"), "criteria.quality_benchmarks", "negative weight"),
    (GOOD + "missing_facts: ignore\n", "missing_facts", "neutral"),
    (GOOD + "constraints: {data_location: mars}\n", "constraints.data_location", "on-premise"),
    (GOOD + "constraints: {min_contxt: 5}\n", "constraints.min_contxt", "did you mean 'min_context'"),
    (GOOD + "hardware: {name: x, memory_gb: 8, quantization: [Q4_KM]}\n", "hardware.quantization",
     "did you mean 'Q4_K_M'"),
    (GOOD + "extends: chatbot-enn\n", "extends", "did you mean 'chatbot-en'"),
    ("- a list\n", "(top level)", "mapping"),
])
def test_bad_profile_is_one_line_naming_file_and_field(tmp_path, text, field, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(UserError) as info:
        load_profile(str(path))
    line = str(info.value)
    assert "\n" not in line and str(path) in line and message in line
    if field:
        assert field in line


def test_unknown_benchmark_has_did_you_mean(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(GOOD.replace("mmlu: 1", "mmlu_: 1"))
    prof, _ = load_profile(str(path))
    with pytest.raises(UserError, match=r"quality_benchmarks.mmlu_: unknown benchmark .*did you mean 'mmlu'"):
        validate_benchmarks(prof, list(BENCHMARKS), str(path))


def test_unknown_profile_name_has_did_you_mean():
    with pytest.raises(UserError, match="did you mean 'chatbot-en'"):
        load_profile("chatbot-em")


def test_extends_merges_over_a_builtin(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("extends: chatbot-en\ndescription: our variant\n"
                    "criteria: {weights: {cost: 10, ecology: 0}}\nconstraints: {min_context: 32768}\n")
    prof, _ = load_profile(str(path))
    base, _ = load_profile("chatbot-en")
    assert prof.name == "mine" and prof.description == "our variant"
    assert prof.criteria.weights["cost"] == 10 and prof.criteria.weights["ecology"] == 0
    assert prof.criteria.weights["quality"] == base.criteria.weights["quality"]
    assert prof.constraints.min_context == 32768
    assert prof.constraints.commercial_use == base.constraints.commercial_use
    assert prof.hardware == base.hardware


def test_user_profile_folder_shadows_builtins(tmp_path, monkeypatch):
    (tmp_path / "chatbot-en.yaml").write_text(GOOD)
    monkeypatch.setenv("LLMSELECT_PROFILES_PATH", str(tmp_path))
    prof, path = load_profile("chatbot-en")
    assert path == tmp_path / "chatbot-en.yaml" and prof.description == "test org"


def test_every_criterion_is_known_to_the_scorer():
    from llmselect.scoring.criteria import CRITERION_FUNCTIONS

    assert set(CRITERION_FUNCTIONS) == set(CRITERIA)


def test_profiles_command_lists_builtins_with_descriptions():
    out = CliRunner().invoke(app, ["profiles", "--format", "json"])
    assert out.exit_code == 0, out.output
    rows = {r["name"]: r for r in json.loads(out.stdout)}
    assert set(BUILTIN) <= set(rows)
    assert "organisation" in rows["public-sector-sovereign"]["description"] or \
        "administration" in rows["public-sector-sovereign"]["description"]


@pytest.mark.parametrize("fmt", ["table", "json", "markdown", "csv"])
def test_profiles_show(fmt):
    out = CliRunner().invoke(app, ["profiles", "show", "chatbot-en-local", "--format", fmt])
    assert out.exit_code == 0, out.output
    if fmt == "json":
        data = json.loads(out.stdout)
        assert data["hardware"]["memory_gb"] == 12
        assert abs(sum(data["normalised_weights"].values()) - 1) < 1e-3
    else:
        assert "speed" in out.stdout


def test_profiles_show_unknown_exits_2():
    out = CliRunner().invoke(app, ["profiles", "show", "nope"])
    assert out.exit_code == 2
    assert "unknown profile 'nope'" in out.output


def test_quantization_names_are_case_insensitive(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(GOOD + "hardware: {name: x, memory_gb: 8, quantization: [q4_k_m, FP16]}\n")
    prof, _ = load_profile(str(path))
    assert prof.hardware.quantization == ["Q4_K_M", "fp16"]

"""gate: exit codes 0/1/2, the drop-and-significance rule, speed, JUnit XML, step summary."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from typer.testing import CliRunner

from llmselect import store
from llmselect.cli.main import app
from helpers.compare_runs import flip, make_run, outcomes

runner = CliRunner()
BASE = outcomes(300, 0.6, 21)


@pytest.fixture
def folder():
    return store.results_dir()


def _gate(*args, env=None):
    return runner.invoke(app, ["gate", *args], env=env)


# (candidate = baseline with k right answers turned wrong and m wrong ones right, max-drop,
#  expected exit code). 300 items: 1 item = 0.33 pts.
CASES = [
    ("identical", 0, 0, 2.0, 0),
    ("big significant drop", 30, 0, 2.0, 1),        # -10 pts, b=30 c=0
    ("big drop within tolerance", 30, 0, 12.0, 0),  # -10 pts allowed
    ("drop beyond threshold, not significant", 8, 3, 1.0, 0),  # -1.7 pts, p ~ 0.2
    ("improvement", 0, 30, 0.0, 0),
    ("small significant drop under threshold", 12, 0, 5.0, 0),  # -4 pts, p < 0.001, allowed 5
]


@pytest.mark.parametrize("name,worse,better,max_drop,code", CASES, ids=[c[0] for c in CASES])
def test_gate_exit_codes(folder, name, worse, better, max_drop, code):
    make_run(folder, "base", "m1", {"mmlu": BASE})
    make_run(folder, "cand", "m2", {"mmlu": flip(BASE, worse, better)}, minutes=1)
    result = _gate("--baseline", "base", "--candidate", "cand", "--max-drop", str(max_drop))
    assert result.exit_code == code, result.output
    if code == 1:
        assert "regression: mmlu dropped 10.0 pts" in result.stderr
    else:
        assert "gate passed" in result.stderr


def test_not_significant_drop_beyond_threshold_warns(folder):
    make_run(folder, "base", "m1", {"mmlu": BASE})
    make_run(folder, "cand", "m2", {"mmlu": flip(BASE, 8, 3)})
    result = _gate("-b", "base", "-c", "cand", "--max-drop", "1")
    assert result.exit_code == 0 and "warning: mmlu dropped 1.7 pts but not significantly" in result.stderr


def test_regression_names_only_the_regressed_tasks(folder):
    gsm = outcomes(200, 0.4, 22)
    make_run(folder, "base", "m1", {"mmlu": BASE, "gsm8k": gsm, "gpqa": gsm})
    make_run(folder, "cand", "m2", {"mmlu": BASE, "gsm8k": flip(gsm, 25), "gpqa": flip(gsm, 30)})
    result = _gate("-b", "base", "-c", "cand", "--max-drop", "3")
    assert result.exit_code == 1
    msg = result.stderr
    assert "gsm8k dropped 12.5 pts" in msg and "gpqa dropped 15.0 pts" in msg and "mmlu dropped" not in msg
    only = _gate("-b", "base", "-c", "cand", "--max-drop", "3", "--task", "mmlu")
    assert only.exit_code == 0


def test_junit_one_case_per_task_and_valid_xml(folder, tmp_path):
    gsm = outcomes(200, 0.4, 22)
    make_run(folder, "base", "m1", {"mmlu": BASE, "gsm8k": gsm})
    make_run(folder, "cand", "m2", {"mmlu": BASE, "gsm8k": flip(gsm, 25)})
    junit = tmp_path / "out" / "gate.xml"
    result = _gate("-b", "base", "-c", "cand", "--max-drop", "3", "--junit", str(junit))
    assert result.exit_code == 1
    root = ET.parse(junit).getroot()
    assert root.tag == "testsuites" and root.get("tests") == "2" and root.get("failures") == "1"
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert set(cases) == {"mmlu (acc)", "gsm8k (acc)"}
    assert cases["gsm8k (acc)"].find("failure") is not None
    assert "12.5 pts" in cases["gsm8k (acc)"].find("failure").get("message")
    assert cases["mmlu (acc)"].find("failure") is None


def test_step_summary_appended_when_set(folder, tmp_path):
    make_run(folder, "base", "m1", {"mmlu": BASE})
    make_run(folder, "cand", "m2", {"mmlu": flip(BASE, 30)})
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    result = _gate("-b", "base", "-c", "cand", "--max-drop", "2",
                   env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 1
    text = summary.read_text()
    assert text.startswith("earlier step\n## llmselect gate: FAIL")
    assert "mmlu dropped 10.0 pts" in text and "| task |" in text


@pytest.mark.parametrize("speed,max_slowdown,code", [
    ({"prompt_tokens_per_s": 300.0, "gen_tokens_per_s": 50.0, "ttft_s": 0.2}, 1.1, 0),
    ({"prompt_tokens_per_s": 200.0, "gen_tokens_per_s": 50.0, "ttft_s": 0.2}, 1.25, 1),  # 1.5x
    ({"prompt_tokens_per_s": 200.0, "gen_tokens_per_s": 50.0, "ttft_s": 0.2}, 1.6, 0),
    ({"prompt_tokens_per_s": 300.0, "gen_tokens_per_s": 50.0, "ttft_s": 0.5}, 2.0, 1),  # 2.5x
])
def test_max_slowdown(folder, speed, max_slowdown, code):
    make_run(folder, "base", "m1", {"mmlu": BASE})
    make_run(folder, "cand", "m2", {"mmlu": BASE}, speed=speed)
    result = _gate("-b", "base", "-c", "cand", "--max-drop", "1", "--max-slowdown", str(max_slowdown))
    assert result.exit_code == code, result.output
    if code:
        assert "slower (allowed" in result.stderr


def test_speed_gate_refuses_different_hardware_unless_forced(folder):
    make_run(folder, "base", "m1", {"mmlu": BASE})
    make_run(folder, "cand", "m2", {"mmlu": BASE}, cpu="Other CPU")
    args = ["-b", "base", "-c", "cand", "--max-drop", "1", "--max-slowdown", "1.5"]
    refused = _gate(*args)
    assert refused.exit_code == 2 and "different hardware" in refused.stderr
    assert _gate(*args, "--force").exit_code == 0
    assert _gate("-b", "base", "-c", "cand", "--max-drop", "1").exit_code == 0  # quality only


@pytest.mark.parametrize("args,message", [
    (["-b", "base", "-c", "cand"], "Missing option"),
    (["-b", "base", "-c", "cand", "--max-drop", "-1"], "--max-drop -1: must be >= 0"),
    (["-b", "base", "-c", "nothing", "--max-drop", "1"], "no complete run found for 'nothing'"),
    (["-b", "base", "-c", "cand", "--max-drop", "1", "--task", "gsm8k"], "unknown task"),
    (["-b", "base", "-c", "cand", "--max-drop", "1", "--max-slowdown", "0"], "must be > 0"),
    (["-b", "base", "-c", "cand", "--max-drop", "x"], "Invalid value"),
])
def test_usage_errors_exit_2(folder, args, message):
    make_run(folder, "base", "m1", {"mmlu": BASE})
    make_run(folder, "cand", "m2", {"mmlu": BASE})
    result = _gate(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output + result.stderr


def test_apples_to_oranges_exit_2_unless_forced(folder):
    make_run(folder, "base", "m1", {"mmlu": BASE})
    make_run(folder, "cand", "m2", {"mmlu": flip(BASE, 30)}, overrides={"mmlu": {"num_fewshot": 0}})
    result = _gate("-b", "base", "-c", "cand", "--max-drop", "2")
    assert result.exit_code == 2 and "shots 5 vs 0" in result.stderr
    assert _gate("-b", "base", "-c", "cand", "--max-drop", "2", "--force").exit_code == 1


def test_holm_adjustment_over_tasks(folder):
    """One task drops 3 pts with mid-p 0.021 (b=12, c=3); a second, unchanged task doubles it
    under Holm (0.043 < 0.05 still fails), a third pushes it to 0.064: pass with a warning.
    Unadjusted, the same numbers fail."""
    other = outcomes(300, 0.5, 23)
    make_run(folder, "base", "m1", {"mmlu": BASE, "gsm8k": other, "gpqa": other})
    make_run(folder, "cand", "m2", {"mmlu": flip(BASE, 12, 3), "gsm8k": other, "gpqa": other})
    args = ["-b", "base", "-c", "cand", "--max-drop", "2"]
    two = _gate(*args, "--task", "mmlu,gsm8k")
    assert two.exit_code == 1 and "p(Holm)=0.0425" in two.stderr
    three = _gate(*args)
    assert three.exit_code == 0 and "p(Holm)=0.0638 >= 0.05" in three.stderr
    assert _gate(*args, "--adjust", "none").exit_code == 1
    assert _gate(*args, "--adjust", "bonf").exit_code == 2


def test_candidate_missing_a_baseline_task_is_a_usage_error(folder):
    gsm = outcomes(100, 0.4, 24)
    make_run(folder, "base", "m1", {"mmlu": BASE, "gsm8k": gsm})
    make_run(folder, "cand", "m2", {"mmlu": BASE})
    result = _gate("-b", "base", "-c", "cand", "--max-drop", "2")
    assert result.exit_code == 2 and "lacks the baseline's task(s) gsm8k" in result.stderr
    assert _gate("-b", "base", "-c", "cand", "--max-drop", "2", "--task", "mmlu").exit_code == 0

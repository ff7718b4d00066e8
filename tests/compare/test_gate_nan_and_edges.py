"""NaN through compare and gate, and the edges a gate meets in CI: runs scored on different item
counts, runs that share no task, a zero in a speed ratio. A NaN never passes in silence."""

from __future__ import annotations

import itertools
import math

import pytest
from typer.testing import CliRunner

from llmselect import compare as cmp
from llmselect import stats, store
from llmselect.cli.main import app
from llmselect.compare import TaskDelta
from llmselect.gate import evaluate_gate, judge_task
from helpers.compare_runs import flip, make_run, outcomes

NAN = float("nan")
BASE = outcomes(300, 0.6, 21)


@pytest.fixture
def folder():
    return store.results_dir()


def gate(*args):
    return CliRunner().invoke(app, ["gate", *args])


def one_error_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


# ---------------------------------------------------------------- Holm with NaN

def test_holm_with_nan_does_not_depend_on_task_order():
    """Sorting with a NaN key is undefined: [nan, .01, .04] used to adjust to all 1.0 while
    [.01, nan, .04] kept .03. The NaN stays NaN (still counted in k) and the others agree."""
    values = [NAN, 0.01, 0.04]
    for perm in itertools.permutations(range(3)):
        adjusted = stats.holm([values[i] for i in perm])
        by_value = {values[i]: a for i, a in zip(perm, adjusted) if not math.isnan(values[i])}
        assert by_value == pytest.approx({0.01: 0.03, 0.04: 0.08}), perm
        assert math.isnan(adjusted[perm.index(0)])


def test_holm_without_nan_is_unchanged():
    assert stats.holm([0.04, 0.01, 0.03]) == pytest.approx([0.06, 0.03, 0.06])


# ---------------------------------------------------------------- NaN scores and p-values

@pytest.mark.parametrize("samples", [True, False], ids=["paired", "z-test"])
def test_nan_candidate_score_fails_with_not_a_number(folder, samples):
    """The candidate's items equal the baseline's, but its reported score is NaN (pass@k with
    fewer samples than k): nothing was measured to pass, so the gate fails and says why."""
    make_run(folder, "base", "m1", {"mmlu": BASE}, samples=samples)
    make_run(folder, "cand", "m2", {"mmlu": BASE}, samples=samples, minutes=1,
             overrides={"mmlu": {"value": NAN}})
    result = gate("-b", "base", "-c", "cand", "--max-drop", "2")
    assert result.exit_code == 1, result.output
    assert "mmlu: candidate score is not a number (NaN)" in result.stderr


def test_nan_baseline_score_fails_too(folder):
    make_run(folder, "base", "m1", {"mmlu": BASE}, samples=False, overrides={"mmlu": {"value": NAN}})
    make_run(folder, "cand", "m2", {"mmlu": BASE}, samples=False, minutes=1)
    result = gate("-b", "base", "-c", "cand", "--max-drop", "2")
    assert result.exit_code == 1 and "baseline score is not a number" in result.stderr


def test_nan_p_value_on_a_30_point_drop_fails_by_the_point_estimate(folder):
    """One item each and no stderr: no test is possible (p is NaN, it used to read as 1.0 and
    only warn). A 30-point drop beyond a 2-point threshold fails on the point estimate."""
    make_run(folder, "base", "m1", {"mmlu": [1.0]}, samples=False,
             overrides={"mmlu": {"value": 0.6, "stderr": NAN}})
    make_run(folder, "cand", "m2", {"mmlu": [1.0]}, samples=False, minutes=1,
             overrides={"mmlu": {"value": 0.3, "stderr": NAN}})
    result = gate("-b", "base", "-c", "cand", "--max-drop", "2")
    assert result.exit_code == 1, result.output
    assert "mmlu dropped 30.0 pts (> 2 allowed); p is not a number" in result.stderr
    small = gate("-b", "base", "-c", "cand", "--max-drop", "40")  # within tolerance: passes
    assert small.exit_code == 0, small.output


def _delta(p: float, delta: float) -> TaskDelta:
    return TaskDelta("mmlu", "acc", "mmlu", True, 0.6, 0.6 + delta, 100, 100, delta,
                     delta - 0.1, delta + 0.1, p, "z-test")


@pytest.mark.parametrize("p, delta, status", [
    (NAN, -0.30, "fail"),  # NaN p, big drop: the point estimate decides
    (NAN, -0.01, "pass"),  # NaN p, drop within the threshold
    (NAN, +0.10, "pass"),
    (0.50, -0.30, "warn"),  # a real p-value keeps the old rule
    (0.01, -0.30, "fail"),
])
def test_judge_task_with_nan_p(p, delta, status):
    assert judge_task(_delta(p, delta), max_drop_pts=2.0, alpha=0.05).status == status


def test_holm_nan_in_one_task_leaves_the_others_judged(folder):
    """Through evaluate_gate: a NaN p in one task (one item, no stderr) neither hides another
    task's significant regression nor depends on the order the tasks were run in."""
    verdicts = set()
    for order in (("one", "mmlu"), ("mmlu", "one")):
        make_run(folder, "base-" + order[0], "m1",
                 {k: ([1.0] if k == "one" else BASE) for k in order}, samples=False,
                 overrides={"one": {"value": 0.5, "stderr": NAN}})
        make_run(folder, "cand-" + order[0], "m2",
                 {k: ([1.0] if k == "one" else flip(BASE, 30)) for k in order}, samples=False,
                 overrides={"one": {"value": 0.5, "stderr": NAN}}, minutes=1)
        c = cmp.compare_runs(cmp.resolve_run("base-" + order[0]), cmp.resolve_run("cand-" + order[0]))
        result = evaluate_gate(c, max_drop_pts=2.0)
        verdicts.add(tuple(sorted((case.name, case.status) for case in result.cases)))
    assert verdicts == {(("mmlu (acc)", "fail"), ("one (acc)", "pass"))}


# ---------------------------------------------------------------- item counts, no shared task

def test_runs_scored_on_different_item_counts_are_refused_unless_forced(folder):
    make_run(folder, "base", "m1", {"mmlu": BASE[:200]})
    make_run(folder, "cand", "m2", {"mmlu": flip(BASE, 30)}, minutes=1)
    refused = gate("-b", "base", "-c", "cand", "--max-drop", "2")
    assert refused.exit_code == 2
    assert "items scored 200 vs 300" in one_error_line(refused)
    forced = cmp.compare_runs(cmp.resolve_run("base"), cmp.resolve_run("cand"), force=True)
    [t] = forced.tasks
    assert t.paired_n == 200  # paired on the 200 shared items only, and said so
    assert any("200 shared of 200 and 300" in n for n in t.notes)
    assert forced.refused == {"mmlu": ["items scored 200 vs 300"]}


def test_runs_that_share_no_task_are_one_line(folder):
    make_run(folder, "base", "m1", {"mmlu": BASE})
    make_run(folder, "cand", "m2", {"gsm8k": BASE}, minutes=1)
    for command in (["gate", "-b", "base", "-c", "cand", "--max-drop", "2"],
                    ["compare", "base", "cand"]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 2, result.output
        assert "runs base and cand share no task (mmlu vs gsm8k)" in one_error_line(result)


# ---------------------------------------------------------------- zeros in speed ratios

def test_zero_candidate_throughput_fails_the_speed_gate(folder):
    """0 tokens/s is infinitely slower; it used to count as "no measurement" and be ignored."""
    make_run(folder, "base", "m1", {"mmlu": BASE})
    make_run(folder, "cand", "m2", {"mmlu": BASE}, minutes=1,
             speed={"prompt_tokens_per_s": 300.0, "gen_tokens_per_s": 0.0, "ttft_s": 0.2})
    result = gate("-b", "base", "-c", "cand", "--max-drop", "2", "--max-slowdown", "1.5")
    assert result.exit_code == 1, result.output
    assert "candidate measured a throughput of zero" in result.stderr


def test_zero_baseline_in_a_ratio_is_undefined_not_a_crash(folder):
    make_run(folder, "base", "m1", {"mmlu": BASE},
             speed={"prompt_tokens_per_s": 300.0, "gen_tokens_per_s": 0.0, "ttft_s": 0.0})
    make_run(folder, "cand", "m2", {"mmlu": BASE}, minutes=1,
             speed={"prompt_tokens_per_s": 150.0, "gen_tokens_per_s": 50.0, "ttft_s": 0.2})
    c = cmp.compare_runs(cmp.resolve_run("base"), cmp.resolve_run("cand"))
    ratios = {r.name: r.ratio for r in c.ratios}
    assert ratios["generation tokens/s"] is None and ratios["time to first token (s)"] is None
    assert ratios["prompt tokens/s"] == pytest.approx(0.5)
    assert cmp.slowdown(c.ratios) == pytest.approx(2.0)  # judged on what has a ratio
    result = gate("-b", "base", "-c", "cand", "--max-drop", "2", "--max-slowdown", "1.5")
    assert result.exit_code == 1 and "candidate is 2.00x slower" in result.stderr
    shown = CliRunner().invoke(app, ["compare", "base", "cand", "--format", "json"])
    assert shown.exit_code == 0, shown.output

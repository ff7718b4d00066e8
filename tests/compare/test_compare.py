"""compare: run resolution, paired vs unpaired tests, apples-to-oranges refusals, rendering."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from typer.testing import CliRunner

from llmselect import compare as cmp
from llmselect import stats, store
from llmselect.cli.main import app
from llmselect.errors import UserError
from helpers.compare_runs import flip, make_run, outcomes

runner = CliRunner()


@pytest.fixture
def folder():
    return store.results_dir()


@pytest.fixture
def pair(folder):
    """Baseline and a candidate that lost 12 of 200 answers and gained 2 on task 'mmlu'."""
    base = outcomes(200, 0.6, 1)
    gsm = outcomes(50, 0.3, 2)
    make_run(folder, "base-run", "smollm2-135m-instruct", {"mmlu": base, "gsm8k": gsm})
    make_run(folder, "cand-run", "gemma3-270m", {"mmlu": flip(base, 12, 2), "gsm8k": gsm},
             minutes=5, speed={"prompt_tokens_per_s": 150.0, "gen_tokens_per_s": 40.0,
                               "ttft_s": 0.3}, memory=750.0)
    return base


def test_resolve_by_file_folder_run_id_and_model(folder, pair, tmp_path):
    assert cmp.resolve_run(str(folder / "base-run.json")).run.run_id == "base-run"
    assert cmp.resolve_run("cand-run").run.run_id == "cand-run"
    assert cmp.resolve_run(str(folder)).run.run_id == "cand-run"  # a folder: its latest run
    assert cmp.resolve_run("smollm2-135m").run.run_id == "base-run"  # catalog alias
    assert cmp.resolve_run("gemma3-270m").run.run_id == "cand-run"


def test_model_resolves_to_latest_complete_run(folder, pair):
    make_run(folder, "base-later", "smollm2-135m-instruct", {"mmlu": pair}, minutes=60)
    make_run(folder, "base-partial", "smollm2-135m-instruct", {"mmlu": pair}, minutes=90,
             status="partial")
    assert cmp.resolve_run("smollm2-135m-instruct").run.run_id == "base-later"


def test_unknown_reference_is_one_user_error(folder, pair):
    with pytest.raises(UserError, match="no complete run found for 'llama3-8b'"):
        cmp.resolve_run("llama3-8b")


def test_paired_mcnemar_on_shared_items(folder, pair):
    c = cmp.compare_runs(cmp.resolve_run("base-run"), cmp.resolve_run("cand-run"))
    mmlu = next(t for t in c.tasks if t.task == "mmlu")
    assert mmlu.method == "mcnemar-midp" and mmlu.paired_n == 200
    assert (mmlu.details["b"], mmlu.details["c"]) == (12, 2)
    assert mmlu.delta == pytest.approx(-10 / 200)
    assert mmlu.p_value == pytest.approx(stats.mcnemar(12, 2)["p_mid"])
    assert mmlu.ci_low < mmlu.delta < mmlu.ci_high < 0  # the loss is real
    gsm = next(t for t in c.tasks if t.task == "gsm8k")
    assert (gsm.delta, gsm.p_value) == (0.0, 1.0)


def test_race_runs_are_compared_with_a_note_on_optional_stopping(folder):
    """A race stopped on the difference it saw: the fixed-sample interval over its items is
    optimistic, and the comparison says so (runs of any other design get no such note)."""
    base = outcomes(300, 0.6, 7)
    race = {"mmlu": {"sampling": store.Sampling(design="race", seed=0, population=14042)}}
    make_run(folder, "race-a", "smollm2-135m-instruct", {"mmlu": base}, overrides=race)
    make_run(folder, "race-b", "gemma3-270m", {"mmlu": flip(base, 0, 15)}, overrides=race,
             minutes=1)
    make_run(folder, "plain-b", "gemma3-270m", {"mmlu": flip(base, 0, 15)}, minutes=2)
    raced = cmp.compare_runs(cmp.resolve_run("race-a"), cmp.resolve_run("race-b"))
    assert cmp.deltas.RACE_NOTE in raced.tasks[0].notes
    assert any("race's items" in n for n in cmp.all_notes(raced))
    plain = cmp.compare_runs(cmp.resolve_run("race-a"), cmp.resolve_run("plain-b"))
    assert cmp.deltas.RACE_NOTE in plain.tasks[0].notes
    make_run(folder, "plain-a", "smollm2-135m-instruct", {"mmlu": base}, minutes=3)
    neither = cmp.compare_runs(cmp.resolve_run("plain-a"), cmp.resolve_run("plain-b"))
    assert cmp.deltas.RACE_NOTE not in neither.tasks[0].notes


def test_filtered_metric_reads_its_filter_lines_only(folder):
    values = outcomes(60, 0.5, 3)
    make_run(folder, "a", "m1", {"gsm8k": values}, metric="exact_match,strict-match")
    make_run(folder, "b", "m2", {"gsm8k": flip(values, 6)}, metric="exact_match,strict-match")
    t = cmp.compare_runs(cmp.resolve_run("a"), cmp.resolve_run("b")).tasks[0]
    assert t.details["b"] == 6 and t.details["c"] == 0  # the 'other-filter' lines are inverted


def test_without_samples_falls_back_to_z_test(folder):
    base = outcomes(300, 0.6, 4)
    make_run(folder, "a", "m1", {"mmlu": base})
    make_run(folder, "b", "m2", {"mmlu": flip(base, 30)}, samples=False)
    t = cmp.compare_runs(cmp.resolve_run("a"), cmp.resolve_run("b")).tasks[0]
    ta, tb = store.load_run(folder / "a.json").tasks["mmlu"], store.load_run(folder / "b.json").tasks["mmlu"]
    expected = stats.z_test(ta.value, ta.stderr, tb.value, tb.stderr)
    assert t.method == "z-test" and t.paired_n is None
    assert (t.delta, t.p_value, t.ci_low) == pytest.approx((expected.delta, expected.p_value, expected.ci_low))
    assert any("unpaired z-test" in n for n in t.notes)


def test_paired_test_is_sharper_than_z_test_on_the_same_numbers(folder):
    base = outcomes(200, 0.5, 5)
    make_run(folder, "a", "m1", {"mmlu": base})
    make_run(folder, "b", "m2", {"mmlu": flip(base, 14)})
    make_run(folder, "c", "m2", {"mmlu": flip(base, 14)}, samples=False)
    paired = cmp.compare_runs(cmp.resolve_run("a"), cmp.resolve_run("b")).tasks[0]
    unpaired = cmp.compare_runs(cmp.resolve_run("a"), cmp.resolve_run("c")).tasks[0]
    assert paired.p_value < 0.001 < 0.05 < unpaired.p_value
    assert (paired.ci_high - paired.ci_low) < (unpaired.ci_high - unpaired.ci_low)


@pytest.mark.parametrize("override,expected", [
    ({"num_fewshot": 0}, "shots 5 vs 0"),
    ({"limit": 50.0}, "limit 20.0 vs 50.0"),
    ({"sampled": False}, "sampled vs full True vs False"),
    ({"task_version": "2.0"}, "task version '1.0' vs '2.0'"),
    ({"data_hash": "other"}, "data checksum 'dh-mmlu' vs 'other'"),
    ({"metric": "acc_norm"}, "metric 'acc' vs 'acc_norm'"),
    ({"task": "mmlu_pro"}, "lm-eval task 'mmlu' vs 'mmlu_pro'"),
])
def test_apples_to_oranges_refused_with_one_line_unless_forced(folder, override, expected):
    base = outcomes(40, 0.5, 6)
    make_run(folder, "a", "m1", {"mmlu": base}, samples=False)
    make_run(folder, "b", "m2", {"mmlu": base}, samples=False, overrides={"mmlu": override})
    result = runner.invoke(app, ["compare", "a", "b"])
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "\n" not in line and "not comparable: task mmlu" in line and expected in line
    assert "--force" in line
    forced = runner.invoke(app, ["compare", "a", "b", "--force"])
    assert forced.exit_code == 0, forced.output
    assert expected in forced.stderr


def test_different_answer_keys_in_samples_are_refused(folder):
    base = outcomes(40, 0.5, 7)
    make_run(folder, "a", "m1", {"mmlu": base})
    make_run(folder, "b", "m2", {"mmlu": base}, answer_salt="x")
    with pytest.raises(UserError, match="different items or answer keys"):
        cmp.compare_runs(cmp.resolve_run("a"), cmp.resolve_run("b"))
    t = cmp.compare_runs(cmp.resolve_run("a"), cmp.resolve_run("b"), force=True).tasks[0]
    assert t.method == "z-test"


def test_different_prompts_same_items_is_a_note_not_a_refusal(folder):
    base = outcomes(40, 0.5, 8)
    make_run(folder, "a", "m1", {"mmlu": base})
    make_run(folder, "b", "m2", {"mmlu": base}, prompt_salt="chat")
    t = cmp.compare_runs(cmp.resolve_run("a"), cmp.resolve_run("b")).tasks[0]
    assert t.method == "mcnemar-midp" and any("different prompts" in n for n in t.notes)


def test_speed_and_memory_ratios(folder, pair):
    c = cmp.compare_runs(cmp.resolve_run("base-run"), cmp.resolve_run("cand-run"))
    ratios = {r.name: r for r in c.ratios}
    assert ratios["prompt tokens/s"].ratio == pytest.approx(0.5)
    assert ratios["prompt tokens/s"].slowdown == pytest.approx(2.0)
    assert ratios["time to first token (s)"].slowdown == pytest.approx(1.5)
    assert ratios["peak RSS (MB)"].ratio == pytest.approx(1.5)
    assert cmp.slowdown(c.ratios) == pytest.approx(2.0)


def test_cli_table_shows_deltas_with_intervals(pair):
    result = runner.invoke(app, ["compare", "base-run", "cand-run"])
    assert result.exit_code == 0, result.output
    assert "-5.0" in result.stdout and "95% CI" in result.stdout and "mcnemar-midp" in result.stdout
    assert "prompt tokens/s" in result.stdout and "0.50x" in result.stdout


def test_cli_json_is_parseable_and_complete(pair):
    result = runner.invoke(app, ["compare", "smollm2-135m", "gemma3-270m", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    (comp,) = data["comparisons"]
    assert comp["baseline"]["run_id"] == "base-run" and comp["candidate"]["run_id"] == "cand-run"
    mmlu = next(t for t in comp["tasks"] if t["task"] == "mmlu")
    assert mmlu["delta"] == pytest.approx(-0.05) and mmlu["ci_low"] < -0.05 < mmlu["ci_high"]
    assert mmlu["worse_by"] == pytest.approx(0.05)
    assert comp["slowdown"] == pytest.approx(2.0)


def test_cli_markdown_for_a_pull_request_comment(pair):
    result = runner.invoke(app, ["compare", "base-run", "cand-run", "-f", "markdown"])
    assert result.exit_code == 0, result.output
    md = result.stdout
    assert md.startswith("## llmselect compare") and "| task |" in md and "|---|" in md
    assert "gemma3-270m" in md and "[" in md


def test_three_runs_compare_each_candidate_with_the_first(folder, pair):
    make_run(folder, "third", "qwen2.5-0.5b", {"mmlu": flip(pair, 0, 20)}, minutes=9)
    result = runner.invoke(app, ["compare", "base-run", "cand-run", "third", "-t", "mmlu",
                                 "-f", "json"])
    assert result.exit_code == 0, result.output
    comps = json.loads(result.stdout)["comparisons"]
    assert [c["candidate"]["run_id"] for c in comps] == ["cand-run", "third"]
    assert comps[1]["tasks"][0]["delta"] == pytest.approx(0.1)
    assert all(len(c["tasks"]) == 1 for c in comps)


@pytest.mark.parametrize("args,message", [
    (["compare", "base-run"], "at least two runs"),
    (["compare", "base-run", "nope"], "no complete run found for 'nope'"),
    (["compare", "base-run", "cand-run", "--task", "mmlux"], "did you mean 'mmlu'"),
])
def test_usage_errors_exit_2_with_one_line(pair, args, message):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_corrupt_result_file_is_one_line(folder, pair):
    bad = folder / "broken.json"
    bad.write_text("{ not json")
    result = runner.invoke(app, ["compare", str(bad), "cand-run"])
    assert result.exit_code == 2 and "not valid JSON" in result.stderr


def test_corrupt_samples_line_is_one_line(folder, pair):
    path = folder / "cand-run" / "samples_mmlu.jsonl"
    path.write_text(path.read_text() + "{oops\n")
    result = runner.invoke(app, ["compare", "base-run", "cand-run"])
    assert result.exit_code == 2 and "samples_mmlu.jsonl" in result.stderr


def test_shared_items_bootstrap_interval_covers_the_truth_under_the_null(folder):
    """Coverage sanity: over 40 null comparisons the 95% interval misses zero rarely."""
    misses = 0
    for seed in range(40):
        rng = np.random.default_rng(seed)
        a = (rng.random(150) < 0.5).astype(float)
        b = np.where(rng.random(150) < 0.7, a, (rng.random(150) < 0.5).astype(float))
        t = stats.paired_test(a, b, n_boot=2000, seed=seed)
        misses += not (t.ci_low <= 0 <= t.ci_high)
    assert misses <= 6


def test_compare_and_gate_import_no_heavy_module(folder, pair):
    """`compare` and `gate` run on every pull request: a real compare and a real gate (in a
    fresh interpreter, this checkout first on the path) import none of the heavy modules."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from typer.testing import CliRunner\n"
            "from llmselect.cli.main import app\n"
            "for args in (['compare', 'base-run', 'cand-run'],\n"
            "             ['gate', '-b', 'base-run', '-c', 'cand-run', '--max-drop', '50']):\n"
            "    assert CliRunner().invoke(app, args).exit_code == 0, args\n"
            "print(sorted(m for m in ('scipy', 'torch', 'lm_eval', 'transformers') if m in sys.modules))\n")
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": repo, "LLMSELECT_RESULTS_DIR": str(folder)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_task_hash_difference_without_samples_is_refused(folder):
    base = outcomes(40, 0.5, 9)
    make_run(folder, "a", "m1", {"mmlu": base}, samples=False)
    make_run(folder, "b", "m2", {"mmlu": base}, samples=False,
             overrides={"mmlu": {"task_hash": "other"}})
    with pytest.raises(UserError, match="task hashes differ"):
        cmp.compare_runs(cmp.resolve_run("a"), cmp.resolve_run("b"))
    forced = cmp.compare_runs(cmp.resolve_run("a"), cmp.resolve_run("b"), force=True).tasks[0]
    assert any("task hashes differ" in n for n in forced.notes)


def test_an_unreadable_file_is_named_once_however_many_runs_it_serves(folder, pair):
    """compare resolves each ref in the same folder: the folder is read once, so a broken file
    in it is named once, not once per run looked up."""
    (folder / "broken.json").write_text("{")
    for argv in (["compare", "smollm2-135m-instruct", "gemma3-270m"],
                 ["gate", "--baseline", "smollm2-135m-instruct", "--candidate", "gemma3-270m",
                  "--max-drop", "50"]):
        out = runner.invoke(app, [*argv, "--format", "json"])
        assert out.stderr.count("skipped") == 1 and "broken.json: not valid JSON" in out.stderr, out.stderr

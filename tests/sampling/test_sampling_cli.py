"""bench --sample / --precision and race through the CLI: bad input is one line and exit 2
before any model loads; with the fake model on real lm-eval and the offline data, the random
sample goes through lm-eval's ``samples=`` and the result file says how it was drawn."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from llmselect.cli.main import app
from llmselect.errors import UserError
from llmselect.store import TaskResult, load_runs


def invoke(*args):
    return CliRunner().invoke(app, list(args))


@pytest.mark.parametrize("args, words", [
    (["--sample", "1.5"], "fraction in (0, 1]"),
    (["--sample", "0"], "fraction in (0, 1]"),
    (["--precision", "0"], "must be > 0"),
    (["--precision", "-0.01"], "must be > 0"),
    (["--sample", "20", "--limit", "3"], "exclude each other"),
])
def test_bad_sampling_options(env, args, words):
    out = invoke("bench", "smollm2-135m", "--dry-run", "--suite", "anatomy", *args)
    assert out.exit_code == 2, out.output
    assert words in out.output and "Traceback" not in out.output


def test_race_of_one_model(env):
    out = invoke("race", "smollm2-135m", "--suite", "anatomy", "--dry-run")
    assert out.exit_code == 2 and "at least two models" in out.output


def test_race_of_the_same_weights(env):
    out = invoke("race", "smollm2-135m", "smollm2-135m", "--suite", "anatomy")
    assert out.exit_code == 2 and "same weights" in out.output


def test_race_candidates_that_ran_different_experiments():
    from llmselect.sampling.race_run import _check_same_experiment

    base = dict(task="mmlu", benchmark="mmlu", metric="acc,none", value=0.3, n=10, sampled=True,
                task_version="2.0")
    with pytest.raises(UserError, match="shots 0 vs 5"):
        _check_same_experiment({"a": TaskResult(**base, num_fewshot=5),
                                "b": TaskResult(**base, num_fewshot=0)})
    with pytest.raises(UserError, match="task version"):
        _check_same_experiment({"a": TaskResult(**base, num_fewshot=5),
                                "b": TaskResult(**{**base, "task_version": "1.0"}, num_fewshot=5)})


def test_sample_larger_than_the_benchmark(env):
    out = invoke("bench", "smollm2-135m", "--dry-run", "--no-probe", "--suite", "anatomy",
                 "--sample", "500", "-o", str(env / "res"))
    assert out.exit_code == 2 and "larger than the benchmark (135 items)" in out.output


def test_sample_runs_random_items_through_lm_eval(env):
    from llmselect.store import read_sample_log

    out = invoke("bench", "smollm2-135m", "--dry-run", "--no-probe", "--suite", "anatomy",
                 "--sample", "20", "--seed", "7", "-o", str(env / "res"))
    assert out.exit_code == 0, out.output
    [run] = load_runs(env / "res")
    t = run.tasks["mmlu_anatomy"]
    assert t.n == 20 and t.sampled and t.stderr is not None and t.stderr > 0
    assert t.sampling.design == "simple-random" and t.sampling.seed == 7
    assert t.sampling.population == 135 and t.sampling.interval[0] < t.value < t.sampling.interval[1]
    ids = [r["doc_id"] for r in read_sample_log(env / "res" / t.samples_file)]
    assert len(ids) == 20 and ids != list(range(20)) and max(ids) < 135
    # the estimate is the mean of the logged items (one stratum: no reweighting)
    assert t.value == pytest.approx(sum(r["acc"] for r in read_sample_log(
        env / "res" / t.samples_file)) / 20)


def test_race_writes_run_files_that_compare_reads(env):
    """Two fake candidates with the same answers: nobody is dropped, the race runs to the end
    of the task (exhausted: the full-set scores are known) and both run files pair in compare."""
    import json

    out = invoke("race", "smollm2-135m", "gemma3-270m", "--suite", "anatomy", "--dry-run",
                 "-o", str(env / "res"), "--format", "json")
    assert out.exit_code == 0, out.output
    payload = json.loads(out.stdout)
    assert payload["decision"] == "exhausted" and payload["population"] == 135
    assert payload["items"] == {"smollm2-135m": 135, "gemma3-270m": 135}
    assert "after 100 items: in the race smollm2-135m, gemma3-270m" in out.stderr
    # one entry per look (100 items, then the whole task), each candidate's wall for that round
    assert [r["items"] for r in payload["rounds"]] == [100, 135]
    assert all(set(r["wall_s"]) == {"smollm2-135m", "gemma3-270m"} for r in payload["rounds"])
    runs = load_runs(env / "res")
    assert len(runs) == 2 and all(r.tasks["mmlu_anatomy"].sampling.design == "race" for r in runs)
    cmp = invoke("compare", *payload["runs"].values(), "--format", "json")
    assert cmp.exit_code == 0, cmp.output
    assert "mcnemar" in cmp.stdout


@pytest.mark.slow
def test_real_race_on_the_bundled_models(env):
    """SmolLM2-135M vs Gemma 3 270M (real GGUFs, llama.cpp, real lm-eval) on 5 random MMLU
    anatomy items: both answer the same items in the same order, the run files say so."""
    import json

    from llmselect.store import read_sample_log

    out = invoke("race", "smollm2-135m", "gemma3-270m", "--suite", "anatomy", "--budget", "5",
                 "-o", str(env / "res"), "--format", "json")
    assert out.exit_code == 0, out.output
    payload = json.loads(out.stdout)
    assert payload["decision"] in {"budget", "winner"} and set(payload["items"].values()) == {5}
    runs = load_runs(env / "res")
    ids = [[r["doc_id"] for r in read_sample_log(env / "res" / run.tasks["mmlu_anatomy"].samples_file)]
           for run in runs]
    assert ids[0] == ids[1] and len(ids[0]) == 5 and {r.model.backend for r in runs} == {"llamacpp"}
    assert all(r.tasks["mmlu_anatomy"].stderr is not None for r in runs)


def test_sample_smaller_than_the_subject_count_asks_only_those_items(env):
    """5 items of MMLU humanities (13 subjects): lm-eval runs every document of a leaf it gets no
    indices for, so only the sampled leaves may be passed; exactly 5 x 4 choices are computed."""
    (env / "suites" / "hum.yaml").write_text(
        "description: h\ntasks:\n  - {task: mmlu_humanities, benchmark: mmlu, metric: acc, num_fewshot: 0}\n")
    counts = env / "count"
    out = invoke("bench", "smollm2-135m", "--dry-run", "--no-probe", "--suite", "hum",
                 "--sample", "5", "-o", str(env / "res"), "--backend-arg", f"count_file={counts}")
    assert out.exit_code == 0, out.output
    assert len(counts.read_text().splitlines()) == 5 * 4
    [run] = load_runs(env / "res")
    t = run.tasks["mmlu_humanities"]
    assert t.n == 5 and t.sampling.population == 4705 and t.sampling.strata == 13


@pytest.mark.parametrize("decision, winner, p_first, words", [
    ("winner", "gemma3-270m", None, "gemma3-270m wins with 95% confidence (the others are behind it)"),
    ("profile", "gemma3-270m", 0.97, "gemma3-270m wins with 95% confidence (the profile's #1 (p=0.97))"),
    ("exhausted", "gemma3-270m", None, "(full benchmark scored)"),
    ("exhausted", None, None, "a, b tie on the full benchmark"),
    ("within-margin", None, None, "a, b are within the margin of each other (95%)"),
    ("budget", None, None, "undecided after the budget; still in the race: a, b"),
])
def test_every_race_decision_has_its_line(decision, winner, p_first, words):
    """A race decided without --profile has no p(#1): its line must not need one (the first real
    decided race, Gemma over SmolLM2 on MMLU, ended in a traceback there)."""
    from types import SimpleNamespace

    from llmselect.cli.race import _decision_line

    res = SimpleNamespace(look=SimpleNamespace(decision=decision, winner=winner, alive=["a", "b"]),
                          p_first=p_first)
    assert words in _decision_line(res, 0.95)

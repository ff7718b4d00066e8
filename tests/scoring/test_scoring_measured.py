"""Measured results (results/ from bench) replace published scores and are labelled measured."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from typer.testing import CliRunner

from llmselect import store
from llmselect.cli.main import app
from llmselect.scoring import rank_catalog
from helpers.scoring import benchmarks, card, catalog, profile


def run(catalog_id, value, stderr=0.01, when=1, run_id=None, speed=None, gpus=()):
    return store.RunResult(
        run_id=run_id or f"run-{catalog_id}-{when}",
        created_at=datetime(2026, 1, when, tzinfo=timezone.utc),
        model=store.ModelInfo(spec=catalog_id, catalog_id=catalog_id, backend="fake"),
        suite="quick",
        tasks={"mmlu": store.TaskResult(task="mmlu", benchmark="mmlu", metric="acc", value=value,
                                        stderr=stderr, n=171, sampled=True, chance=0.25)},
        speed=store.Speed(gen_tokens_per_s=speed),
        hardware=store.Hardware(gpus=[{"name": g, "vram_gb": 24} for g in gpus]),
    )


def test_measured_score_replaces_published_and_names_the_run():
    cat = catalog(card("a", scores={"mmlu": 80.0}), card("b", scores={"mmlu": 70.0}))
    rec = rank_catalog(profile(), cat, [run("a", 0.25, run_id="r1")], benchmarks=benchmarks())
    a = next(e for e in rec.ranked if e.model == "a")
    q = a.criteria["quality"]
    assert q.provenance == "measured" and q.sources == ["r1"]
    assert q.facts["mmlu"]["raw"] == 0.25 and q.score == 0.0
    assert rec.ranked[0].model == "b"
    assert rec.measured_runs == ["r1"]
    assert q.stderr == pytest.approx(0.01 / 0.75, abs=1e-4)  # the run's stderr, over 1 - chance


def test_newest_run_wins_and_measured_speed_is_used():
    cat = catalog(card("a", scores={"mmlu": 80.0}))
    runs = [run("a", 0.9, when=2, run_id="new", speed=42.0, gpus=["RTX 4090"]),
            run("a", 0.3, when=1, run_id="old")]
    rec = rank_catalog(profile(criteria={"weights": {"quality": 1, "speed": 1}}), cat, runs,
                    benchmarks=benchmarks())
    entry = rec.ranked[0]
    assert entry.criteria["quality"].sources == ["new"]
    assert entry.criteria["speed"].provenance == "measured"
    assert entry.criteria["speed"].facts["tokens_per_s"] == 42.0


def test_speed_measured_on_a_cpu_does_not_stand_for_a_gpu_target():
    cat = catalog(card("a", scores={"mmlu": 80.0}))
    runs = [run("a", 0.9, run_id="cpu-run", speed=7.0)]
    rec = rank_catalog(profile(criteria={"weights": {"quality": 1, "speed": 1}}), cat, runs,
                    benchmarks=benchmarks())
    speed = rec.ranked[0].criteria["speed"]
    assert speed.provenance != "measured" and "cpu-run" not in speed.sources


@pytest.mark.parametrize("value, ranked", [(0.30, False), (0.95, True)])
def test_cli_reads_measured_runs_from_results_dir(tmp_path, value, ranked):
    results = tmp_path / "myresults"
    store.save_run(run("llama3-8b-instruct", value, run_id="measured-llama"), results)
    out = CliRunner().invoke(app, ["recommend", "--profile", "chatbot-en", "--format", "json",
                                   "--results", str(results), "--top", "50"])
    assert out.exit_code == 0, out.output
    rec = json.loads(out.stdout)
    assert rec["measured_runs"] == ["measured-llama"]
    entry = next((e for e in rec["ranked"] if e["model"] == "llama3-8b-instruct"), None)
    excluded = {e["model"]: e for e in rec["excluded"]}
    if ranked:
        # mmlu measured, gpqa/gsm8k published, mt_bench estimated: the criterion is marked
        # estimated (the least certain of its cells), each cell keeps its own provenance
        assert entry["criteria"]["quality"]["provenance"] == "estimated"
        assert entry["criteria"]["quality"]["facts"]["mmlu"]["provenance"] == "measured"
        assert "measured-llama" in entry["criteria"]["quality"]["sources"]
    else:   # MMLU 0.30 -> skill 0.07, below chatbot-en's quality floor of 0.3
        assert entry is None
        assert excluded["llama3-8b-instruct"]["constraint"] == "min_quality"
        assert "(estimated)" in excluded["llama3-8b-instruct"]["detail"]


def test_the_larger_task_stands_for_a_benchmark_run_twice_in_one_suite():
    from llmselect.scoring.measured import collect

    r = run("a", 0.5)
    tasks = {"gpqa_main_zeroshot": store.TaskResult(task="gpqa_main_zeroshot", benchmark="gpqa",
                                                     metric="acc", value=0.30, n=448, sampled=False),
             "gpqa_diamond_zeroshot": store.TaskResult(task="gpqa_diamond_zeroshot", benchmark="gpqa",
                                                        metric="acc", value=0.20, n=198, sampled=False)}
    r = r.model_copy(update={"tasks": tasks})
    assert collect([r])["a"].scores["gpqa"].task == "gpqa_main_zeroshot"


def _own_run(catalog_id, value):
    return store.RunResult(
        run_id=f"own-{catalog_id}", created_at=datetime(2026, 1, 3, tzinfo=timezone.utc),
        model=store.ModelInfo(spec=catalog_id, catalog_id=catalog_id, backend="fake"),
        suite="support-faq",
        tasks={"faq": store.TaskResult(task="own_support_faq", benchmark="own:support-faq",
                                       metric="exact_match", value=value, stderr=0.05, n=40,
                                       sampled=False)})


@pytest.mark.parametrize("policy, b_ranked", [("neutral", True), ("exclude", False)])
def test_an_own_suite_is_weighed_and_a_model_without_a_run_follows_the_policy(policy, b_ranked):
    """Issue 16: `own:support-faq` among the quality benchmarks; b has no run on it."""
    cat = catalog(card("a", scores={"mmlu": 70.0}), card("b", scores={"mmlu": 70.0}))
    prof = profile(criteria={"weights": {"quality": 1},
                             "quality_benchmarks": {"mmlu": 1, "own:support-faq": 3}},
                   missing_facts_by_criterion={"quality": policy})
    rec = rank_catalog(prof, cat, [_own_run("a", 0.9)], benchmarks=benchmarks())
    a = next(e for e in rec.ranked if e.model == "a")
    assert a.criteria["quality"].facts["own:support-faq"]["provenance"] == "measured"
    b = next((e for e in rec.ranked if e.model == "b"), None)
    if b_ranked:   # neutral: its own level stands in, with a score known only to lie in [0, 1]
        assert b is not None and "own:support-faq" in b.estimated
        assert b.criteria["quality"].stderr > 3 * a.criteria["quality"].stderr
    else:
        assert b is None
        assert "no run on own:support-faq" in next(x for x in rec.excluded if x.model == "b").detail

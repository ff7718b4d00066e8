"""Sequential rounds ask lm-eval only for the items they add (``sampling.growing``), and the run
they leave is the same as if every item had been asked at once: the cumulative per-item log, its
count, lm-eval's task hash. Real lm-eval with the fake model and the offline MMLU data."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from llmselect import store
from llmselect.cli.main import app
from llmselect.store import load_runs, read_sample_log

ITEMS = 135  # MMLU anatomy


@pytest.fixture
def asked(monkeypatch):
    """Items per lm-eval call, spied on the adapter the rounds go through."""
    import llmselect.bench.lmeval as lmeval

    calls: list[int] = []
    real = lmeval.run_task

    def spy(*args, samples=None, **kwargs):
        calls.append(None if samples is None else sum(len(v) for v in samples.values()))
        return real(*args, samples=samples, **kwargs)

    monkeypatch.setattr(lmeval, "run_task", spy)
    return calls


def invoke(*args):
    return CliRunner().invoke(app, list(args))


def _task(folder):
    [run] = load_runs(folder)
    return run.tasks["mmlu_anatomy"]


def test_precision_rounds_ask_only_new_items_and_log_the_whole_prefix(env, asked):
    out = invoke("bench", "smollm2-135m", "--dry-run", "--no-probe", "--suite", "anatomy",
                 "--precision", "0.02", "--seed", "5", "-o", str(env / "seq"))
    assert out.exit_code == 0, out.output
    assert asked == [100, ITEMS - 100]
    full = invoke("bench", "smollm2-135m", "--dry-run", "--no-probe", "--suite", "anatomy",
                  "-o", str(env / "full"))
    assert full.exit_code == 0, full.output
    seq, whole = _task(env / "seq"), _task(env / "full")
    # the exhausted sequential run is the census: same items, answers, prompts and task hash
    assert seq.n == whole.n == ITEMS and seq.task_hash == whole.task_hash
    assert seq.value == pytest.approx(whole.value)
    key = ("doc_id", "acc", "prompt_hash", "doc_hash")
    rows = [tuple(r[k] for k in key) for r in read_sample_log(env / "seq" / seq.samples_file)]
    assert rows == [tuple(r[k] for k in key) for r in read_sample_log(env / "full" / whole.samples_file)]


def test_race_rounds_ask_only_new_items_per_candidate(env, asked):
    import json

    out = invoke("race", "smollm2-135m", "gemma3-270m", "--suite", "anatomy", "--dry-run",
                 "-o", str(env / "res"), "--format", "json")
    assert out.exit_code == 0, out.output
    assert asked == [100, 100, ITEMS - 100, ITEMS - 100]
    payload = json.loads(out.stdout)
    for run in load_runs(env / "res"):
        t = run.tasks["mmlu_anatomy"]
        ids = sorted(r["doc_id"] for r in read_sample_log(env / "res" / t.samples_file))
        assert ids == list(range(ITEMS)) and t.n == ITEMS
    assert set(payload["items"].values()) == {ITEMS}


def test_built_leaves_are_reused_per_task_settings(env):
    """Later rounds reuse the built lm-eval tasks; other shots or generation settings get their
    own, since ``simple_evaluate`` writes those settings onto the task objects."""
    from llmselect.bench.lmeval import built_leaves, task_manager
    from llmselect.bench.plan import BenchRequest, plan_bench

    plan = plan_bench(BenchRequest(model="smollm2-135m", suite="anatomy", dry_run=True,
                                   probe=False, output=env / "res"))
    tm = task_manager(plan)
    five = plan.tasks[0]
    first = built_leaves(tm, ["mmlu_anatomy", "mmlu_virology"], five)
    again = built_leaves(tm, ["mmlu_virology"], five)
    assert again[0] is first[1] and [t.config.task for t in first] == ["mmlu_anatomy", "mmlu_virology"]
    zero = built_leaves(tm, ["mmlu_virology"], five.model_copy(update={"num_fewshot": 0}))
    assert zero[0] is not first[1]


def test_leaves_built_to_count_documents_are_not_built_again(env, monkeypatch):
    """``task_sizes`` builds every leaf to count its documents; the first evaluation takes those
    objects instead of building them again (MMLU: ~10 s), and another settings key, which must not
    share objects that an evaluation has configured, builds its own."""
    from llmselect.bench.lmeval import built_leaves, task_manager
    from llmselect.bench.plan import BenchRequest, plan_bench
    from llmselect.sampling.bench_task import task_sizes

    plan = plan_bench(BenchRequest(model="smollm2-135m", suite="anatomy", dry_run=True,
                                   probe=False, output=env / "res"))
    tm = task_manager(plan)
    five = plan.tasks[0]
    loads: list[list[str]] = []
    real_load = tm.load
    monkeypatch.setattr(tm, "load", lambda names: loads.append(names) or real_load(names))
    sizes, _ = task_sizes(tm, "mmlu_anatomy")
    assert sizes == {"mmlu_anatomy": ITEMS} and len(loads) == 1
    [first] = built_leaves(tm, ["mmlu_anatomy"], five)
    assert len(loads) == 1, "the counted leaf was built a second time"
    [zero] = built_leaves(tm, ["mmlu_anatomy"], five.model_copy(update={"num_fewshot": 0}))
    assert len(loads) == 2 and zero is not first


def test_merged_log_keeps_every_filter_and_reads_the_metric_s_own(tmp_path, monkeypatch):
    """A generative task logs one line per item and filter (GSM8K: strict and flexible); the
    merge keys lines by (leaf, doc, filter), so neither filter's line replaces the other's."""
    import llmselect.bench.lmeval as lmeval
    from llmselect.sampling.growing import GrowingTask

    def fake_round(plan, run, lm, tm, task, samples):
        rows = [{"task": leaf, "doc_id": i, "filter": f, "exact_match": float(f == "flex" and i % 2),
                 "doc_hash": str(i), "prompt_hash": "p", "target_hash": "t"}
                for leaf, ids in samples.items() for i in ids for f in ("strict", "flex")]
        store.write_sample_log(tmp_path / "log.jsonl", rows)
        return store.TaskResult(task="t", benchmark="b", metric=task.metric, value=0.0, n=len(rows), sampled=True,
                                samples_file="log.jsonl"), 0.0

    monkeypatch.setattr(lmeval, "run_task", fake_round)
    plan = type("Plan", (), {"out_dir": tmp_path})()
    task = type("Task", (), {"metric": "exact_match,flex"})()
    order = [("g", i) for i in (5, 2, 7, 1, 4, 3)]
    g = GrowingTask(plan, None, None, None, task, order)
    g.extend(2)
    result, _ = g.extend(5)
    assert list(g.values("exact_match,flex")) == [1.0, 0.0, 1.0, 1.0, 0.0]
    assert list(g.values("exact_match,strict")) == [0.0] * 5
    assert result.n == 5 and result.value == pytest.approx(0.6) and result.sampled
    assert len(read_sample_log(tmp_path / "log.jsonl")) == 10
    with pytest.raises(ValueError):
        g.extend(5)

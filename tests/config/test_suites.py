"""Built-in suites are valid and name real lm-eval tasks; users can add their own."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from llmselect.cli.main import app
from llmselect.config.suite_schema import list_suites, load_suite
from llmselect.errors import UserError


def test_builtin_suites_cover_the_issue():
    suites = list_suites()
    assert {"mmlu", "gsm8k", "humaneval", "gpqa", "gpqa-cot", "quick", "standard", "reasoning",
            "multilingual", "medical", "math"} <= set(suites)
    quick = suites["quick"]
    assert quick.sampled and {t.benchmark for t in quick.tasks} == {"mmlu", "gsm8k", "gpqa", "humaneval"}
    assert all(t.limit for t in quick.tasks)
    assert not any(t.limit for t in suites["standard"].tasks)
    gsm = suites["gsm8k"].tasks[0]
    assert (gsm.task, gsm.num_fewshot, gsm.metric) == ("gsm8k_cot", 8, "exact_match,strict-match")
    assert gsm.extra_metrics == ["exact_match,flexible-extract"]
    assert suites["mmlu"].tasks[0].num_fewshot == 5


def test_every_suite_task_exists_in_lm_eval():
    from lm_eval.tasks._index import TaskIndex

    from llmselect.catalog.benchmarks import BENCHMARKS
    from llmselect.data.task_overrides import task_roots

    index = TaskIndex.build(task_roots())
    for name, suite in list_suites().items():
        for task in suite.tasks:
            assert task.task in index, (name, task.task)
            assert task.benchmark in BENCHMARKS, (name, task.benchmark)


def test_user_suite_on_the_search_path(tmp_path, monkeypatch):
    (tmp_path / "mine.yaml").write_text("description: mine\ntasks:\n"
                                        "  - {task: arc_easy, benchmark: arc_easy, metric: acc}\n")
    monkeypatch.setenv("LLMSELECT_SUITES_PATH", str(tmp_path))
    assert load_suite("mine").tasks[0].metric == "acc,none"
    out = CliRunner().invoke(app, ["suites", "--format", "json"])
    assert out.exit_code == 0
    assert "mine" in {s["suite"] for s in json.loads(out.stdout)}


def test_bad_suite_files_and_names(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("description: x\ntasks:\n  - {task: mmlu, benchmark: mmlu, metric: acc, shots: 5}\n")
    with pytest.raises(UserError, match=r"tasks.0.shots: unknown field"):
        load_suite(str(bad))
    with pytest.raises(UserError, match="did you mean 'quick'"):
        load_suite("quik")

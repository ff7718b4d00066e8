"""Real model, real lm-eval: SmolLM2-135M (its GGUF through transformers, fp32) on a tiny sample
of the quick suite's tasks with the offline data, and the same tasks run directly through
``lm_eval.simple_evaluate``: llmselect's per-sample results must be identical."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from llmselect.cli.main import app
from llmselect.store import load_runs

pytestmark = pytest.mark.slow

# The quick suite's tasks and settings, with limits small enough for a 2-core CI machine.
SUITE = """description: tiny quick
sampled: true
tasks:
  - {task: mmlu_abstract_algebra, benchmark: mmlu, metric: acc, num_fewshot: 5, limit: 1}
  - {task: mmlu_anatomy, benchmark: mmlu, metric: acc, num_fewshot: 5, limit: 1}
  - task: gsm8k_cot
    benchmark: gsm8k
    metric: exact_match,strict-match
    extra_metrics: ["exact_match,flexible-extract"]
    num_fewshot: 8
    limit: 1
    gen_kwargs: {max_gen_toks: 8}
  - {task: gpqa_main_zeroshot, benchmark: gpqa, metric: acc, extra_metrics: [acc_norm], limit: 1, redact_samples: true}
  - task: humaneval_sandboxed
    benchmark: humaneval
    metric: pass@1,create_test
    limit: 1
    gen_kwargs: {max_gen_toks: 24}
    requires_code_execution: true
"""
COMPARED = ("doc_id", "filter", "resps", "filtered_resps", "acc", "acc_norm", "exact_match",
            "pass@1", "doc_hash", "prompt_hash")


@pytest.fixture(scope="module")
def real_run(tmp_path_factory, shared_datasets, data_cache):
    tmp = tmp_path_factory.mktemp("real")
    (tmp / "suites").mkdir()
    (tmp / "suites" / "tinyquick.yaml").write_text(SUITE)
    env = {"LLMSELECT_SUITES_PATH": str(tmp / "suites"), "LLMSELECT_CACHE_DIR": str(data_cache),
           "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        out = CliRunner().invoke(app, ["bench", "smollm2-135m", "--backend", "hf", "--suite",
                                       "tinyquick", "--data-dir", str(shared_datasets),
                                       "-o", str(tmp / "res"), "--no-probe",
                                       "--allow-code-execution"])
    assert out.exit_code == 0, out.output
    [run] = load_runs(tmp / "res")
    return run, tmp / "res"


def test_result_file_scores_and_counts(real_run):
    run, _ = real_run
    assert run.status == "complete" and run.model.backend == "hf"
    assert run.model.backend_args["gguf_file"] == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert run.model.quantization.startswith("fp32")
    assert {k: t.n for k, t in run.tasks.items()} == {
        "mmlu_abstract_algebra": 1, "mmlu_anatomy": 1, "gsm8k_cot": 1, "gpqa_main_zeroshot": 1,
        "humaneval_sandboxed": 1}
    assert all(t.sampled and 0.0 <= t.value <= 1.0 for t in run.tasks.values())
    assert run.tasks["gpqa_main_zeroshot"].value in {0.0, 1.0}
    assert run.memory.peak_rss_mb > 200 and run.wall_time_s > 0


def test_per_sample_results_identical_to_lm_eval(real_run, shared_datasets, data_cache,
                                                 monkeypatch):
    import lm_eval
    from lm_eval.tasks import TaskManager

    from llmselect.config.suite_schema import Suite
    from llmselect.data import prepare_offline
    from llmselect.resources import PACKAGE_DIR
    from llmselect.specs import resolve_spec

    run, res = real_run
    monkeypatch.setenv("LLMSELECT_ALLOW_CODE_EXECUTION", "1")  # HumanEval, scored in the sandbox
    gguf = resolve_spec("smollm2-135m").gguf_path
    tm = TaskManager(include_path=[str(PACKAGE_DIR / "tasks"),
                                   str(prepare_offline(shared_datasets, data_cache))])
    import yaml

    lm = lm_eval.api.registry.get_model("hf").create_from_arg_obj(
        {"pretrained": str(gguf.parent), "gguf_file": gguf.name, "dtype": "float32"},
        {"device": "cpu", "batch_size": 1})
    for task in Suite.model_validate(yaml.safe_load(SUITE)).tasks:
        direct = lm_eval.simple_evaluate(model=lm, tasks=[task.task], num_fewshot=task.num_fewshot,
                                         limit=int(task.limit), task_manager=tm,
                                         gen_kwargs=task.gen_kwargs, log_samples=True,
                                         confirm_run_unsafe_code=True)
        ours = [json.loads(l) for l in
                (res / run.tasks[task.key].samples_file).read_text().splitlines()]
        theirs = direct["samples"][task.task]
        assert len(ours) == len(theirs)  # one line per (doc, filter)
        assert len({s["doc_id"] for s in ours}) == run.tasks[task.key].n
        keys = [k for k in COMPARED if not (task.redact_samples and k == "resps")]  # redacted
        for a, b in zip(ours, theirs):
            assert {k: a.get(k) for k in keys} == json.loads(json.dumps(
                {k: b.get(k) for k in keys}, default=str)), task.task
        assert direct["results"][task.task][task.metric] == run.tasks[task.key].value

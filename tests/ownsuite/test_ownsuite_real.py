"""Own suites on the two real bundled models (SmolLM2-135M and Gemma 3 270M, llama.cpp in
process): English and French items, with and without context, both kinds; ``llmselect test``
passing and failing on thresholds set from the real scores; Gemma 3 as a real local judge."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from llmselect.cli.main import app
from llmselect.store import load_runs

pytestmark = pytest.mark.slow
runner = CliRunner()
MODELS = ("smollm2-135m", "gemma3-270m")
ANSWER_ITEMS = [  # English and French, with and without context
    {"id": "en-ctx", "question": "What colour is the sky on a clear day?", "answer": "blue",
     "context": "On a clear day the sky is blue.", "tags": "en"},
    {"id": "en", "question": "What is the capital of France?", "answer": "Paris", "tags": "en"},
    {"id": "fr-ctx", "question": "Quelle est la couleur du ciel ?", "answer": "bleu",
     "context": "Par beau temps, le ciel est bleu.", "tags": "fr"},
    {"id": "fr", "question": "Quelle est la capitale de l'Italie ?", "answer": "Rome", "tags": "fr"},
]
MC_ITEMS = [
    {"id": "m1", "question": "What is 2 + 2?", "choices": ["3", "4", "5"], "answer": "4"},
    {"id": "m2", "question": "Quelle est la capitale de la France ?", "choices": ["Paris", "Lyon", "Nice"],
     "answer": "Paris", "context": "La France a pour capitale Paris."},
]


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("LLMSELECT_SUITES_PATH", str(tmp_path / "suites"))
    monkeypatch.setenv("LLMSELECT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf-datasets"))
    return tmp_path


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _new(env, name, src, *args):
    res = runner.invoke(app, ["suite", "new", name, "--from", str(src), *args])
    assert res.exit_code == 0, res.output
    return env / "suites" / f"{name}.yaml"


def _bench(env, model, suite):
    res = runner.invoke(app, ["bench", model, "--suite", suite, "--no-probe", "-o", str(env / "res")])
    assert res.exit_code == 0, res.output


def test_answer_and_mc_suites_on_both_models_then_compare(env):
    _new(env, "qa", _jsonl(env / "qa.jsonl", ANSWER_ITEMS), "--max-gen-toks", "12")
    _new(env, "mc", _jsonl(env / "mc.jsonl", MC_ITEMS[1:]), "--dev",
         str(_jsonl(env / "dev.jsonl", MC_ITEMS[:1])), "--shots", "1")
    for model in MODELS:
        _bench(env, model, "qa")
        _bench(env, model, "mc")
    runs = load_runs(env / "res")
    assert sorted((r.model.catalog_id, r.suite) for r in runs) == sorted(
        (cid, s) for cid in ("smollm2-135m-instruct", "gemma3-270m") for s in ("mc", "qa"))
    for run in runs:
        task = next(iter(run.tasks.values()))
        assert run.model.backend == "llamacpp" and task.benchmark == f"own:{run.suite}"
        samples = [json.loads(x) for x in (env / "res" / task.samples_file).read_text().splitlines()]
        if run.suite == "qa":
            assert task.n == 4 and 0 <= task.value <= 1 and task.stderr is not None
            assert all(0 <= task.extra_metrics[f"{m},none"] <= 1 for m in ("token_f1", "rougeL", "chrf"))
            answers = [s["filtered_resps"][0] for s in samples]
            assert all(isinstance(a, str) for a in answers) and any(a.strip() for a in answers)
            by_id = {s["doc_id"]: s for s in samples}
            assert "Context: Par beau temps" in by_id[2]["arguments"][0][0]
            assert "Context:" not in by_id[3]["arguments"][0][0]
        else:
            assert task.n == 1 and task.num_fewshot == 1 and task.value in (0.0, 1.0)
            prompt = samples[0]["arguments"][0][0]
            assert "What is 2 + 2?" in prompt and "A. Paris" in prompt  # the dev shot, then the item
    qa = {r.model.catalog_id: r for r in runs if r.suite == "qa"}
    _new(env, "chat", _jsonl(env / "chat.jsonl", ANSWER_ITEMS[:1]), "--chat-template",
         "--max-gen-toks", "8")
    _bench(env, "smollm2-135m", "chat")
    [chat] = [r for r in load_runs(env / "res") if r.suite == "chat"]
    sample = json.loads((env / "res" / chat.tasks["chat"].samples_file).read_text().splitlines()[0])
    assert "<|im_start|>user" in sample["arguments"][0][0]  # SmolLM2's own chat template
    out = runner.invoke(app, ["compare", str(env / "res" / f"{qa['smollm2-135m-instruct'].run_id}.json"),
                              str(env / "res" / f"{qa['gemma3-270m'].run_id}.json"), "--format", "json"])
    assert out.exit_code == 0, out.output
    assert "qa" in out.output and "paired" in out.output.lower()


def test_llmselect_test_passes_and_fails_on_real_scores(env):
    path = _new(env, "qa", _jsonl(env / "qa.jsonl", ANSWER_ITEMS), "--max-gen-toks", "12")
    _bench(env, "smollm2-135m", "qa")
    [run] = load_runs(env / "res")
    samples = [json.loads(x) for x in (env / "res" / run.tasks["qa"].samples_file).read_text().splitlines()]
    fr = [s["chrf"] for s in samples if s["doc"]["tags"] == ["fr"]]
    mean = sum(fr) / len(fr)
    suite = yaml.safe_load(path.read_text(encoding="utf-8"))
    for floor, code in ((mean - 0.01, 0), (mean + 0.01, 1)):
        suite["own"]["checks"] = {"tags": {"fr": {"min": {"chrf": round(floor, 6)}}}}
        path.write_text(yaml.safe_dump(suite, allow_unicode=True), encoding="utf-8")
        res = runner.invoke(app, ["test", "--suite", "qa", "--model", "smollm2-135m",
                                  "--output", str(env / "res"), "--junit", str(env / f"{code}.xml"),
                                  "--no-probe"])
        assert res.exit_code == code, res.output
        assert f"mean chrf={mean:.3f}" in (env / f"{code}.xml").read_text()


def test_gemma_as_real_local_judge(env):
    from llmselect.ownsuite import judge

    _new(env, "qa", _jsonl(env / "qa.jsonl", ANSWER_ITEMS[:3]), "--max-gen-toks", "12",
         "--metrics", "token_f1", "--judge", "gemma3-270m",
         "--rubric", "The answer gives the same fact as the reference answer.")
    judge.STATS.update(calls=0, cached=0)
    _bench(env, "smollm2-135m", "qa")
    asked = judge.STATS["calls"]
    assert 3 <= asked <= 6 and judge.STATS["cached"] == 0  # 3 items + the rechecked share
    [run] = load_runs(env / "res")
    task = run.tasks["qa"]
    samples = [json.loads(x) for x in (env / "res" / task.samples_file).read_text().splitlines()]
    malformed = sum(s["judge_malformed"] for s in samples)
    judged = [s["judge"] for s in samples if "judge" in s]
    assert malformed + len(judged) == 3 and all(v in (0.0, 1.0) for v in judged)
    assert task.extra_metrics["judge_malformed,none"] == pytest.approx(malformed / 3)
    cache = (env / "cache" / "judge" / "qa.jsonl").read_text().splitlines()
    assert len(cache) == asked and all("reply" in json.loads(x) for x in cache)
    judge.STATS.update(calls=0, cached=0)
    _bench(env, "smollm2-135m", "qa")  # a second run: every verdict from the cache
    assert judge.STATS == {"calls": 0, "cached": asked}

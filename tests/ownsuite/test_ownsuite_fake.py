"""An own suite end to end through real lm-eval with the deterministic fake model: metrics and
their stderr in the result, ``llmselect test`` passing and failing on purpose (JUnit, step
summary, redaction), the judge's malformed verdicts counted and its calls cached, ``gate`` and
``recommend`` on own suites.

The fake model always answers " The answer is N." (N from a hash of the prompt), so with the
``contains`` metric an item whose expected answer is "the answer is" passes and "banana" fails.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
import yaml
from typer.testing import CliRunner

from llmselect.cli.main import app
from llmselect.store import load_runs

runner = CliRunner()
ITEMS = ("id,question,answer,category,must_pass\n"
         "a1,What does the model say?,the answer is,easy,true\n"
         "a2,Et en français ?,The answer is,easy,false\n"
         "a3,Name a yellow fruit,banana,hard,false\n"
         "a4,Six times seven?,42,hard,false\n")


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("LLMSELECT_SUITES_PATH", str(tmp_path / "suites"))
    monkeypatch.setenv("LLMSELECT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf-datasets"))
    (tmp_path / "items.csv").write_text(ITEMS, encoding="utf-8")
    return tmp_path


def new_suite(env, *args, metrics="contains,exact_match,token_f1,rougeL,chrf"):
    res = runner.invoke(app, ["suite", "new", "faq", "--from", str(env / "items.csv"),
                              "--metrics", metrics, *args])
    assert res.exit_code == 0, res.output
    return env / "suites" / "faq.yaml"


def edit_checks(path, checks):
    suite = yaml.safe_load(path.read_text(encoding="utf-8"))
    suite["own"]["checks"] = checks
    path.write_text(yaml.safe_dump(suite, allow_unicode=True), encoding="utf-8")


def run_test(env, *args):
    return runner.invoke(app, ["test", "--suite", "faq", "--model", "smollm2-135m", "--backend",
                               "fake", "--output", str(env / "res"), *args])


def test_bench_records_every_metric_with_stderr(env):
    new_suite(env, metrics="contains,exact_match,token_f1,rougeL,chrf,semantic")
    res = runner.invoke(app, ["bench", "smollm2-135m", "--suite", "faq", "--dry-run", "--no-probe",
                              "-o", str(env / "res")])
    assert res.exit_code == 0, res.output
    [run] = load_runs(env / "res")
    task = run.tasks["faq"]
    assert (task.benchmark, task.metric, task.n) == ("own:faq", "contains,none", 4)
    assert task.value == pytest.approx(0.5)
    assert task.stderr == pytest.approx((1 / 3) ** 0.5 / 2)  # sample sd / sqrt(n) for 1,1,0,0
    extra = task.extra_metrics
    for metric in ("exact_match", "token_f1", "rougeL", "chrf", "semantic"):
        assert extra[f"{metric},none"] is not None and extra[f"{metric}_stderr,none"] is not None
    assert extra["exact_match,none"] == pytest.approx(0.0)  # "The answer is 7." != "the answer is"
    assert task.data_hash and len(task.data_hash) == 64
    samples = [json.loads(x) for x in (env / "res" / task.samples_file).read_text().splitlines()]
    assert [s["contains"] for s in sorted(samples, key=lambda s: s["doc_id"])] == [1.0, 1.0, 0.0, 0.0]


def test_llmselect_test_passes_then_fails_on_purpose(env, monkeypatch):
    path = new_suite(env)
    summary = env / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    ok = run_test(env, "--junit", str(env / "ok.xml"))
    assert ok.exit_code == 0, ok.output  # a1 is must_pass (column) and contains "the answer is"
    cases = ET.parse(env / "ok.xml").getroot().findall(".//testcase")
    assert [c.get("name") for c in cases] == ["item a1"] and not cases[0].findall("failure")

    edit_checks(path, {"items": {"a3": {"must_pass": True}},
                       "tags": {"easy": {"min": {"contains": 1.0}}, "hard": {"min": {"chrf": 0.9}}}})
    bad = run_test(env, "--junit", str(env / "bad.xml"))
    assert bad.exit_code == 1, bad.output
    root = ET.parse(env / "bad.xml").getroot()
    status = {c.get("name"): bool(c.findall("failure")) for c in root.findall(".//testcase")}
    assert status == {"item a1": False, "item a3": True, "tag easy": False, "tag hard": True}
    assert "2 of 4 checks failed" in bad.output
    failure = root.find(".//testcase[@name='item a3']/failure").text
    assert "Name a yellow fruit" in failure  # not redacted: the reviewer sees the item
    text = summary.read_text(encoding="utf-8")
    assert "## llmselect test faq: PASS" in text and "## llmselect test faq: FAIL" in text


def test_redacted_suite_keeps_item_texts_out_of_logs_and_reports(env):
    path = new_suite(env, "--redact", "--force")
    edit_checks(path, {"items": {"a3": {"must_pass": True}}})
    bad = run_test(env, "--junit", str(env / "r.xml"), "--format", "json")
    assert bad.exit_code == 1
    [run] = load_runs(env / "res")
    log = (env / "res" / run.tasks["faq"].samples_file).read_text(encoding="utf-8")
    report = (env / "r.xml").read_text(encoding="utf-8") + bad.output
    for text in ("yellow fruit", "banana", "Six times seven"):
        assert text not in log and text not in report
    assert '"contains": 0.0' in log  # the per-item scores stay


def test_fake_judge_malformed_verdicts_counted_and_calls_cached(env):
    from llmselect.ownsuite import judge

    path = new_suite(env, "--judge", "smollm2-135m", "--rubric", "The answer names the fact.")
    suite = yaml.safe_load(path.read_text(encoding="utf-8"))
    suite["own"]["judge"] |= {"backend": "fake", "recheck": 1.0}
    path.write_text(yaml.safe_dump(suite), encoding="utf-8")
    judge.STATS.update(calls=0, cached=0)
    first = run_test(env)
    assert first.exit_code == 0, first.output
    assert judge.STATS == {"calls": 8, "cached": 0}  # 4 items, each rechecked swapped
    [run] = load_runs(env / "res")
    extra = run.tasks["faq"].extra_metrics
    assert extra["judge_malformed,none"] == 1.0  # "The answer is N." is no verdict
    assert extra["judge,none"] is None and extra["judge_agreement,none"] is None  # never guessed
    assert "100 % of verdicts malformed" in first.output
    judge.STATS.update(calls=0, cached=0)
    assert run_test(env).exit_code == 0
    assert judge.STATS == {"calls": 0, "cached": 8}  # a rerun does not ask the judge again


def test_gate_and_recommend_use_own_suite_runs(env):
    new_suite(env)
    for _ in range(2):
        res = runner.invoke(app, ["bench", "smollm2-135m", "--suite", "faq", "--dry-run",
                                  "--no-probe", "-o", str(env / "res")])
        assert res.exit_code == 0, res.output
    a, b = sorted(load_runs(env / "res"), key=lambda r: r.created_at)
    gate = runner.invoke(app, ["gate", "--baseline", str(env / "res" / f"{a.run_id}.json"),
                               "--candidate", str(env / "res" / f"{b.run_id}.json"),
                               "--max-drop", "1", "--junit", str(env / "g.xml")])
    assert gate.exit_code == 0, gate.output
    assert "faq" in (env / "g.xml").read_text()

    prof = env / "p.yaml"
    prof.write_text(yaml.safe_dump({"extends": "chatbot-en-local", "criteria": {
        "quality_benchmarks": {"mmlu": 1, "own:faq": 3}}}), encoding="utf-8")
    out = runner.invoke(app, ["recommend", "--profile", str(prof), "--results", str(env / "res"),
                              "--explain", "smollm2-135m-instruct", "--format", "json"])
    assert out.exit_code == 0, out.output
    assert '"own:faq"' in out.output and b.run_id in out.output
    prof.write_text(yaml.safe_dump({"extends": "chatbot-en-local", "criteria": {
        "quality_benchmarks": {"own:fqa": 1}}}), encoding="utf-8")
    typo = runner.invoke(app, ["recommend", "--profile", str(prof)])
    assert typo.exit_code == 2 and "own:fqa" in typo.output and "did you mean 'faq'" in typo.output


def test_check_on_unknown_tag_is_one_line_exit_2(env):
    path = new_suite(env)
    edit_checks(path, {"tags": {"hrad": {"min": {"chrf": 0.1}}}})
    res = run_test(env)
    assert res.exit_code == 2
    assert "own.checks.tags.hrad: no item has this tag (did you mean 'hard'?)" in res.output
    assert not (env / "res").exists()  # refused before any model ran

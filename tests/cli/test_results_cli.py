"""`llmselect results`: list, filter and export recorded runs."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pandas as pd
from typer.testing import CliRunner

from llmselect.cli.main import app
from llmselect.store import ModelInfo, RunResult, TaskResult, save_run


def _run(run_id, model, suite, value, status="complete"):
    task = TaskResult(task="mmlu", benchmark="mmlu", metric="acc,none", value=value, stderr=0.01,
                      n=100, sampled=True, chance=0.25)
    return RunResult(run_id=run_id, created_at=datetime(2025, 1, 1, tzinfo=timezone.utc),
                     status=status, suite=suite, tasks={"mmlu": task},
                     model=ModelInfo(spec=model, catalog_id=model, backend="llamacpp"))


def _fill(folder):
    save_run(_run("r1", "smollm2-135m-instruct", "quick", 0.25), folder)
    save_run(_run("r2", "gemma3-270m", "quick", 0.27), folder)
    save_run(_run("r3", "gemma3-270m", "mmlu", 0.26, status="partial"), folder)


def test_list_and_filter(tmp_path):
    _fill(tmp_path)
    out = CliRunner().invoke(app, ["results", "-d", str(tmp_path), "--format", "json",
                                   "--model", "gemma3-270m", "--complete"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    assert [(r["run_id"], r["value"]) for r in rows] == [("r2", 0.27)]


def test_export_csv_and_parquet(tmp_path):
    _fill(tmp_path / "res")
    for name in ("runs.csv", "runs.parquet"):
        out = CliRunner().invoke(app, ["results", "-d", str(tmp_path / "res"), "--suite", "quick",
                                       "--export", str(tmp_path / name)])
        assert out.exit_code == 0, out.output
        df = pd.read_csv(tmp_path / name) if name.endswith("csv") else pd.read_parquet(tmp_path / name)
        assert sorted(df["run_id"]) == ["r1", "r2"] and set(df["metric"]) == {"acc,none"}
    bad = CliRunner().invoke(app, ["results", "-d", str(tmp_path / "res"), "--export", "x.xlsx"])
    assert bad.exit_code == 2 and ".csv or .parquet" in bad.stderr


def test_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    out = CliRunner().invoke(app, ["results", "-d", str(tmp_path / "empty"), "--format", "json"])
    assert out.exit_code == 0 and json.loads(out.stdout) == []


def test_missing_folder_given_explicitly_is_an_error(tmp_path):
    out = CliRunner().invoke(app, ["results", "-d", str(tmp_path / "none"), "--format", "json"])
    assert out.exit_code == 2 and "does not exist" in out.stderr and out.stdout == ""

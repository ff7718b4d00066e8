"""A measured run whose score is NaN (pass@k with fewer samples than k) reaches `recommend`:
the run is read (not dropped as unreadable), the NaN task is named on stderr and left out of
the ranking, and the model keeps its published score instead of a NaN total."""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone

from typer.testing import CliRunner

from llmselect import store
from llmselect.cli.main import app

MODEL = "mistral-7b-instruct"


def _run(run_id: str, mmlu: float) -> store.RunResult:
    task = store.TaskResult(task="mmlu", benchmark="mmlu", metric="acc", value=mmlu,
                            stderr=float("nan"), n=10, sampled=True, chance=0.25)
    return store.RunResult(run_id=run_id, created_at=datetime(2025, 1, 1, tzinfo=timezone.utc),
                           model=store.ModelInfo(spec=MODEL, catalog_id=MODEL, backend="fake"),
                           suite="quick", tasks={"mmlu": task})


def _entry(out) -> dict:
    rec = json.loads(out.stdout)
    return next(e for e in rec["ranked"] if e["model"] == MODEL)


def test_nan_measured_score_is_named_and_left_out(tmp_path):
    published = CliRunner().invoke(app, ["recommend", "--profile", "chatbot-en", "--format", "json",
                                         "--results", str(tmp_path)])
    assert published.exit_code == 0, published.output
    store.save_run(_run("nan-run", float("nan")), tmp_path)
    out = CliRunner().invoke(app, ["recommend", "--profile", "chatbot-en", "--format", "json",
                                   "--results", str(tmp_path)])
    assert out.exit_code == 0, out.output
    assert ("warning: run nan-run: task mmlu scored NaN (not a number); left out of the ranking"
            in out.stderr)
    assert "skipped" not in out.stderr  # the file itself was read
    entry = _entry(out)
    assert not math.isnan(entry["total"])
    assert entry["total"] == _entry(published)["total"]  # as if unmeasured: the published score

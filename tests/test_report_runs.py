"""Measured runs the report tests share (imported by tests/browser and tests/test_report_cli.py),
and a check that the scoring sees them as ``bench`` output: measured replaces published."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from llmselect import store


def measured_runs(folder: Path) -> list[store.RunResult]:
    """Two bench runs as ``bench`` writes them: one for a catalog model with published scores
    (measured vs published has a pair), one for a local GGUF model without (measured only)."""
    now = datetime.now(timezone.utc)
    runs = [
        _run("mistral-7b-instruct", "llamacpp", "Q4_K_M", now - timedelta(hours=1),
             {"mmlu": (0.561, 0.0041, 14042, False), "gsm8k": (0.372, 0.0133, 1319, False)},
             store.Speed(gen_tokens_per_s=11.4, prompt_tokens_per_s=96.0, ttft_s=0.84,
                         method="probe: 3 prompts, streaming")),
        _run("smollm2-135m-instruct", "llamacpp", "Q4_1", now,
             {"mmlu": (0.262, 0.0311, 200, True)},
             store.Speed(gen_tokens_per_s=79.5, prompt_tokens_per_s=161.0, ttft_s=0.15,
                         method="probe: 3 prompts, streaming")),
    ]
    for run in runs:
        store.save_run(run, folder)
    return runs


def _run(model: str, backend: str, quant: str, when: datetime, scores: dict,
         speed: store.Speed) -> store.RunResult:
    tasks = {b: store.TaskResult(task=b, benchmark=b, metric="acc" if b == "mmlu" else
                                 "exact_match,strict-match", value=v, stderr=se, n=n,
                                 sampled=sampled, chance=0.25 if b == "mmlu" else 0.0)
             for b, (v, se, n, sampled) in scores.items()}
    return store.RunResult(
        run_id=store.new_run_id(model, "test", when), created_at=when,
        model=store.ModelInfo(spec=model, catalog_id=model, backend=backend, quantization=quant),
        suite="test", tasks=tasks, speed=speed,
        hardware=store.Hardware(cpu="test CPU", cores=2, ram_gb=24.0))


def test_runs_load_back_and_count_as_measured(tmp_path):
    from llmselect.catalog import load_catalog
    from llmselect.config.profile_schema import load_profile
    from llmselect.scoring import recommend

    written = measured_runs(tmp_path)
    runs = store.load_runs(tmp_path, strict=True)
    assert [r.run_id for r in runs] == [r.run_id for r in written]
    rec = recommend(load_profile("chatbot-en-local")[0], load_catalog(), runs)
    entry = next(e for e in rec.ranked if e.model == "mistral-7b-instruct")
    assert entry.criteria["quality"].facts["mmlu"]["provenance"] == "measured"
    assert entry.criteria["quality"].facts["mmlu"]["raw"] == 0.561

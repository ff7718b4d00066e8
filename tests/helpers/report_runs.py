"""Measured runs as ``bench`` writes them, shared by the report tests (tests/browser too)."""

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

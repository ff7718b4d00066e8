"""Synthetic runs for compare/gate unit tests: real RunResult files written with store.save_run
plus per-sample logs in lm-eval's jsonl shape (task, doc_id, hashes, filter, metric values)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from llmselect import store

T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)


def _h(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def outcomes(n: int, p: float, seed: int) -> list[float]:
    """n binary per-item results with about p correct (deterministic)."""
    rng = np.random.default_rng(seed)
    return [float(x) for x in (rng.random(n) < p)]


def flip(values: list[float], right_to_wrong: int, wrong_to_right: int = 0) -> list[float]:
    """Turn the first k right answers wrong (and the first m wrong ones right)."""
    out, rw, wr = list(values), right_to_wrong, wrong_to_right
    for i, v in enumerate(out):
        if v == 1.0 and rw:
            out[i], rw = 0.0, rw - 1
        elif v == 0.0 and wr:
            out[i], wr = 1.0, wr - 1
    return out


def write_samples(folder: Path, run_id: str, key: str, metric: str, values: list[float],
                  leaf: str | None = None, answer_salt: str = "", prompt_salt: str = "") -> str:
    name, _, filt = metric.partition(",")
    lines = []
    for i, v in enumerate(values):
        for f in [filt or "none"] + (["other-filter"] if filt else []):
            lines.append(json.dumps({
                "task": leaf or key, "doc_id": i, "doc_hash": _h(f"doc{i}"),
                "prompt_hash": _h(f"prompt{i}{prompt_salt}"),
                "target_hash": _h(f"target{i}{answer_salt}"), "filter": f, "metrics": [name],
                name: v if f == (filt or "none") else 1.0 - v}))
    rel = f"{run_id}/samples_{key}.jsonl"
    (folder / run_id).mkdir(parents=True, exist_ok=True)
    (folder / rel).write_text("\n".join(lines) + "\n")
    return rel


def make_run(folder: Path, run_id: str, model: str, tasks: dict[str, list[float]], *,
             metric: str = "acc", samples: bool = True, minutes: int = 0,
             speed: dict | None = None, memory: float | None = 500.0, cpu: str = "Test CPU",
             status: str = "complete", answer_salt: str = "", prompt_salt: str = "",
             overrides: dict[str, dict] | None = None) -> Path:
    """Save a run whose task scores are the means of the given per-item values."""
    results = {}
    for key, values in tasks.items():
        x = np.array(values)
        rel = write_samples(folder, run_id, key, metric, values, answer_salt=answer_salt,
                            prompt_salt=prompt_salt) if samples else None
        fields = dict(task=key, benchmark="mmlu", metric=metric, value=float(x.mean()),
                      stderr=float(np.std(x, ddof=1) / np.sqrt(len(x))), n=len(x), limit=20.0,
                      sampled=True, num_fewshot=5, chance=0.25, task_version="1.0",
                      task_hash="th-" + key, data_hash="dh-" + key, samples_file=rel)
        fields.update((overrides or {}).get(key, {}))
        results[key] = store.TaskResult(**fields)
    run = store.RunResult(
        run_id=run_id, created_at=T0 + timedelta(minutes=minutes), status=status,
        model=store.ModelInfo(spec=model, catalog_id=model, backend="llamacpp"), suite="quick",
        tasks=results, lm_eval_version="0.4.13", hardware=store.Hardware(cpu=cpu, cores=2),
        speed=store.Speed(**(speed or {"prompt_tokens_per_s": 300.0, "gen_tokens_per_s": 50.0,
                                       "ttft_s": 0.2})),
        memory=store.Memory(peak_rss_mb=memory))
    return store.save_run(run, folder)

"""How fast is ``recommend``? Cold start of the CLI and ranking of 10,000 synthetic models.

Run:  python benchmarks/bench_recommend.py [--reps 7] [--models 10000]

1. Cold start: wall time of ``llmselect recommend --profile chatbot-en`` in a fresh subprocess
   (median of --reps), next to the bare interpreter (``python -c pass``) and ``llmselect --help``
   in the same run, so the figure reads as a ratio to what Python itself costs here.
   Target: < 1 s.
2. Ranking: ``llmselect.scoring.pipeline`` over --models synthetic catalog entries (cards
   validated beforehand, not timed), median of 3. Target: < 2 s. Compared with the
   weight-sensitivity step done in a plain Python loop (the peer the numpy version replaces).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def wall(cmd: list[str], reps: int) -> float:
    times = []
    env = {**os.environ, "LLMSELECT_RESULTS_DIR": str(REPO / ".bench-empty-results")}
    for _ in range(reps):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env=env, cwd=REPO)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cold_start(reps: int) -> None:
    py = sys.executable
    cli = [py, "-m", "llmselect"]
    base = wall([py, "-c", "pass"], reps)
    helptime = wall([*cli, "--help"], reps)
    rec = wall([*cli, "recommend", "--profile", "chatbot-en"], reps)
    rec_json = wall([*cli, "recommend", "--profile", "chatbot-en", "--format", "json"], reps)
    print(f"cold start (median of {reps}):")
    print(f"  python -c pass                          {base:6.3f} s")
    print(f"  llmselect --help                        {helptime:6.3f} s  ({helptime / base:.1f}x python)")
    print(f"  llmselect recommend --profile chatbot-en {rec:6.3f} s  ({rec / base:.1f}x python)"
          f"  target < 1 s: {'OK' if rec < 1 else 'MISSED'}")
    print(f"  ... --format json                        {rec_json:6.3f} s")


@dataclass
class SyntheticCatalog:
    models: dict
    vendors: dict


def synthetic_catalog(n: int, seed: int = 0) -> SyntheticCatalog:
    """n open/API cards with random sizes, scores, prices, contexts, licences."""
    from llmselect.catalog import load_catalog
    from llmselect.config.catalog_schema import ModelCard

    real = load_catalog()
    rng = random.Random(seed)
    vendors = list(real.vendors)
    licences = ["apache-2.0", "mit", "llama3-community", "gemma", "proprietary"]
    cards = {}
    for i in range(n):
        open_w = rng.random() < 0.7
        params = round(10 ** rng.uniform(-0.5, 2.8), 2)
        s = "bench-synthetic"
        data = {
            "id": f"synthetic-{i}", "name": f"Synthetic {i}", "vendor": rng.choice(vendors),
            "open_weights": {"value": open_w, "source": s},
            "license": {"value": rng.choice(licences[:4]) if open_w else "proprietary", "source": s},
            "commercial_use": {"value": rng.random() < 0.95, "source": s},
            "params_total_b": {"value": params, "source": s},
            "context_tokens": {"value": rng.choice([4096, 8192, 32768, 131072]), "source": s},
            "languages": {"value": rng.sample(["en", "fr", "de", "es", "zh"], rng.randint(1, 5)),
                          "source": s},
            "scores": [{"benchmark": b, "value": round(rng.uniform(20, 90), 1), "source": s}
                       for b in ("mmlu", "gpqa", "gsm8k") if rng.random() < 0.8],
            "architecture": {"layers": rng.choice([24, 32, 80]), "kv_heads": 8, "head_dim": 128,
                             "source": s},
        }
        if not open_w or rng.random() < 0.3:
            data["price"] = {"input_per_mtok_usd": round(rng.uniform(0.05, 10), 3),
                             "output_per_mtok_usd": round(rng.uniform(0.1, 30), 3), "source": s}
        cards[data["id"]] = ModelCard.model_validate(data)
    return SyntheticCatalog(cards, real.vendors)


def python_loop_p_first(scores, weights, draws, delta, seed) -> list[float]:
    """The peer: weight sensitivity without numpy (one Python dot product per model per draw)."""
    rng = random.Random(seed)
    wins = [0] * len(scores)
    for _ in range(draws):
        w = [x * rng.uniform(1 - delta, 1 + delta) for x in weights]
        total = sum(w)
        w = [x / total for x in w]
        best = max(range(len(scores)), key=lambda i: sum(a * b for a, b in zip(scores[i], w)))
        wins[best] += 1
    return [x / draws for x in wins]


def ranking(n: int) -> None:
    import numpy as np

    from llmselect.catalog.benchmarks import BENCHMARKS
    from llmselect.config.profile_schema import load_profile
    from llmselect.scoring import ranking as rk
    from llmselect.scoring import rank_catalog

    t0 = time.perf_counter()
    cat = synthetic_catalog(n)
    build = time.perf_counter() - t0
    prof, _ = load_profile("chatbot-en")
    prof = prof.model_copy(update={"missing_facts_by_criterion": {}})
    times = []
    for _ in range(3):
        start = time.perf_counter()
        rec = rank_catalog(prof, cat, [], benchmarks=BENCHMARKS)
        times.append(time.perf_counter() - start)
    full = statistics.median(times)
    print(f"ranking {n:,} synthetic models with chatbot-en (cards built in {build:.2f} s, not timed):")
    print(f"  rank_catalog() end to end                  {full:6.3f} s  ({len(rec.ranked):,} ranked, "
          f"{len(rec.excluded):,} excluded)  target < 2 s: {'OK' if full < 2 else 'MISSED'}")

    m = len(rec.ranked)
    weights = np.array(list(rec.weights.values()))
    scores = np.array([[e.criteria[c].used for c in rec.weights] for e in rec.ranked])
    start = time.perf_counter()
    rk.p_first(scores, weights, draws=prof.sensitivity_draws, delta=0.2, seed=0)
    vec = time.perf_counter() - start
    draws_peer = 20
    start = time.perf_counter()
    python_loop_p_first(scores.tolist(), weights.tolist(), draws_peer, 0.2, 0)
    loop = (time.perf_counter() - start) * prof.sensitivity_draws / draws_peer
    print(f"  weight sensitivity, {prof.sensitivity_draws} draws x {m:,} models:")
    print(f"    numpy (ranking.p_first)               {vec:6.3f} s")
    print(f"    plain Python loop (peer, extrapolated from {draws_peer} draws) {loop:6.1f} s  "
          f"-> numpy is {loop / vec:.0f}x faster")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--models", type=int, default=10_000)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]} on {os.cpu_count()} CPU(s)")
    cold_start(args.reps)
    ranking(args.models)


if __name__ == "__main__":
    main()

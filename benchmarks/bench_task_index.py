"""Building lm-eval's task index: llmselect's cached index vs lm-eval's TaskManager, same process.

Every ``bench`` process builds a TaskManager; lm-eval's own parses ~14,000 task YAMLs each time.
llmselect keeps the built-in part of the index in its cache (``llmselect/bench/task_index.py``).
Prints the median of --reps constructions of each, and the ratio.

Run:  python benchmarks/bench_task_index.py [--reps 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    import os

    from lm_eval.tasks import TaskManager

    from llmselect.bench.task_index import task_manager
    from llmselect.resources import PACKAGE_DIR

    include = [str(PACKAGE_DIR / "tasks")]
    with tempfile.TemporaryDirectory() as cache:
        os.environ["LLMSELECT_CACHE_DIR"] = cache
        task_manager(include)  # fills the cache once, as the first bench on a machine does
        times = {"lm-eval TaskManager": [], "llmselect cached index": []}
        for _ in range(args.reps):
            for name, make in (("lm-eval TaskManager", lambda: TaskManager(include_path=include)),
                               ("llmselect cached index", lambda: task_manager(include))):
                start = time.perf_counter()
                make()
                times[name].append(time.perf_counter() - start)
    peer, ours = (statistics.median(t) for t in times.values())
    for name, t in times.items():
        print(f"{name:24s} median {statistics.median(t):6.2f} s over {len(t)} runs")
    print(f"ratio: {peer / ours:.1f}x faster per bench process")


if __name__ == "__main__":
    main()

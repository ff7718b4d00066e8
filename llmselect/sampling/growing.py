"""One suite task evaluated on a growing prefix of a fixed random item order, where each round
asks lm-eval only for the items it adds.

WHY only the new items: ``--precision`` and ``race`` look at the score after every round. Asking
lm-eval for the cumulative prefix each time made it rebuild, replay from the request cache and
log again every earlier item. On MMLU that cost ~40 s per candidate and round, so a race used
1/8 of the benchmark's items but 1/3 of its wall time. The per-item log of the run stays
cumulative (merged here, one line per item and filter, in leaf and document order), so
``compare`` and ``gate`` pair a race's items like any run's. Killed, the same command asks the
same slices again and each one replays from the run's request cache.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from llmselect import store
from llmselect.sampling import strata
from llmselect.sampling.items import values_by_leaf


@dataclass
class GrowingTask:
    plan: object
    run: store.RunResult
    lm: object
    tm: object
    task: object                       # SuiteTask
    order: list[tuple[str, int]]       # every (leaf, doc index) once, the order rounds follow
    done: int = 0
    rows: dict[tuple, dict] = field(default_factory=dict)  # (leaf, doc, filter) -> log line

    def extend(self, n: int) -> tuple[store.TaskResult, float]:
        """Evaluate ``order[done:n]``; the result describes the whole prefix ``order[:n]``."""
        from llmselect.bench.lmeval import run_task

        if n <= self.done:
            raise ValueError(f"round to {n} items after {self.done}: rounds only grow")
        new = strata.as_samples(self.order[self.done:n])
        result, wall = run_task(self.plan, self.run, self.lm, self.tm, self.task, samples=new)
        for row in store.read_sample_log(self.plan.out_dir / result.samples_file):
            self.rows[(row["task"], int(row["doc_id"]), row.get("filter", "none"))] = row
        self.done = n
        return self._merged(result), wall

    def values(self, metric: str) -> np.ndarray:
        """The per-item values of ``metric`` over the prefix, in the order's order."""
        by_leaf = values_by_leaf(self._by_leaf(), metric)
        return np.array([by_leaf[h][i] for h, i in self.order[:self.done]])

    def _by_leaf(self) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {}
        for key in sorted(self.rows, key=lambda k: (k[0], k[1], str(k[2]))):
            out.setdefault(key[0], []).append(self.rows[key])
        return out

    def _merged(self, last: store.TaskResult) -> store.TaskResult:
        """The last round's result, made to describe every item so far: the cumulative per-item
        log (rewritten atomically), its item count, lm-eval's pooled mean and task hash over it."""
        from llmselect.bench.lmeval import samples_hash

        leaves = self._by_leaf()
        store.write_sample_log(self.plan.out_dir / last.samples_file,
                               [row for rows in leaves.values() for row in rows])
        x = self.values(last.metric)
        population = len(self.order)
        return last.model_copy(update={
            "value": float(x.mean()), "n": int(x.size), "sampled": x.size < population,
            "task_hash": samples_hash(leaves)})

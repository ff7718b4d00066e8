"""Per-item scores out of lm-eval's per-sample log, and the stderr lm-eval did not give.

WHY here: lm-eval reports no stderr for a group when a subtask has one scored item ("N/A"), and
a sampled MMLU run used to record ``stderr: null``; every score llmselect records carries one,
computed from the per-item values the run logged.
"""

from __future__ import annotations

from llmselect.metric_keys import split_metric


def values_by_leaf(samples: dict[str, list[dict]], metric: str) -> dict[str, dict[int, float]]:
    """leaf task -> {doc_id: value of ``metric``} (the lines of that metric's filter)."""
    name, filt = split_metric(metric)
    out: dict[str, dict[int, float]] = {}
    for leaf, rows in samples.items():
        for row in rows:
            if row.get("filter", "none") == filt and name in row:
                out.setdefault(leaf, {})[int(row["doc_id"])] = float(row[name])
    return out


def stderr_of_first_n(samples: dict[str, list[dict]], metric: str) -> float | None:
    """The stderr of lm-eval's pooled score over the items it ran (``--limit`` or a full run)."""
    from llmselect.sampling.estimate import first_n

    values = {leaf: list(v.values()) for leaf, v in values_by_leaf(samples, metric).items()}
    if sum(len(v) for v in values.values()) < 2:
        return None
    return first_n(values).stderr

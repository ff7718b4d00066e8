"""lm-eval's metric keys, read one way: ``'exact_match,strict-match'`` is a metric and a filter.

lm-eval names every result ``<metric>,<filter>`` (``acc,none`` when no filter applies) and its
stderr ``<metric>_stderr,<filter>``; sample logs carry the bare metric name on each line of
that filter. The result file keeps the full key; readers split it here.
"""

from __future__ import annotations


def split_metric(metric: str) -> tuple[str, str]:
    """'exact_match,strict-match' -> ('exact_match', 'strict-match'); 'acc' -> ('acc', 'none')."""
    name, _, filt = metric.partition(",")
    return name, filt or "none"


def stderr_key(metric: str) -> str:
    """The key lm-eval reports this metric's standard error under."""
    name, filt = split_metric(metric)
    return f"{name}_stderr,{filt}"


def short_metric(metric: str) -> str:
    """'acc,none' -> 'acc' (lm-eval's no-filter suffix says nothing to a reader)."""
    return metric.removesuffix(",none")

"""An organisation's own evaluation set as a suite (issue 16).

The white paper's advice (DOMAIN.md §2): public leaderboards are a first filter; validate on
your own use case with your own items, several metrics, and run them as unit tests in CI.
Flow: ``ingest`` streams and checks a CSV/JSONL/Parquet file into normalised JSONL,
``taskgen`` writes an lm-eval task (so ``bench`` runs it like any suite), ``hooks`` scores each
generated answer with ``metrics`` (and the ``judge``) inside lm-eval, ``checks`` turns a run's
per-item log into must-pass / threshold verdicts for ``llmselect test``.
Nothing here touches the network except a judge that is an endpoint the user named.
"""

"""Evaluate on a fraction of a benchmark and still say honestly what the full benchmark's score is.

- ``strata``: a seeded random sample stratified by subtask (proportional allocation), and the
  seeded random order of all items that sequential designs walk through;
- ``estimate``: the stratified estimator of the full-set score and its finite-population-corrected
  stderr, from a per-item log;
- ``looks``: intervals at a fixed schedule of looks with α spent over all of them (Pocock),
  what ``--precision`` and ``race`` use;
- ``confseq``: the exact alternative, an empirical-Bernstein confidence sequence valid at every
  single item (Waudby-Smith & Ramdas 2023), kept as the reference the benchmark compares with;
- ``race``: the paired elimination rule; ``simulate``: synthetic races that check it;
- ``items``: per-item values out of lm-eval's per-sample log; ``options``: option checks;
- ``bench_task``, ``growing`` and ``race_run``: the lm-eval side (``samples=``, rounds that ask
  only their new items, run files).

Pure numpy/stdlib except the last three (lm-eval through ``llmselect.bench``, imported lazily).
"""

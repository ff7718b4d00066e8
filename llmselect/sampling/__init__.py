"""Evaluate on a fraction of a benchmark and still say honestly what the full benchmark's score is.

- ``strata``: a seeded random sample stratified by subtask (proportional allocation), and the
  seeded random order of all items that sequential designs walk through;
- ``estimate``: the stratified estimator of the full-set score and its finite-population-corrected
  stderr, from a per-item log;
- ``confseq``: an anytime-valid confidence sequence for a mean of [0, 1] items drawn without
  replacement (valid although it is looked at after every round);
- ``race``: the paired elimination race between candidates on the same items;
- ``items``: per-item values out of lm-eval's per-sample log;
- ``rounds``: the lm-eval side: sizes of the (sub)tasks, rounds through ``samples=``.

Pure numpy/stdlib except ``rounds`` (lm-eval, imported lazily by its callers).
"""

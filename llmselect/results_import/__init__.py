"""``llmselect results import``: lm-eval's own output files become llmselect runs.

A team that ran lm-eval on its own cluster has ``results_<date>.json`` (and, with
``--log_samples``, ``samples_<task>_<date>.jsonl``) per model. Each results file becomes one run
file, matched to a catalog card, keeping what makes a score comparable (lm-eval version, task
versions and hashes, shots, limit, n-samples, stderr) and labelled *measured elsewhere*
(``RunResult.imported``), so ``recommend``, ``compare`` and ``gate`` use it like a local run and
refuse it when its settings differ, exactly as for two local runs.

Modules: ``lmeval_files`` reads and checks lm-eval's layout; ``convert`` turns one file into a
run (task results, samples, model match, hardware) and writes it.
"""

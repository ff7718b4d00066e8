"""One bench run: resolve the model, run each suite task through lm-eval, measure, write the result.

Shape of a run (WHY each step), one module each:
- ``plan``: everything that can be wrong with the input (model, suite, tasks, backend, data,
  output folder) is checked before the model loads, so a typo costs a second, not a model load;
- ``lmeval``: the only code that knows lm-eval: it loads the LM, calls ``simple_evaluate`` once
  per suite task with that task's own settings, and turns lm-eval's output dict into a
  ``TaskResult`` and a per-sample log;
- ``run``: the loop. lm-eval's request cache (``use_cache``, a sqlite file per task under
  ``<run_id>/partial/``) stores every computed request as it is computed, and the run file is
  rewritten after each task. Killed (Ctrl-C or kill -9), the same command finds the unfinished
  run by its ``resume_key``, keeps its finished tasks, and lm-eval replays cached requests:
  nothing finished is recomputed and the scores equal an uninterrupted run's;
- ``hooks``: the optional methods a backend's LM may offer (notes, its own speed probe, a
  stand-in task), declared once as a Protocol.
"""

from llmselect.bench.plan import BenchRequest, Plan, plan_bench, resume_key
from llmselect.bench.run import run_bench

__all__ = ["BenchRequest", "Plan", "plan_bench", "resume_key", "run_bench"]

"""lm-eval include_path folder: ``humaneval_sandboxed`` (lm-eval's humaneval, sandbox-scored).

Pass ``TASKS_DIR`` to ``lm_eval.tasks.TaskManager(include_path=...)``. It is a package only so
that ``TASKS_DIR`` can be found; lm-eval loads the YAML and its utils module by file path.
"""

from pathlib import Path

TASKS_DIR = Path(__file__).parent
TASK_NAME = "humaneval_sandboxed"

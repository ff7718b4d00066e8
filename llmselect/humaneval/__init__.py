"""HumanEval scored by llmselect's sandbox: data, jobs, pass@k, the scorer, the opt-in gate.

Light to import (no torch / lm_eval / datasets); the lm-eval task lives in ``llmselect/tasks``.
"""

from llmselect.humaneval.consent import (
    ENV_VAR,
    code_execution_allowed,
    require_code_execution_allowed,
)
from llmselect.humaneval.data import load_problems
from llmselect.humaneval.jobs import job, job_for_program, program, reference
from llmselect.humaneval.passatk import estimate_pass_at_k, pass_at_k
from llmselect.humaneval.scorer import HumanEvalScore, score_completions

__all__ = [
    "ENV_VAR", "HumanEvalScore", "code_execution_allowed", "estimate_pass_at_k", "job",
    "job_for_program", "load_problems", "pass_at_k", "program", "reference",
    "require_code_execution_allowed", "score_completions",
]

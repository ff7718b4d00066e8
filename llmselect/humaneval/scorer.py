"""Score HumanEval completions in the sandbox and compute pass@k.

The program and test are built exactly as lm-eval's ``humaneval`` task builds them: the
prediction is ``prompt + completion`` (its ``build_predictions`` filter) and the reference is
``test + "\\ncheck(" + entry_point + ")"`` (its ``doc_to_target``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict

from llmselect.humaneval.consent import require_code_execution_allowed
from llmselect.humaneval.passatk import pass_at_k
from llmselect.sandbox import Sandbox, SampleResult, SandboxLimits


def program_and_test(problem: Mapping, completion: str) -> tuple[str, str]:
    return problem["prompt"] + completion, f"{problem['test']}\ncheck({problem['entry_point']})"


class HumanEvalScore(BaseModel):
    """pass@k plus every sample's verdict and the isolation it ran under."""

    model_config = ConfigDict(extra="forbid")

    pass_at: dict[str, float]
    samples: dict[str, list[SampleResult]]
    isolation: dict


def score_completions(
    problems: Sequence[Mapping],
    completions: Mapping[str, Sequence[str]],
    k: Sequence[int] = (1,),
    limits: SandboxLimits | None = None,
    workers: int | None = None,
) -> HumanEvalScore:
    """Run every completion of every listed problem; problems without completions are skipped."""
    require_code_execution_allowed()
    by_id = {p["task_id"]: p for p in problems}
    keys = [(tid, c) for tid in completions for c in completions[tid]]
    jobs = [program_and_test(by_id[tid], c) for tid, c in keys]
    with Sandbox(workers=workers, limits=limits) as sandbox:
        results = sandbox.run_many(jobs)
        isolation = sandbox.isolation
    samples: dict[str, list[SampleResult]] = {tid: [] for tid in completions}
    for (tid, _), result in zip(keys, results):
        samples[tid].append(result)
    correct = [[r.passed for r in rs] for rs in samples.values()]
    return HumanEvalScore(pass_at={f"pass@{n}": pass_at_k(correct, n) for n in k},
                          samples=samples, isolation=isolation)

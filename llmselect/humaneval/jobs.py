"""The one place a HumanEval problem and a completion become a sandbox job.

lm-eval's ``humaneval`` task builds the program as ``prompt + completion`` (its
``build_predictions`` filter) and the test as ``test + "\\ncheck(" + entry_point + ")"`` (its
``doc_to_target``); we keep both, and add what the sandbox's two-process design needs: the test
runs next to the prompt (trusted benchmark text: the imports and helpers such as ``poly`` that some
tests use), never next to the completion, and reaches the completion only through ``entry_point``.
WHY the prompt and not the program as the test's prelude: a completion that redefines a helper the
test relies on (``encode_cyclic``, ``poly``) cannot change what the test computes.
"""

from __future__ import annotations

from collections.abc import Mapping

from llmselect.sandbox import Job


def program(problem: Mapping, completion: str) -> str:
    """What the model's code is: lm-eval's prediction."""
    return problem["prompt"] + completion


def reference(problem: Mapping) -> str:
    """What judges it: lm-eval's target."""
    return f"{problem['test']}\ncheck({problem['entry_point']})"


def job_for_program(problem: Mapping, full_program: str) -> Job:
    """The sandbox job for an already assembled program (lm-eval hands us ``prompt + completion``)."""
    return Job(program=full_program, test=reference(problem), prelude=problem["prompt"],
               calls=(problem["entry_point"],))


def job(problem: Mapping, completion: str) -> Job:
    """The sandbox job for one completion of one problem."""
    return job_for_program(problem, program(problem, completion))

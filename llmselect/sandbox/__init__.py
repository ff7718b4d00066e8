"""Sandboxed execution of untrusted generated code (HumanEval completions and the like).

``Sandbox().run_many([Job(...), ...])`` -> ``SampleResult`` per job, with the isolation in
effect recorded on each. See ``pool`` (parent side) and ``worker/`` (the stdlib-only child side).
"""

from llmselect.sandbox.limits import Job, SampleResult, SandboxLimits
from llmselect.sandbox.pool import Sandbox

__all__ = ["Job", "Sandbox", "SandboxLimits", "SampleResult"]

"""Sandboxed execution of untrusted generated code (HumanEval completions and the like).

``Sandbox().run_many([(program, test), ...])`` -> ``SampleResult`` per pair, with the isolation in
effect recorded on each. See ``pool`` (parent side) and ``worker/`` (the stdlib-only child side).
"""

from llmselect.sandbox.limits import SampleResult, SandboxLimits
from llmselect.sandbox.pool import Sandbox

__all__ = ["Sandbox", "SandboxLimits", "SampleResult"]

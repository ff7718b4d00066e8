"""What a criterion function returns, and the scale helpers every criterion uses."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


@dataclass
class CriterionResult:
    score: float | None
    facts: dict[str, Any] = field(default_factory=dict)
    provenance: str = "published"   # published | measured | estimated | mixed | unknown
    sources: list[str] = field(default_factory=list)
    stderr: float = 0.0              # uncertainty of the score itself, in score units
    no_facts: bool = False           # estimated without a single fact of the model's own
    parts: list[tuple[str, float | None, float]] = field(default_factory=list)
    """(name, score or None, weight) of a criterion that combines several facts: the pipeline
    fills an unknown part with the field's median (``fill_unknown_parts``)."""


def clip01(x: float) -> float:
    return min(1.0, max(0.0, x))


def log_scale(value: float, low: float, high: float) -> float:
    """0 at ``low``, 1 at ``high``, logarithmic between (a 2x change matters the same anywhere)."""
    return clip01(math.log(value / low) / math.log(high / low)) if value > 0 else 0.0

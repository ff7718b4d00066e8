"""The one strict pydantic base: every file a user or llmselect writes is validated against it.

WHY ``extra="forbid"``: a typo in a profile, a card or a result file must be an error that names
the field, never a silently ignored key. Frozen variants are for values shared across a run
(catalog cards, model specs) that nothing may mutate after loading.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """Unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")


class FrozenStrictModel(BaseModel):
    """Unknown keys are errors, and instances are immutable (and hashable)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

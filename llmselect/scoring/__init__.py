"""Scoring: hard constraints, criteria in [0, 1], weighted ranking with uncertainty.

``rank_catalog(profile, catalog, runs) -> Recommendation`` is the entry point; see
``llmselect.scoring.pipeline`` for the pipeline and ``result`` for the output fields.
"""

from llmselect.scoring.pipeline import rank_catalog
from llmselect.scoring.result import Recommendation

__all__ = ["rank_catalog", "Recommendation"]

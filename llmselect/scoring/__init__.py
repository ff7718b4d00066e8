"""Scoring: hard constraints, criteria in [0, 1], weighted ranking with uncertainty.

``recommend(profile, catalog, runs) -> Recommendation`` is the entry point; see
``llmselect.scoring.recommend`` for the pipeline and ``result`` for the output fields.
"""

from llmselect.scoring.recommend import recommend
from llmselect.scoring.result import Recommendation

__all__ = ["recommend", "Recommendation"]

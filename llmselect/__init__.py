"""llmselect: choose which large language model to deploy.

Kept import-free on purpose: `llmselect --help`, `recommend`, `models` must start fast and never
pull torch, transformers or lm-eval.
"""

__version__ = "0.1.0"

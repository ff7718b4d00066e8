"""Profile texts the profile and recommend tests share."""

BUILTIN = ["chatbot-en", "chatbot-en-local", "chatbot-fr-enterprise", "code-assistant",
           "agents-reasoning", "budget-prototype", "edge-mobile", "multilingual-general",
           "public-sector-sovereign"]

GOOD = """
description: test org
use_case: tests
criteria:
  weights: {quality: 1, cost: 1}
  quality_benchmarks: {mmlu: 1}
"""

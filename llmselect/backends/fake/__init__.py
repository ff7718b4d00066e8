"""The deterministic fake model for tests and ``--dry-run``: ``args`` (pure), ``lm`` (registers
``llmselect-fake``)."""

"""pydantic models for everything read from YAML (model cards, vendor cards, profiles, suites),
and YAML loading that reports errors as ``file: field.path: message`` in one line."""

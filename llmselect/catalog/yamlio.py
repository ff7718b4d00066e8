"""YAML reading for the catalog: libyaml's C loader when available (the catalog is read on every
``recommend``/``models`` start, so parse time is part of the < 1 s cold-start budget)."""

from __future__ import annotations

from pathlib import Path

import yaml

from llmselect.errors import UserError

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml_fast(path: Path) -> object:
    """Parsed YAML, or a one-line UserError naming the file (and line) on failure."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UserError(f"{path}: malformed YAML{where}: {problem}") from None

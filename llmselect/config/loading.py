"""YAML -> validated pydantic object, with one-line errors that name file and field."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from llmselect.errors import UserError

M = TypeVar("M", bound=BaseModel)


def read_yaml(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UserError(f"{path}: malformed YAML{where}: {problem}") from None


def format_validation_error(source: str, exc: ValidationError,
                            model: type[BaseModel] | None = None) -> str:
    """First error as 'source: field.path: message' (+ how many more)."""
    errors = exc.errors()
    first = errors[0]
    loc = ".".join(str(p) for p in first["loc"]) or "(top level)"
    msg = first["msg"]
    if first["type"] == "extra_forbidden":
        msg = "unknown field"
        fields = _allowed_fields(exc, first["loc"], model)
        if fields:
            from llmselect.errors import did_you_mean

            msg += did_you_mean(str(first["loc"][-1]), fields)
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{source}: {loc}: {msg}{more}"


def _allowed_fields(exc: ValidationError, loc: tuple,
                    model: type[BaseModel] | None = None) -> list[str]:
    """Field names allowed beside an unknown one, for 'did you mean' (walks nested models)."""
    model = model or getattr(exc, "_llmselect_model", None)
    for part in loc[:-1]:
        field = model.model_fields.get(part) if model else None
        annotation = getattr(field, "annotation", None)
        candidates = [annotation, *getattr(annotation, "__args__", ())]
        model = next((c for c in candidates
                      if isinstance(c, type) and issubclass(c, BaseModel)), None)
    return sorted(model.model_fields) if model else []


def validate(model: type[M], data: object, source: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise UserError(format_validation_error(source, exc, model)) from None


def load_yaml_model(model: type[M], path: Path) -> M:
    return validate(model, read_yaml(path), str(path))

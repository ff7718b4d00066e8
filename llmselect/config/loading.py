"""YAML -> validated pydantic object, with one-line errors that name file and field.

The one YAML reader of llmselect (profiles, suites, catalog cards): libyaml's C loader when
available, since the catalog is read on every ``recommend``/``models`` start and a profile may
be large; files past ``fileio.MAX_TEXT_BYTES`` are refused before parsing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar, get_args

import yaml
from pydantic import BaseModel, ValidationError

from llmselect.errors import UserError, did_you_mean
from llmselect.fileio import read_text

M = TypeVar("M", bound=BaseModel)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path, what: str = "file") -> object:
    """Parsed YAML, or a one-line UserError naming the file (and line) on failure."""
    text = read_text(path, what)
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UserError(f"{path}: malformed YAML{where}: {problem}") from None
    except RecursionError:
        raise UserError(f"{path}: YAML nested too deeply to be a llmselect {what}") from None


def format_validation_error(source: str, exc: ValidationError,
                            model: type[BaseModel] | None = None) -> str:
    """First error as 'source: field.path: message' (+ how many more); an unknown field gets
    'did you mean' from the fields allowed where it sits."""
    errors = exc.errors()
    first = errors[0]
    loc = ".".join(str(p) for p in first["loc"]) or "(top level)"
    msg = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        msg = "unknown field"
        holder = model_at(model, first["loc"]) if model else None
        if holder is not None:
            msg += did_you_mean(str(first["loc"][-1]), sorted(holder.model_fields))
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{source}: {loc}: {msg}{more}"


def model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The (nested) pydantic model that holds the last field of ``loc``; walks list indices and
    Optional/generic wrappers (``scores.0.shot`` -> PublishedScore)."""
    current: type[BaseModel] | None = model
    for part in loc[:-1]:
        if current is not None and isinstance(part, str) and part in current.model_fields:
            current = _inner_model(current.model_fields[part].annotation)
    return current


def _inner_model(annotation: object) -> type[BaseModel] | None:
    """Sourced[bool] -> Sourced[bool]; list[PublishedScore] | None -> PublishedScore."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def kind_of(data: object) -> str:
    """What a YAML/JSON value is, in the words of the format: 'a list', 'a number'..."""
    names = {dict: "a mapping", list: "a list", str: "a string", bool: "true/false",
             int: "a number", float: "a number", type(None): "empty"}
    return names.get(type(data), type(data).__name__)


def validate(model: type[M], data: object, source: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise UserError(format_validation_error(source, exc, model)) from None
    except RecursionError:
        raise UserError(f"{source}: nested too deeply") from None


def load_yaml_model(model: type[M], path: Path, what: str = "file") -> M:
    return validate(model, read_yaml(path, what), str(path))

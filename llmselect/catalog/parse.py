"""YAML files -> validated cards. Errors are one line: ``file: field.path: message``."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from llmselect.config.loading import format_validation_error, read_yaml
from llmselect.errors import UserError

M = TypeVar("M", bound=BaseModel)
SPECIAL_FILES = {"sources.yaml", "vendors.yaml"}


def validate_entry(model: type[M], data: object, where: str, prefix: str = "") -> M:
    """Validate one card; the error names the file and the field (``prefix.`` for mapping keys)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        line = format_validation_error(where, exc, model)
        if prefix:
            head, _, rest = line.partition(": ")
            line = f"{head}: {prefix}.{rest}"
        raise UserError(line) from None


def read_mapping(path: Path, key_field: str, model: type[M]) -> dict[str, M]:
    """A ``key: {fields}`` file (sources.yaml, vendors.yaml) -> {key: card}."""
    data = read_yaml(path)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UserError(f"{path}: (top level): expected a mapping of {key_field} -> fields")
    out: dict[str, M] = {}
    for key, entry in data.items():
        if isinstance(entry, dict):
            entry = {key_field: str(key), **entry}
        out[str(key)] = validate_entry(model, entry, str(path), prefix=str(key))
    return out


def merged(folders: list[Path], name: str, model: type[M], key_field: str) -> dict[str, M]:
    """The same file from every folder; earlier folders win key by key."""
    out: dict[str, M] = {}
    for folder in reversed(folders):
        path = folder / name
        if path.is_file():
            out.update(read_mapping(path, key_field, model))
    return out


def card_files(folder: Path) -> list[Path]:
    files = [*folder.glob("*.yaml"), *folder.glob("*.yml"), *(folder / "models").glob("*.yaml")]
    return sorted(p for p in files if p.name not in SPECIAL_FILES)


def model_cards(folders: list[Path]) -> tuple[dict, dict[str, Path]]:
    """Every model card; a folder listed earlier shadows a later one with the same id."""
    from llmselect.config.catalog_schema import ModelCard

    models: dict[str, ModelCard] = {}
    origins: dict[str, Path] = {}
    for folder in folders:
        seen_here: dict[str, Path] = {}
        for path in card_files(folder):
            card = validate_entry(ModelCard, read_yaml(path), str(path))
            if card.id in seen_here:
                raise UserError(f"{path}: id: {card.id!r} is also the id in {seen_here[card.id]}")
            seen_here[card.id] = path
            if card.id not in models:
                models[card.id] = card
                origins[card.id] = path
    return models, origins

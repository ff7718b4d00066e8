"""Cross-file checks pydantic cannot do: cited sources exist, vendors exist, names are unique,
score benchmarks are known. Each failure is one line naming the file and the field."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel

from llmselect.config.catalog_schema import ModelCard, Source, VendorCard
from llmselect.errors import UserError, did_you_mean


def cited_sources(obj: object, path: str = "") -> Iterator[tuple[str, str]]:
    """(field.path, source key) for every ``source`` field anywhere inside a card."""
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            value = getattr(obj, name)
            where = f"{path}.{name}" if path else name
            if name == "source" and isinstance(value, str):
                yield where, value
            else:
                yield from cited_sources(value, where)
    elif isinstance(obj, (list, tuple)):
        for i, item in enumerate(obj):
            yield from cited_sources(item, f"{path}.{i}")
    elif isinstance(obj, dict):
        for key, item in obj.items():
            yield from cited_sources(item, f"{path}.{key}")


def check_sources(card: BaseModel, where: str, sources: dict[str, Source]) -> None:
    for field_path, key in cited_sources(card):
        if key not in sources:
            raise UserError(f"{where}: {field_path}: unknown source {key!r}"
                            f"{did_you_mean(key, sources)}; add it to sources.yaml")


def check_scores(card: ModelCard, where: str) -> None:
    from llmselect.catalog.benchmarks import BENCHMARKS, find_benchmark

    for i, score in enumerate(card.scores):
        bench = find_benchmark(score.benchmark)
        if bench is None:
            raise UserError(f"{where}: scores.{i}.benchmark: unknown benchmark "
                            f"{score.benchmark!r}{did_you_mean(score.benchmark, BENCHMARKS)}")
        if not 0 <= score.value <= bench.scale:
            raise UserError(f"{where}: scores.{i}.value: {score.value} is outside 0-{bench.scale:g}"
                            f" ({bench.name} is published on that scale)")


def name_index(models: dict[str, ModelCard], origins: dict[str, Path],
               builtin_dir: Path | None = None) -> dict[str, str]:
    """lower-cased id/alias -> id; an alias naming two models is an error. Built-in cards are
    indexed first, so a clash is reported on the user's card: the one the user can change."""
    names = {model_id.lower(): model_id for model_id in models}

    def user_last(model_id: str) -> bool:
        return not (builtin_dir and origins[model_id].is_relative_to(builtin_dir))

    for model_id in sorted(models, key=user_last):
        card = models[model_id]
        for i, alias in enumerate(card.aliases):
            other = names.setdefault(alias.lower(), model_id)
            if other == model_id:
                continue
            if user_last(other) and not user_last(model_id):  # a user id equals a built-in alias
                raise UserError(f"{origins[other]}: id: {other!r} is already an alias of built-in "
                                f"model {model_id!r} ({origins[model_id]}); choose another id")
            raise UserError(f"{origins[model_id]}: aliases.{i}: {alias!r} already names model "
                            f"{other!r} ({origins[other]}); choose another alias")
    return names


def check_all(models: dict[str, ModelCard], origins: dict[str, Path],
              vendors: dict[str, VendorCard], sources: dict[str, Source],
              builtin_dir: Path | None = None) -> dict[str, str]:
    for vendor_id, vendor in vendors.items():
        check_sources(vendor, f"vendors.yaml: {vendor_id}", sources)
    for model_id, card in models.items():
        where = str(origins[model_id])
        if card.vendor not in vendors:
            raise UserError(f"{where}: vendor: unknown vendor {card.vendor!r}"
                            f"{did_you_mean(card.vendor, vendors)}; add it to vendors.yaml")
        check_sources(card, where, sources)
        check_scores(card, where)
    return name_index(models, origins, builtin_dir)

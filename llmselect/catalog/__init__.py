"""The model catalog: built-in cards (package data) plus the user's own, validated and cross-checked.

Why cross-checks beyond pydantic: the catalog's promise is that every fact names its source and
every card names a real vendor, so a typo in a source key must fail loudly at load time rather
than show up as an unexplained fact in a recommendation.

User folders come from ``$LLMSELECT_CATALOG_PATH`` (os.pathsep-separated) and are searched first:
a card with the same id replaces the built-in one. A user folder holds model cards (``*.yaml``,
also under ``models/``) and may hold its own ``sources.yaml`` and ``vendors.yaml``, merged over the
built-ins, so user cards can cite their own sources (an internal evaluation, a vendor contract).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from llmselect.config.catalog_schema import ModelCard, Source, VendorCard
from llmselect.errors import unknown

BUILTIN_DIR = Path(__file__).resolve().parent
ENV_VAR = "LLMSELECT_CATALOG_PATH"


@dataclass
class Catalog:
    models: dict[str, ModelCard]
    vendors: dict[str, VendorCard]
    sources: dict[str, Source]
    origins: dict[str, Path] = field(default_factory=dict)
    """model id -> the file its card came from (user folder or built-in)."""
    _names: dict[str, str] = field(default_factory=dict)
    """lower-cased id or alias -> model id."""

    def find_model(self, name: str) -> ModelCard | None:
        model_id = self._names.get(name.strip().lower())
        return self.models[model_id] if model_id else None

    def get_model(self, name: str) -> ModelCard:
        card = self.find_model(name)
        if card is None:
            raise unknown("model", name, self._names, hint="see `llmselect models` for the catalog")
        return card

    @property
    def benchmarks(self) -> dict:
        """The benchmarks the catalog's scores are published on (chance, scale, stderr)."""
        from llmselect.catalog.benchmarks import BENCHMARKS

        return BENCHMARKS

    def vendor(self, card: ModelCard) -> VendorCard:
        return self.vendors[card.vendor]

    def is_builtin(self, model_id: str) -> bool:
        return self.origins.get(model_id, BUILTIN_DIR).is_relative_to(BUILTIN_DIR)


def user_dirs() -> tuple[Path, ...]:
    """``$LLMSELECT_CATALOG_PATH``'s folders; checked as every search path is
    (``llmselect.resources.user_folders``: a folder that is not there is an error)."""
    from llmselect.resources import user_folders

    return tuple(user_folders("catalog"))


def load_catalog() -> Catalog:
    """The catalog for the current ``$LLMSELECT_CATALOG_PATH`` (cached per value)."""
    return _load(user_dirs())


@functools.cache
def _load(dirs: tuple[Path, ...]) -> Catalog:
    from llmselect.catalog import checks, parse

    folders = [*dirs, BUILTIN_DIR]
    sources = parse.merged(folders, "sources.yaml", Source, "key")
    vendors = parse.merged(folders, "vendors.yaml", VendorCard, "id")
    models, origins = parse.model_cards(folders)
    names = checks.check_all(models, origins, vendors, sources, BUILTIN_DIR)
    return Catalog(models=models, vendors=vendors, sources=sources, origins=origins, _names=names)


def clear_cache() -> None:
    """Forget loaded catalogs (tests that edit user folders in place)."""
    _load.cache_clear()


__all__ = ["Catalog", "load_catalog", "clear_cache", "user_dirs"]

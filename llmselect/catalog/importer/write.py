"""Write (or refresh) an imported card into a user catalog folder.

- Folder: ``--output``, else the first folder of ``$LLMSELECT_CATALOG_PATH``.
- Id: ``--id``, else derived from the model's name; a built-in id or alias is refused (a user
  card with that id would silently replace the built-in one), as is a card already in the folder
  unless ``--update``.
- Vendor: ``--vendor``, else the organisation the source names when the catalog knows it (hub
  org or vendor name), else a vendor card added to the folder's ``vendors.yaml`` with every
  vendor fact unknown.
- ``--update``: each field's value is hashed when written (``imported.fields``); a field whose
  current value still has that hash is refreshed, any other (edited, removed or added by a
  person) is kept as it is.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from llmselect.catalog.importer import ImportedFacts, slug
from llmselect.errors import UserError

#: Hub organisations whose vendor card is built in under another id.
ORG_VENDORS = {"meta-llama": "meta", "facebook": "meta", "mistralai": "mistral", "qwen": "alibaba",
               "alibaba-nlp": "alibaba", "deepseek-ai": "deepseek", "huggingfacetb": "huggingface",
               "google": "google", "microsoft": "microsoft", "lightonai": "lighton"}
UNKNOWN_VENDOR = "unknown-vendor"


@dataclass
class WriteResult:
    path: Path
    model_id: str
    created: bool
    refreshed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    """Fields a person edited since the last import: left as they are."""
    warnings: list[str] = field(default_factory=list)


def value_hash(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def target_folder(output: Path | None) -> Path:
    from llmselect.catalog import ENV_VAR
    from llmselect.resources import user_folders

    if output is not None:
        return Path(output).expanduser()
    dirs = user_folders("catalog", create_first=True)
    if not dirs:
        raise UserError(f"models import: nowhere to write the card; pass --output DIR or set "
                        f"{ENV_VAR} to your cards folder")
    return dirs[0]


def write_card(facts: ImportedFacts, folder: Path, *, model_id: str | None = None,
               vendor: str | None = None, update: bool = False) -> WriteResult:
    from llmselect.catalog import _load, clear_cache, user_dirs

    folder.mkdir(parents=True, exist_ok=True)
    dirs = (folder, *[d for d in user_dirs() if d != folder])
    clear_cache()
    catalog = _load(dirs)
    new_id = slug(model_id) if model_id else facts.default_id
    if not new_id:
        raise UserError("models import: --id must contain letters or digits")
    path = _check_id(catalog, new_id, folder, update, facts.spec)
    vendor_id, vendor_entry = _vendor(catalog, vendor, facts)
    new_fields = {"name": facts.name, "vendor": vendor_id, **facts.fields}
    result = WriteResult(path, new_id, created=not path.is_file(), warnings=list(facts.warnings))
    if path.is_file():
        card = _refresh(path, new_fields, result)
    else:
        card = {"id": new_id, **new_fields}
        card["imported"] = {"spec": facts.spec, "at": _now(),
                            "fields": {k: value_hash(v) for k, v in new_fields.items()}}
        result.refreshed = list(new_fields)
    _validate(card, path)
    _merge_mapping(folder / "sources.yaml", facts.sources)
    if vendor_entry:
        _merge_mapping(folder / "vendors.yaml", vendor_entry, keep_existing=True)
    _write_yaml(path, card)
    clear_cache()
    _load(dirs)  # the folder must still load: sources cited, vendor known, names unique
    return result


def _check_id(catalog, new_id: str, folder: Path, update: bool, spec: str) -> Path:
    path = folder / f"{new_id}.yaml"
    found = catalog.find_model(new_id)
    if found is not None:
        origin = catalog.origins[found.id]
        if catalog.is_builtin(found.id):
            what = "is" if found.id == new_id else "is an alias of"
            raise UserError(f"models import {spec}: id {new_id!r} {what} the built-in card "
                            f"{found.id!r}; pass --id with another id (a user card with that id "
                            "would replace the built-in one)")
        if origin.resolve() != path.resolve():
            raise UserError(f"models import {spec}: id {new_id!r} is already the card "
                            f"{origin}; pass --id with another id")
    if path.is_file() and not update:
        raise UserError(f"models import {spec}: {path} already exists; pass --update to refresh "
                        "the facts nobody edited, or --id for a new card")
    if update and not path.is_file():
        raise UserError(f"models import {spec} --update: no card {path} to refresh; drop "
                        "--update to create it")
    return path


def _vendor(catalog, vendor: str | None, facts: ImportedFacts) -> tuple[str, dict]:
    """(vendor id, vendors.yaml entries to add)."""
    from llmselect.errors import unknown

    if vendor:
        if vendor in catalog.vendors:
            return vendor, {}
        raise unknown("vendor", vendor, catalog.vendors,
                      hint="see `llmselect models show` for vendor ids, or add it to vendors.yaml")
    hint = (facts.vendor_hint or "").strip()
    if hint:
        low = hint.lower()
        if ORG_VENDORS.get(low) in catalog.vendors:
            return ORG_VENDORS[low], {}
        for vid, card in catalog.vendors.items():
            if low in (vid.lower(), card.name.lower()):
                return vid, {}
        vid = slug(hint)
        return vid, {vid: {"name": hint, "notes": [
            f"Added by llmselect models import from {facts.spec}: the source names this "
            "organisation, nothing else is known about it (jurisdiction, vendor grid)."]}}
    return UNKNOWN_VENDOR, {UNKNOWN_VENDOR: {"name": "Unknown vendor", "notes": [
        "The imported source names no vendor; set vendor: in the card to a vendor id."]}}


def _refresh(path: Path, new_fields: dict[str, Any], result: WriteResult) -> dict[str, Any]:
    from llmselect.config.loading import read_yaml

    card = read_yaml(path)
    record = card.get("imported") if isinstance(card, dict) else None
    if not isinstance(record, dict) or not isinstance(record.get("fields"), dict):
        raise UserError(f"{path}: this card was not written by `llmselect models import` (no "
                        "imported: record), so --update cannot tell edited facts; edit it by hand")
    hashes: dict[str, str] = dict(record["fields"])
    for name in dict.fromkeys([*new_fields, *hashes]):
        current = card.get(name)
        written = hashes.get(name)
        untouched = written == value_hash(current) if written else current is None
        if not untouched:
            result.kept.append(name)
            continue
        new = new_fields.get(name)
        if new is None:
            card.pop(name, None)
            hashes.pop(name, None)
        else:
            card[name] = new
            hashes[name] = value_hash(new)
        if new != current:
            result.refreshed.append(name)
    card.pop("imported", None)
    card["imported"] = {"spec": record.get("spec"), "at": _now(), "fields": hashes}
    return card


def _validate(card: dict, path: Path) -> None:
    from llmselect.catalog.parse import validate_entry
    from llmselect.config.catalog_schema import ModelCard

    validate_entry(ModelCard, card, str(path))


def _merge_mapping(path: Path, entries: dict[str, dict], keep_existing: bool = False) -> None:
    """Add ``entries`` to a ``key: {fields}`` YAML file; rewritten only when something changes
    (an existing key keeps a person's version when ``keep_existing``)."""
    from llmselect.config.loading import read_yaml

    if not entries:
        return
    current = read_yaml(path) if path.is_file() else None
    current = current if isinstance(current, dict) else {}
    merged = dict(current)
    for key, entry in entries.items():
        if not (keep_existing and key in current):
            merged[key] = entry
    if merged != current:
        _write_yaml(path, merged)


def _write_yaml(path: Path, data: dict) -> None:
    from llmselect.fileio import atomic_write_text

    atomic_write_text(path, yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()

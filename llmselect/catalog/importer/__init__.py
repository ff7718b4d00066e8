"""``llmselect models import``: a user model card from where the model lives.

Pipeline (one module per step): a reader (``gguf.py`` for a .gguf file or an Ollama model,
``hf.py`` for a hub repository or its offline cache) turns the source into ``ImportedFacts``
(card fields, each with the source key it was read from, plus the source entries); then
``write.py`` resolves id and vendor, refuses clashes, and writes or refreshes the card, keeping
per field a hash of what it wrote so ``--update`` never overwrites a fact a person edited.

WHY facts and sources travel together: a card's promise is that every fact names where it was
read (``models show``), and a fact the source does not give stays absent, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmselect.errors import UserError


@dataclass
class ImportedFacts:
    spec: str
    """What was imported, as typed: 'hf:org/name', 'ollama:smollm2:135m', a .gguf path."""
    default_id: str
    name: str
    fields: dict[str, Any]
    """Card field -> its YAML value (Sourced facts as {value, source, note})."""
    sources: dict[str, dict[str, Any]]
    """Source key -> entry for sources.yaml (title, kind, url, note)."""
    vendor_hint: str | None = None
    """Organisation named by the source (hub org, GGUF general.organization)."""
    warnings: list[str] = field(default_factory=list)


def sourced(value: Any, source: str, note: str | None = None) -> dict[str, Any]:
    out = {"value": value, "source": source}
    if note:
        out["note"] = note
    return out


def slug(text: str) -> str:
    """A catalog id from a name: lower case, runs of other characters -> '-'."""
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-.")


def read_source(spec: str) -> ImportedFacts:
    """Dispatch on the form of ``spec``: ``hf:org/name``, ``ollama:NAME[:TAG]``, a GGUF path."""
    text = spec.strip()
    if text.startswith("hf:"):
        from llmselect.catalog.importer.hf import read_hf

        return read_hf(text[3:])
    if text.startswith("ollama:"):
        from llmselect.catalog.importer.gguf import read_ollama

        return read_ollama(text[len("ollama:"):])
    path = Path(text).expanduser()
    if path.suffix.lower() == ".gguf" or path.is_file():
        from llmselect.catalog.importer.gguf import read_gguf_file

        return read_gguf_file(path)
    raise UserError(f"cannot import {spec!r}: give hf:ORG/NAME (hub or hub cache), "
                    "ollama:NAME[:TAG] (the Ollama store) or the path of a .gguf file")

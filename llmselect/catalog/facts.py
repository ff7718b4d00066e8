"""A model card as flat ``fact / value / source / note`` rows, for ``models show`` and reports.

Why flat rows: the one thing a reader must be able to check is where each fact comes from, so
every row carries its source key; facts the sources do not give are listed as unknown rather
than silently missing.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from llmselect.config.catalog_schema import (
    ModelCard,
    PublishedScore,
    Sourced,
    VendorCard,
)

Row = dict[str, Any]
_PLAIN = ("id", "name", "aliases", "family")
_COMPOSITE = ("price", "training", "ecosystem", "architecture")


def _row(fact: str, value: Any, source: str | None = None, note: str | None = None) -> Row:
    return {"fact": fact, "value": value, "source": source, "note": note}


def _fmt(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def score_label(score: PublishedScore) -> str:
    setting = []
    if score.shots is not None:
        setting.append(f"{score.shots}-shot")
    if score.cot:
        setting.append("CoT")
    return f"score: {score.benchmark}" + (f" ({', '.join(setting)})" if setting else "")


def _composite(name: str, obj: BaseModel) -> Row:
    parts = {k: v for k, v in obj.model_dump(exclude_none=True).items()
             if k not in ("source", "note")}
    text = ", ".join(f"{k}={v}" for k, v in parts.items())
    return _row(name, text, getattr(obj, "source", None), getattr(obj, "note", None))


def _field_rows(card: ModelCard, name: str) -> list[Row]:
    value = getattr(card, name)
    if name == "scores":
        return [_row(score_label(s), s.value, s.source, s.note) for s in value]
    if name == "hardware_quoted":
        return [_row("hardware quoted", h.value, h.source, h.note) for h in value]
    if name == "weights":
        return [_row(f"weights.{k}", v) for k, v in value.model_dump(exclude_none=True).items()]
    if name == "notes":
        return [_row("note", n) for n in value]
    if name == "imported":
        return [_row("imported", f"{value.spec} at {value.at}", None,
                     "`models import --update` refreshes only facts nobody edited since")]
    if isinstance(value, Sourced):
        return [_row(name, _fmt(value.value), value.source, value.note)]
    if name in _COMPOSITE:
        return [_composite(name, value)]
    return [_row(name, value)]


def model_rows(card: ModelCard, vendor: VendorCard | None = None) -> list[Row]:
    """Every fact of a card (then its vendor's), in card order; absent facts as one 'unknown' row."""
    rows: list[Row] = []
    unknown: list[str] = []
    for name in type(card).model_fields:
        value = getattr(card, name)
        if value is None or (value == [] and name not in _PLAIN):
            if name != "imported":  # bookkeeping, not a fact
                unknown.append(name)
            continue
        if name == "vendor" and vendor is not None:
            rows.append(_row("vendor", f"{vendor.name} ({vendor.id})"))
            continue
        rows.extend(_field_rows(card, name))
    if vendor is not None:
        rows.extend(vendor_rows(vendor))
    if unknown:
        rows.append(_row("not stated by the sources", ", ".join(unknown)))
    return rows


def vendor_rows(vendor: VendorCard) -> list[Row]:
    rows: list[Row] = []
    for name in ("jurisdiction", "eu_based"):
        fact = getattr(vendor, name)
        if fact is not None:
            rows.append(_row(f"vendor.{name}", _fmt(fact.value), fact.source, fact.note))
    for key, entry in vendor.grid.items():
        rows.append(_row(f"vendor.grid.{key}", f"{entry.answer} ({entry.text})", entry.source))
    rows.extend(_row("vendor.note", note) for note in vendor.notes)
    return rows


def cited_source_keys(*objs: BaseModel) -> list[str]:
    from llmselect.catalog.checks import cited_sources

    return sorted({key for obj in objs for _, key in cited_sources(obj)})

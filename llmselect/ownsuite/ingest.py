"""Check an evaluation file row by row and write it as normalised JSONL for lm-eval.

Every problem is one line naming the file, the row and the column, and how to fix it; nothing
is written unless the whole file is good (the output appears by an atomic rename at the end).
Normalised item: ``id, question, answer, context, tags, must_pass`` (+ ``choices, gold`` for
multiple-choice, ``pattern`` for the regex metric).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmselect.errors import UserError
from llmselect.ownsuite.readers import read_columns_and_rows

FIELDS = ("id", "question", "answer", "context", "choices", "tags", "must_pass", "pattern")
#: Column names recognised without --map (compared case-insensitively), in order of preference.
ALIASES = {
    "id": ["id", "item_id", "uid", "key"],
    "question": ["question", "q", "prompt", "input", "query", "instruction"],
    "answer": ["answer", "a", "expected", "expected_answer", "reference", "target", "output", "gold"],
    "context": ["context", "ctx", "passage", "document"],
    "choices": ["choices", "options", "opts"],
    "tags": ["tags", "tag", "category", "cat", "topic"],
    "must_pass": ["must_pass"],
    "pattern": ["pattern", "regex"],
}
OPTIONAL = {"context", "tags", "must_pass"}
DEFAULT_MAX_ITEMS = 100_000
_TRUE, _FALSE = {"true", "1", "yes", "y"}, {"false", "0", "no", "n", ""}
_NUMBER = re.compile(r"^[-+]?(\d+([.,]\d+)?|[.,]\d+)([eE][-+]?\d+)?$")


@dataclass
class IngestResult:
    items: int
    columns: dict[str, str]
    n_choices: int | None = None
    tags: dict[str, int] = field(default_factory=dict)


def parse_map(text: str | None) -> dict[str, str]:
    """``question=q,answer=a`` -> {'question': 'q', 'answer': 'a'}."""
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        key, sep, col = part.partition("=")
        key, col = key.strip(), col.strip()
        if not sep or not col:
            raise UserError(f"--map: {part!r} is not FIELD=COLUMN (e.g. --map question=q,answer=a)")
        if key not in FIELDS:
            raise UserError(f"--map: unknown field {key!r}; fields: {', '.join(FIELDS)}")
        out[key] = col
    return out


def resolve_columns(path: Path, header: list[str], mapping: dict[str, str], kind: str,
                    metrics: list[str]) -> dict[str, str]:
    """field -> column: the user's --map, else a recognised column name."""
    lower = {h.lower(): h for h in header}
    cols = {}
    for fld in FIELDS:
        if fld in mapping:
            if mapping[fld] not in header:
                raise UserError(f"{path}: header: no column {mapping[fld]!r} (from --map "
                                f"{fld}={mapping[fld]}); columns: {', '.join(header)}")
            cols[fld] = mapping[fld]
        else:
            found = next((lower[a] for a in ALIASES[fld] if a in lower), None)
            if found:
                cols[fld] = found
    required = ["question", "answer"] + (["choices"] if kind == "multiple-choice" else []) + (
        ["pattern"] if "regex" in metrics else [])
    for fld in required:
        if fld not in cols:
            raise UserError(f"{path}: header: no {fld} column (columns: {', '.join(header)}); "
                            f"name one with --map {fld}=COLUMN")
    return cols


def ingest(path: Path, out: Path, kind: str, mapping: dict[str, str], metrics: list[str],
           max_items: int = DEFAULT_MAX_ITEMS) -> IngestResult:
    """Stream ``path`` into ``out`` (normalised JSONL); raise UserError on the first bad row."""
    header, rows = read_columns_and_rows(path)
    cols = resolve_columns(path, header, mapping, kind, metrics)
    result = IngestResult(0, cols)
    seen: set[bytes] = set()  # 8-byte digests of ids: memory stays small for large files
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            for where, record in rows:
                if result.items >= max_items:
                    raise UserError(f"{path}: {where}: more than {max_items} items; an evaluation "
                                    "set runs in full on every model: sample it down, or raise "
                                    "--max-items")
                item = _item(path, where, record, cols, kind, metrics, result)
                digest = hashlib.blake2b(item["id"].encode(), digest_size=8).digest()
                if digest in seen:
                    raise UserError(f"{path}: {where}, column {cols.get('id', 'id')!r}: duplicate "
                                    f"id {item['id']!r} (an earlier row has it); ids must be unique")
                seen.add(digest)
                fh.write(json.dumps(item, ensure_ascii=False) + "\n")
                result.items += 1
        if result.items == 0:
            raise UserError(f"{path}: no items (only a header); add one row per item")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return result


def _text(record: dict, col: str | None) -> str:
    if col is None:
        return ""
    value = record.get(col)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _item(path: Path, where: str, record: dict, cols: dict[str, str], kind: str,
          metrics: list[str], result: IngestResult) -> dict[str, Any]:
    def bad(fld: str, problem: str) -> UserError:
        return UserError(f"{path}: {where}, column {cols.get(fld, fld)!r}: {problem}")

    for fld, col in cols.items():  # JSONL rows may leave out optional fields
        if col not in record and fld not in OPTIONAL:
            raise bad(fld, f"missing in this row; every row needs its {fld}")
    question, answer = _text(record, cols["question"]), _text(record, cols["answer"])
    if not question:
        raise bad("question", "empty question; every item needs one")
    if not answer:
        raise bad("answer", "empty answer; every item needs its expected answer")
    n = int(where.split()[1])
    item: dict[str, Any] = {"id": _text(record, cols.get("id")) or f"row{n}", "question": question,
                            "answer": answer, "context": _text(record, cols.get("context")),
                            "tags": _tags(record.get(cols["tags"])) if "tags" in cols else [],
                            "must_pass": _bool(record.get(cols.get("must_pass")), bad)}
    if "id" in cols and not _text(record, cols["id"]):
        raise bad("id", "empty id; give every row an id or drop the id column")
    for tag in item["tags"]:
        result.tags[tag] = result.tags.get(tag, 0) + 1
    if kind == "multiple-choice":
        item["choices"], item["gold"] = _choices(record.get(cols["choices"]), answer, bad, result)
    if "numeric" in metrics and not _NUMBER.match(answer.replace(" ", "")):
        raise bad("answer", f"{answer[:40]!r} is not a number, and the numeric metric needs one")
    if "regex" in metrics:
        item["pattern"] = _text(record, cols["pattern"])
        try:
            re.compile(item["pattern"])
        except re.error as exc:
            raise bad("pattern", f"not a valid regular expression ({exc})") from None
        if not item["pattern"]:
            raise bad("pattern", "empty pattern; the regex metric needs one per item")
    return item


def _tags(value: Any) -> list[str]:
    if value is None:
        return []
    parts = value if isinstance(value, list) else re.split(r"[|;,]", str(value))
    return [str(p).strip() for p in parts if str(p).strip()]


def _bool(value: Any, bad) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise bad("must_pass", f"{value!r} is not true/false")


def _choices(value: Any, answer: str, bad, result: IngestResult) -> tuple[list[str], int]:
    """Choices as a list (JSON/Parquet) or a '|'-separated string (CSV); gold = the answer's
    index: the answer is a choice's text, or its letter (A, B, ...)."""
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            pass
    choices = [str(c).strip() for c in (value if isinstance(value, list) else
                                         str(value or "").split("|"))]
    if len(choices) < 2 or not all(choices):
        raise bad("choices", f"{len(choices)} choice(s), some empty or fewer than 2; separate "
                  "choices with '|' (CSV) or give a list (JSONL)")
    if result.n_choices is None:
        result.n_choices = len(choices)
    elif len(choices) != result.n_choices:
        raise bad("choices", f"{len(choices)} choices, but the first row has {result.n_choices}; "
                  "every item needs the same number of choices")
    if answer in choices:
        return choices, choices.index(answer)
    letters = string.ascii_uppercase[:len(choices)]
    if len(answer) == 1 and answer.upper() in letters:
        return choices, letters.index(answer.upper())
    raise bad("answer", f"{answer[:60]!r} is not among the choices {choices}; give a choice's "
              f"exact text or its letter ({letters[0]}-{letters[-1]})")

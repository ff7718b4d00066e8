"""Stream the rows of a CSV, JSONL or Parquet file, one at a time, with their row number.

WHY streaming: an evaluation file can be large (or a mistake: a 1,000,000-row export); reading
row by row keeps memory flat and lets the first bad row stop the read with its number. CSV and
JSONL lines are decoded one by one so a non-UTF-8 byte is reported on its own line, not somewhere
in an 8 KiB buffer.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from llmselect.errors import UserError

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}


def file_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UserError(f"{path}: unsupported file type {path.suffix or '(none)'!r}; give a .csv, "
                        ".jsonl or .parquet file")
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise UserError(f"{path}: the file is empty; it needs a header (CSV) and one row per item")
    return fmt


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, decoded line); the BOM of the first line is dropped."""
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            try:
                text = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise UserError(f"{path}: line {lineno}: not valid UTF-8 (byte "
                                f"0x{raw[exc.start]:02x} at column {exc.start + 1}); save the file "
                                "as UTF-8") from None
            yield lineno, text


def read_columns_and_rows(path: Path) -> tuple[list[str], Iterator[tuple[str, dict[str, Any]]]]:
    """The header (column names) and an iterator of (where, record); ``where`` is 'row N' (CSV:
    'row N (line L)'), used verbatim in error messages."""
    fmt = file_format(path)
    return {"csv": _csv, "jsonl": _jsonl, "parquet": _parquet}[fmt](path)


def _csv(path: Path):
    lines = _lines(path)
    state = {"line": 0}

    def feed():
        for lineno, text in lines:
            state["line"] = lineno
            yield text

    reader = csv.reader(feed())
    try:
        header = next(reader)
    except StopIteration:
        raise UserError(f"{path}: the file is empty; it needs a header and one row per item") from None
    header = [h.strip() for h in header]

    def rows():
        for n, values in enumerate(reader, 1):
            if not any(v.strip() for v in values):
                continue  # blank line
            if len(values) != len(header):
                raise UserError(f"{path}: row {n} (line {state['line']}): {len(values)} fields, the "
                                f"header has {len(header)}; quote fields that contain commas")
            yield f"row {n} (line {state['line']})", dict(zip(header, values))

    return header, rows()


def _jsonl(path: Path):
    lines = _lines(path)
    first = None
    for lineno, text in lines:
        if text.strip():
            first = (lineno, _json_object(path, lineno, text))
            break
    if first is None:
        raise UserError(f"{path}: the file is empty; it needs one JSON object per line")

    def rows():
        yield f"row 1 (line {first[0]})", first[1]
        n = 1
        for lineno, text in lines:
            if text.strip():
                n += 1
                yield f"row {n} (line {lineno})", _json_object(path, lineno, text)

    return list(first[1]), rows()


def _json_object(path: Path, lineno: int, text: str) -> dict:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}: line {lineno}: not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(obj, dict):
        raise UserError(f"{path}: line {lineno}: expected a JSON object per line, got "
                        f"{type(obj).__name__}")
    return obj


def _parquet(path: Path):
    from llmselect.errors import require_package

    pq = require_package("pyarrow.parquet", "pyarrow", "reading a Parquet evaluation file")
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid and friends
        raise UserError(f"{path}: not a readable Parquet file ({str(exc).splitlines()[0][:200]})") from None
    header = list(pf.schema_arrow.names)
    if pf.metadata.num_rows == 0:
        raise UserError(f"{path}: the file has no rows")

    def rows():
        n = 0
        for batch in pf.iter_batches(batch_size=4096):
            for record in batch.to_pylist():
                n += 1
                yield f"row {n}", record

    return header, rows()

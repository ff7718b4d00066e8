"""Facts about a GGUF file, read from its header with the `gguf` package (no model load).

WHY: a run's result must say *what* was measured (architecture, size, quantisation, context
length, licence) and `recommend` needs those facts for local models that have no catalog card.
Reading them from the header is cheap (memory-mapped) and also lets us reject bad files with one
clear line before llama.cpp prints pages of C++ logging.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from llmselect.errors import UserError

GGUF_MAGIC = b"GGUF"


def check_gguf_path(path: str | Path) -> Path:
    """The path as a Path if it names an existing file that starts like a GGUF, else UserError."""
    p = Path(path).expanduser()
    if not p.is_file():
        raise UserError(f"model file {str(p)!r} does not exist; pass the path of a .gguf file")
    with p.open("rb") as fh:
        magic = fh.read(4)
    if magic != GGUF_MAGIC:
        raise UserError(
            f"{str(p)!r} is not a GGUF file (it starts with {magic!r}, not b'GGUF'); "
            "pass a .gguf model file (convert other formats with llama.cpp's convert_hf_to_gguf.py)"
        )
    return p


def _open_reader(p: Path):
    """A gguf.GGUFReader on p; a truncated or corrupt header becomes a UserError."""
    import gguf

    try:
        return gguf.GGUFReader(p)
    except Exception as exc:  # the reader raises ValueError/IndexError/... on garbage
        raise UserError(
            f"{str(p)!r} is a truncated or corrupt GGUF file ({type(exc).__name__}: {exc}); "
            "download or assemble it again"
        ) from None


def _check_tensor_data(reader, p: Path) -> None:
    """Every tensor's bytes must lie inside the file (a cut-off download fails here)."""
    size = p.stat().st_size
    for t in reader.tensors:
        end = int(t.data_offset) + int(t.n_bytes)
        if end > size:
            raise UserError(
                f"{str(p)!r} is truncated: tensor {t.name!r} ends at byte {end} but the file has "
                f"{size} bytes; download or assemble it again"
            )


def _field(reader, key: str) -> Any:
    """A header value as a Python value, or None when absent."""
    f = reader.fields.get(key)
    if f is None:
        return None
    try:
        return f.contents()
    except Exception:  # pragma: no cover - exotic field types
        return None


def _file_type_name(code: Any) -> str | None:
    """'Q4_1' for general.file_type 3 (gguf.LlamaFileType names without the MOSTLY_ prefix)."""
    if code is None:
        return None
    import gguf

    try:
        return gguf.LlamaFileType(int(code)).name.removeprefix("MOSTLY_")
    except ValueError:
        return f"unknown({code})"


def _cache_file(p: Path) -> Path:
    """Where the metadata of this exact file (path, size, mtime) is cached."""
    import hashlib

    st = p.stat()
    key = hashlib.sha1(f"{p.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "llmselect" / "gguf_meta" / f"{key}.json"


def read_gguf_metadata(path: str | Path, use_cache: bool = True) -> dict[str, Any]:
    """Architecture, parameter count, quant type, context length, licence, shape of a GGUF.

    Raises UserError for a missing, non-GGUF, truncated or corrupt file. Keys are stable (they are
    written into result files); values absent from the header are None. gguf.GGUFReader parses the
    whole vocabulary in Python (2-10 s for these models), so the answer is cached per file identity.
    """
    import json

    p = check_gguf_path(path)
    cache = _cache_file(p)
    if use_cache and cache.is_file():
        try:
            return json.loads(cache.read_text())
        except (OSError, ValueError):
            pass
    meta = _read_uncached(p)
    if use_cache:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(meta))
            tmp.replace(cache)
        except OSError:
            pass  # a read-only home only costs speed
    return meta


def _read_uncached(p: Path) -> dict[str, Any]:
    """read_gguf_metadata without the cache."""
    return metadata_from_reader(open_checked_reader(p), p)


def open_checked_reader(p: Path):
    """A GGUFReader on a file whose tensors all lie inside it (one header parse, for callers
    that need more header fields than ``read_gguf_metadata`` keeps: ``models import``)."""
    reader = _open_reader(p)
    _check_tensor_data(reader, p)
    return reader


def metadata_from_reader(reader, p: Path) -> dict[str, Any]:
    """The ``read_gguf_metadata`` dict from an open reader."""
    arch = _field(reader, "general.architecture")
    if not arch:
        raise UserError(f"{str(p)!r} has no general.architecture in its GGUF header; it is not a model file")

    def a(key: str) -> Any:
        return _field(reader, f"{arch}.{key}")

    tokens = reader.fields.get("tokenizer.ggml.tokens")
    return {
        "format": "gguf",
        "path": str(p.resolve()),
        "file_size_bytes": p.stat().st_size,
        "gguf_version": _field(reader, "GGUF.version"),
        "name": _field(reader, "general.name"),
        "architecture": arch,
        "size_label": _field(reader, "general.size_label"),
        "parameter_count": int(sum(int(t.n_elements) for t in reader.tensors)),
        "quant_type": _file_type_name(_field(reader, "general.file_type")),
        "file_type": _field(reader, "general.file_type"),
        "context_length": a("context_length"),
        "license": _field(reader, "general.license"),
        "n_layers": a("block_count"),
        "n_heads": a("attention.head_count"),
        "n_kv_heads": a("attention.head_count_kv"),
        "embedding_length": a("embedding_length"),
        "sliding_window": a("attention.sliding_window"),
        "vocab_size": len(tokens.data) if tokens is not None else None,
        "tokenizer_model": _field(reader, "tokenizer.ggml.model"),
        "has_chat_template": "tokenizer.chat_template" in reader.fields,
    }

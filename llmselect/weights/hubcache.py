"""Find a repository's files in the local Hugging Face hub cache, offline.

WHY huggingface_hub's own functions: the cache layout (``models--org--name/{blobs,refs,
snapshots}``, refs naming commits, snapshot files linking to blobs, ``.no_exist`` markers) is
theirs and may change; ``snapshot_download(local_files_only=True)`` and
``try_to_load_from_cache`` resolve it exactly as a later online call would.

The cache folder is read from the environment at call time (``HF_HUB_CACHE``, else
``$HF_HOME/hub``, else huggingface_hub's default), because huggingface_hub freezes its own
constant when first imported.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """``$HF_HUB_CACHE``, else ``$HF_HOME/hub``, else ``~/.cache/huggingface/hub``."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "huggingface" / "hub"


def find_snapshot(repo_id: str, revision: str = "main",
                  allow_patterns: list[str] | str | None = None) -> Path | None:
    """The cached snapshot folder of ``repo_id`` at ``revision`` (a branch, tag or commit), or
    None when the cache does not hold it (or lacks a file ``allow_patterns`` asks for)."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        path = snapshot_download(repo_id, revision=revision, allow_patterns=allow_patterns,
                                 cache_dir=cache_dir(), local_files_only=True)
    except (LocalEntryNotFoundError, FileNotFoundError, OSError, ValueError):
        return None
    return Path(path)


def find_file(repo_id: str, filename: str, revision: str | None = None) -> Path | None:
    """The cached copy of one file of ``repo_id`` (default: the revision ``main`` points to),
    or None when it is not cached (or cached as known-missing)."""
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(repo_id, filename, cache_dir=cache_dir(), revision=revision)
    return Path(found) if isinstance(found, str) else None

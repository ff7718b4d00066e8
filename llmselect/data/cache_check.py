"""Checksums of the converted offline data, recorded at conversion and verified on every hit.

WHY: the originals are verified against MANIFEST.sha256 once, before conversion; afterwards
only the converted copy is read. A copy damaged after that (a disk error, an interrupted
``rsync`` of the cache folder, a hand edit) would otherwise be trusted for good, and show up
as odd scores with the original checksums still recorded in the run. Hashing the copy
(~30 MB) costs a fraction of a second; lm-eval's first task costs far more.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from llmselect.fileio import sha256_file

INFO = "llmselect-data.json"


def converted_checksums(folder: Path) -> dict[str, str]:
    """sha256 of every converted file under ``folder`` (the info file aside), by relative path."""
    return {p.relative_to(folder).as_posix(): sha256_file(p)
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != INFO}


def cache_problem(folder: Path, info: dict) -> str | None:
    """Why the converted data in ``folder`` cannot be trusted, or None when every file matches."""
    recorded = info.get("converted")
    if not isinstance(recorded, dict):
        return "it records no checksums of its converted files (made by an older llmselect)"
    actual = converted_checksums(folder)
    for name, digest in recorded.items():
        if name not in actual:
            return f"{name} is missing"
        if actual[name] != digest:
            return f"{name} does not match its checksum"
    extra = sorted(set(actual) - set(recorded))
    return f"{extra[0]} was added after conversion" if extra else None


def discard(folder: Path, why: str) -> None:
    """Move a damaged cache aside and delete it (renamed first: a concurrent reader never sees
    it half deleted), saying so on stderr: it is rebuilt from the verified originals."""
    print(f"llmselect: warning: converted offline data {folder} is damaged ({why}); "
          "converting again from the verified originals", file=sys.stderr)
    aside = folder.with_name(f".{folder.name}.damaged-{os.getpid()}")
    try:
        os.rename(folder, aside)
    except FileNotFoundError:  # another process discarded it first
        return
    shutil.rmtree(aside, ignore_errors=True)

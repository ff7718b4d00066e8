"""MANIFEST.sha256 of an offline data folder: read it, verify the files a benchmark needs.

WHY: the converted cache is trusted afterwards, so the originals are checked once, before
conversion; a corrupt or edited file is named in one line instead of showing up as odd scores.
"""

from __future__ import annotations

from pathlib import Path

from llmselect.errors import EnvironmentProblem, UserError
from llmselect.fileio import sha256_file

MANIFEST = "MANIFEST.sha256"


def read_manifest(data_dir: Path) -> dict[str, str]:
    """relative path -> sha256, from ``<data_dir>/MANIFEST.sha256`` (``sha256sum`` format)."""
    path = data_dir / MANIFEST
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise EnvironmentProblem(f"offline data {data_dir}: no {MANIFEST}; the folder must be laid "
                                 f"out like the original files with their checksums") from None
    entries: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        digest, _, name = line.strip().partition("  ")
        if len(digest) != 64 or not name:
            raise UserError(f"{path}:{number}: malformed line; expected '<sha256>  <path>'")
        entries[name.removeprefix("./").lstrip("*")] = digest
    return entries


def verify(data_dir: Path, manifest: dict[str, str], names: list[str]) -> dict[str, str]:
    """Check each of ``names`` against the manifest; returns their checksums."""
    checked = {}
    for name in names:
        expected = manifest.get(name)
        if expected is None:
            raise UserError(f"offline data {data_dir}: {name} is not listed in {MANIFEST}")
        actual = sha256_file(data_dir / name)
        if actual != expected:
            raise UserError(f"offline data {data_dir / name}: checksum mismatch (corrupt or edited "
                            f"file); restore the original from its source (see SOURCES.md)")
        checked[name] = actual
    return checked

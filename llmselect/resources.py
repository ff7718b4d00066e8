"""Where built-in profiles, suites and the catalog live, installed or in a checkout.

The wheel ships top-level ``profiles/`` and ``suites/`` as ``llmselect/_builtin/...`` (see
pyproject's force-include); an editable install or a checkout finds them beside the package.
User folders from ``LLMSELECT_<KIND>_PATH`` (os.pathsep-separated) are searched first.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def builtin_dir(kind: str) -> Path:
    """The built-in folder for ``kind`` ('profiles' or 'suites')."""
    installed = PACKAGE_DIR / "_builtin" / kind
    if installed.is_dir():
        return installed
    return PACKAGE_DIR.parent / kind


def search_path(kind: str) -> list[Path]:
    """User folders first (env var), then the built-ins: the first match of a name wins."""
    env = os.environ.get(f"LLMSELECT_{kind.upper()}_PATH", "")
    user = [Path(p).expanduser() for p in env.split(os.pathsep) if p]
    return [*user, builtin_dir(kind)]


def find_named_yaml(kind: str, name_or_path: str) -> Path | None:
    """Resolve 'chatbot-en' or './my.yaml' to a file; None when nothing matches."""
    candidate = Path(name_or_path).expanduser()
    if candidate.suffix in {".yaml", ".yml"} or os.sep in name_or_path:
        return candidate if candidate.is_file() else None
    for folder in search_path(kind):
        for ext in (".yaml", ".yml"):
            path = folder / f"{name_or_path}{ext}"
            if path.is_file():
                return path
    return None


def list_named_yaml(kind: str) -> dict[str, Path]:
    """name -> file over the search path; earlier folders shadow later ones."""
    found: dict[str, Path] = {}
    for folder in reversed(search_path(kind)):
        if folder.is_dir():
            for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
                found[path.stem] = path
    return found

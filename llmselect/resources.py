"""Where built-in profiles, suites and the catalog live, installed or in a checkout.

The wheel ships top-level ``profiles/`` and ``suites/`` as ``llmselect/_builtin/...`` (see
pyproject's force-include); an editable install or a checkout finds them beside the package.
User folders from ``LLMSELECT_<KIND>_PATH`` (os.pathsep-separated) are searched first.

WHY a missing user folder is an error for every kind (profiles, suites, catalog alike): a
search path with a typo would otherwise fall back to the built-ins in silence, and the user
would get a ranking made without their own profiles or cards.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from llmselect.errors import UserError

PACKAGE_DIR = Path(__file__).resolve().parent
YAML_SUFFIXES = (".yaml", ".yml")


def builtin_dir(kind: str) -> Path:
    """The built-in folder for ``kind`` ('profiles' or 'suites')."""
    installed = PACKAGE_DIR / "_builtin" / kind
    if installed.is_dir():
        return installed
    return PACKAGE_DIR.parent / kind


def env_var(kind: str) -> str:
    return f"LLMSELECT_{kind.upper()}_PATH"


def user_folders(kind: str, create_first: bool = False) -> list[Path]:
    """The folders ``$LLMSELECT_<KIND>_PATH`` names; one that is not a folder is an error.
    A command that writes there (``models import``, ``suite new``) passes ``create_first``: the
    first folder is where it writes, so it is created rather than refused."""
    var = env_var(kind)
    folders = [Path(p).expanduser() for p in os.environ.get(var, "").split(os.pathsep) if p.strip()]
    if create_first and folders and not folders[0].exists():
        try:
            folders[0].mkdir(parents=True)
        except OSError as exc:
            raise UserError(f"{var}: cannot create {folders[0]} ({exc.strerror}); set {var} "
                            "to a folder you can write") from None
    for folder in folders:
        if not folder.is_dir():
            state = "is not a folder" if folder.exists() else "does not exist"
            raise UserError(f"{var}: {folder} {state}; set {var} to existing folders "
                            f"(separated by '{os.pathsep}') or unset it")
    return folders


def search_path(kind: str) -> list[Path]:
    """User folders first (env var), then the built-ins: the first match of a name wins."""
    return [*user_folders(kind), builtin_dir(kind)]


def looks_like_path(name_or_path: str) -> bool:
    """'./my.yaml', '/dev/fd/63' and 'my.yaml' are paths; 'chatbot-en' is a name."""
    return name_or_path.endswith(YAML_SUFFIXES) or os.sep in name_or_path or (
        os.altsep is not None and os.altsep in name_or_path)


def readable_file(path: Path, kind: str, shown: str | None = None) -> Path | None:
    """``path`` when it is something to read (a file, or a pipe such as ``<(...)``), None when
    nothing is there; a folder or a name the OS refuses is one line saying so (naming
    ``shown``, what the user typed, when given)."""
    try:
        if path.is_dir():
            raise UserError(f"{path}: is a folder, not a {kind[:-1]} file; give the path of a "
                            "YAML file")
        return path if path.exists() else None
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            shown = shown or str(path)
            raise UserError(f"{shown[:40]}...: name too long ({len(shown)} characters) for a "
                            f"{kind[:-1]} name or path; give a shorter one") from None
        raise UserError(f"{path}: cannot read ({exc.strerror or exc})") from None


def find_named_yaml(kind: str, name_or_path: str) -> Path | None:
    """Resolve 'chatbot-en' or './my.yaml' to a file; None when nothing matches."""
    if looks_like_path(name_or_path):
        return readable_file(Path(name_or_path).expanduser(), kind)
    for folder in search_path(kind):
        for ext in YAML_SUFFIXES:
            path = readable_file(folder / f"{name_or_path}{ext}", kind, shown=name_or_path)
            if path is not None:
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

"""One error family for everything a user can get wrong or the environment can lack.

Domain code raises these; only the CLI boundary (``cli/main.py``) catches them, prints
one line and exits with ``exit_code``. Anything else is a bug and keeps its traceback.
Set ``LLMSELECT_DEBUG=1`` to re-raise these too, with the full traceback, when debugging.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class LlmselectError(Exception):
    """Base: a problem the user can act on. ``str(err)`` is the one line shown."""

    exit_code = 1


class UserError(LlmselectError):
    """Bad input: unknown names, malformed files, impossible options. Exit 2."""

    exit_code = 2


class EnvironmentProblem(LlmselectError):
    """The machine lacks something: a package, data, a server, disk. Exit 3."""

    exit_code = 3


class RegressionFound(LlmselectError):
    """A CI gate failed on a real regression. Exit 1."""

    exit_code = 1


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """A ' (did you mean X?)' suffix for a typo, or '' when nothing is close."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def unknown(kind: str, name: str, choices: Iterable[str], hint: str = "") -> UserError:
    """The standard error for an unknown profile, model, suite, criterion, task..."""
    choices = sorted(set(choices))
    msg = f"unknown {kind} {name!r}{did_you_mean(name, choices)}"
    if hint:
        msg += f"; {hint}"
    return UserError(msg)


def require_package(module: str, pip_name: str, purpose: str):
    """Import an optional heavy dependency, or explain the exact install line."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise EnvironmentProblem(
            f"{purpose} needs the Python package {pip_name!r} ({exc}); install it with: "
            f"pip install '{pip_name}'"
        ) from None

"""Command-line usage errors as one line, and the rule that no number option is NaN or infinite.

WHY here and not per option: click/Typer print a 5-6 line panel for a bad option value, a
missing option or an unknown one; the error boundary (``cli/main.py``) sends every such error
through ``usage_line`` so each is one line (what, where, how to fix) with exit 2, like every
other bad input. Likewise ``require_finite_numbers`` makes every float option of every command
refuse ``nan``/``inf``: ``gate --max-drop nan`` switched a CI gate off, and no option of
llmselect means anything with a non-finite number.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

try:  # Typer >= 0.25 carries its own copy of click; older Typer uses the click package
    from typer._click.exceptions import BadParameter, ClickException, NoArgsIsHelpError
except ImportError:  # pragma: no cover - depends on the Typer version
    from click.exceptions import BadParameter, ClickException, NoArgsIsHelpError

__all__ = ["ClickException", "NoArgsIsHelpError", "require_finite_numbers", "usage_line"]


def usage_line(exc: ClickException) -> str:
    """'<command>: <what is wrong>; see <command> --help' on one line."""
    message = " ".join(exc.format_message().split())
    ctx = getattr(exc, "ctx", None)
    command = ctx.command_path if ctx is not None else "llmselect"
    _, _, sub = command.partition(" ")  # the line already starts with 'llmselect: error:'
    where = f"{sub}: " if sub else ""
    return f"{where}{message.rstrip('.')}; see `{command} --help`"


def walk(command: Any) -> Iterator[Any]:
    """The command and every command under it (groups of groups too)."""
    yield command
    for sub in getattr(command, "commands", {}).values():
        yield from walk(sub)


def require_finite_numbers(root: Any) -> None:
    """Wrap each parameter of every command so a NaN or infinite float is a BadParameter."""
    for command in walk(root):
        for param in command.params:
            if not getattr(param, "_llmselect_finite", False):
                _finite(param)


def _finite(param: Any) -> None:
    original = param.process_value

    def process_value(ctx: Any, value: Any) -> Any:
        value = original(ctx, value)
        for item in value if isinstance(value, (list, tuple)) else (value,):
            if isinstance(item, float) and not math.isfinite(item):
                raise BadParameter(f"{item} is not a finite number; give a number",
                                         ctx=ctx, param=param)
        return value

    param.process_value = process_value  # type: ignore[method-assign]
    param._llmselect_finite = True  # type: ignore[attr-defined]

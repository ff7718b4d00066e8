"""The ``llmselect`` Typer app and the one place errors become exit codes.

Every way a command can fail on input ends here as one stderr line ``llmselect: error: ...``
and an exit code: LlmselectError (2 user, 3 environment, 1 regression), a click usage error
(bad or missing option, unknown command: 2, instead of Typer's panel), a missing optional
package (3, with the pip line). ``LLMSELECT_DEBUG=1`` (or true/yes) re-raises with the traceback.
"""

from __future__ import annotations

import os
import sys

import typer
from typer.core import TyperGroup

from llmselect import __version__
from llmselect.cli.usage import ClickException, NoArgsIsHelpError, usage_line
from llmselect.errors import LlmselectError

DEBUG_VAR = "LLMSELECT_DEBUG"


def debug() -> bool:
    """Only 1, true or yes turn debugging on: ``LLMSELECT_DEBUG=0`` means off."""
    return os.environ.get(DEBUG_VAR, "").strip().lower() in {"1", "true", "yes"}


def _fail(message: str, code: int) -> typer.Exit:
    print(f"llmselect: error: {message}", file=sys.stderr)
    return typer.Exit(code)


class _ErrorBoundary(TyperGroup):
    """Turns LlmselectError, usage errors and missing optional packages into one stderr line
    and an exit code, for the console script and for CliRunner alike."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from llmselect.cli.usage import require_finite_numbers

        require_finite_numbers(self)

    def make_context(self, info_name, args, parent=None, **extra):
        """The top level's own options (``llmselect --bogus``) fail here, before invoke."""
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except NoArgsIsHelpError:
            raise
        except ClickException as exc:
            raise _fail(usage_line(exc), 2) from None

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except LlmselectError as err:
            if debug():
                raise
            raise _fail(str(err), err.exit_code) from None
        except NoArgsIsHelpError:
            raise
        except ClickException as exc:  # bad/missing/unknown option or command
            raise _fail(usage_line(exc), 2) from None
        except ModuleNotFoundError as exc:
            from llmselect.extras import missing_package

            message = missing_package(exc.name)
            if message is None or debug():  # not an optional package: a bug, keep the traceback
                raise
            raise _fail(message, 3) from None
        except KeyboardInterrupt:
            print("llmselect: interrupted; finished work is kept, run the same command again "
                  "to resume", file=sys.stderr)
            ctx.exit(130)


app = typer.Typer(
    cls=_ErrorBoundary,
    name="llmselect",
    help="Choose which LLM to deploy: benchmark models on your hardware and rank them against "
    "what your organisation needs (GDPR, licence, cost, hardware fit, quality).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"llmselect {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Choose which LLM to deploy."""


def _register_commands() -> None:
    """Each command group adds itself; a group not written yet is simply absent."""
    import importlib

    for name in (
        "models", "profiles", "recommend", "suites", "bench", "results",
        "compare", "hardware", "report", "suite", "test", "race",
    ):
        try:
            module = importlib.import_module(f"llmselect.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"llmselect.cli.{name}":
                continue
            raise
        module.register(app)


_register_commands()


def run() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    run()

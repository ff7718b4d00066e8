"""The ``llmselect`` Typer app and the one place errors become exit codes."""

from __future__ import annotations

import os
import sys

import typer

from typer.core import TyperGroup

from llmselect import __version__
from llmselect.errors import LlmselectError


class _ErrorBoundary(TyperGroup):
    """Turns LlmselectError into one stderr line and its exit code, for the console script and
    for CliRunner alike. ``LLMSELECT_DEBUG=1`` re-raises with the traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except LlmselectError as err:
            if os.environ.get("LLMSELECT_DEBUG"):
                raise
            print(f"llmselect: error: {err}", file=sys.stderr)
            ctx.exit(err.exit_code)
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
        "compare", "hardware", "report", "race",
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

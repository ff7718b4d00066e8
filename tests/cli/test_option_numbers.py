"""No number option of any command takes NaN or infinity (``gate --max-drop nan`` once switched
the CI gate off). Walks the real command tree, so an option added later is covered too."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from llmselect.cli.main import app
from llmselect.cli.usage import walk


def _float_options() -> list[tuple[list[str], str]]:
    root = typer.main.get_command(app)
    found = []

    def visit(command, path):
        for param in command.params:
            annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
            is_float = annotation is float or getattr(getattr(param, "type", None), "name", "") == "float"
            if is_float and getattr(param, "opts", None) and param.opts[0].startswith("--"):
                found.append((path, param.opts[0]))
        for name, sub in getattr(command, "commands", {}).items():
            visit(sub, [*path, name])

    visit(root, [])
    return found


FLOAT_OPTIONS = _float_options()


def test_the_walk_finds_the_number_options():
    names = {opt for _, opt in FLOAT_OPTIONS}
    assert {"--max-drop", "--max-memory", "--confidence", "--limit", "--max-slowdown"} <= names
    assert len(list(walk(typer.main.get_command(app)))) > 10


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
@pytest.mark.parametrize("path, option", FLOAT_OPTIONS,
                         ids=[" ".join([*p, o]) for p, o in FLOAT_OPTIONS])
def test_no_float_option_takes_a_non_finite_number(path, option, value):
    result = CliRunner().invoke(app, [*path, f"{option}={value}"])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and option in lines[0] and "Traceback" not in result.stderr, lines

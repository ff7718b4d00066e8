"""``python -m llmselect`` runs the CLI."""

from llmselect.cli.main import run

run()

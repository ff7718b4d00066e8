"""``llmselect suites``: the benchmark suites available (built-in and the user's own)."""

from __future__ import annotations

import typer

from llmselect.cli.output import FORMAT_OPTION, OutputFormat, emit


def register(app: typer.Typer) -> None:
    app.command("suites")(suites)


def suites(fmt: OutputFormat = FORMAT_OPTION) -> None:
    """List benchmark suites (add your own: YAML files in $LLMSELECT_SUITES_PATH)."""
    from llmselect.config.suite_schema import list_suites
    from llmselect.resources import list_named_yaml

    paths = list_named_yaml("suites")
    found = list_suites()
    rows = [{"suite": name, "tasks": ", ".join(t.key for t in s.tasks),
             "data": s.data, "sampled": s.sampled, "description": s.description}
            for name, s in sorted(found.items())]
    payload = [{**r, "path": str(paths[r["suite"]]),
                "task_settings": [t.model_dump() for t in found[r["suite"]].tasks]} for r in rows]
    emit(rows, fmt, title="Benchmark suites", payload=payload)

"""``llmselect profiles`` (list) and ``llmselect profiles show NAME``."""

from __future__ import annotations

import sys

import typer

from llmselect.cli.output import FORMAT_OPTION, OutputFormat, emit

profiles_app = typer.Typer(help="Built-in and user profiles: what an organisation needs.",
                           invoke_without_command=True, no_args_is_help=False)


def register(app: typer.Typer) -> None:
    app.add_typer(profiles_app, name="profiles")


@profiles_app.callback()
def list_profiles(ctx: typer.Context, fmt: OutputFormat = FORMAT_OPTION) -> None:
    """List profiles (user folders in $LLMSELECT_PROFILES_PATH first, then built-ins)."""
    if ctx.invoked_subcommand is not None:
        return
    from llmselect import resources
    from llmselect.config.profile_schema import load_profile
    from llmselect.errors import UserError

    rows = []
    for name, path in resources.list_named_yaml("profiles").items():
        try:
            prof, _ = load_profile(str(path))
            rows.append({"name": name, "use_case": prof.use_case, "description": prof.description,
                         "file": str(path)})
        except UserError as err:
            rows.append({"name": name, "use_case": "(invalid)", "description": str(err),
                         "file": str(path)})
    if fmt in (OutputFormat.table, OutputFormat.markdown):
        rows = [{k: v for k, v in row.items() if k != "file"} for row in rows]
    emit(rows, fmt, title="Profiles")


@profiles_app.command("show")
def show(name: str = typer.Argument(..., help="Profile name or YAML path."),
         fmt: OutputFormat = FORMAT_OPTION) -> None:
    """Show one profile with `extends` applied and its normalised weights."""
    from llmselect.config.profile_schema import load_profile

    prof, path = load_profile(name)
    data = prof.model_dump(mode="json")
    data["file"] = str(path)
    data["normalised_weights"] = {k: round(v, 4) for k, v in prof.criteria.normalised().items()
                                  if v > 0}
    if fmt == OutputFormat.json:
        emit([], fmt, payload=data)
        return
    if fmt == OutputFormat.table:
        import yaml

        from llmselect.cli.output import wide_console

        out = wide_console()
        out.print(f"[bold]{prof.name}[/bold] ({path})", highlight=False, overflow="fold")
        # PyYAML breaks at the first space past `width`: leave room for one long word
        sys.stdout.write(yaml.safe_dump(data, sort_keys=False, allow_unicode=True,
                                        width=max(40, out.width - 20)))
        return
    rows = [{"criterion": k, "weight": v} for k, v in data["normalised_weights"].items()]
    emit(rows, fmt, title=f"{prof.name}: {prof.use_case}")

"""``llmselect models import SOURCE``: write a user card from a GGUF file, an Ollama model or a
Hugging Face repository (see ``llmselect.catalog.importer``)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from llmselect.cli.output import FORMAT_OPTION, OutputFormat, emit, err_console


def import_model(
    source: str = typer.Argument(..., help="hf:ORG/NAME (hub, or the hub cache offline), "
                                 "ollama:NAME[:TAG] (the Ollama store) or a .gguf file."),
    model_id: Optional[str] = typer.Option(None, "--id", help="Card id (default: from the "
                                           "model's name)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Cards folder (default: "
                                          "the first folder of $LLMSELECT_CATALOG_PATH)."),
    vendor: Optional[str] = typer.Option(None, "--vendor", help="Vendor id (default: the "
                                         "organisation the source names)."),
    update: bool = typer.Option(False, "--update", help="Refresh a card imported before; facts "
                                "edited by hand since are kept."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Write a model card with every fact the source gives, each with where it was read."""
    from llmselect.catalog.importer import read_source
    from llmselect.catalog.importer.write import target_folder, write_card

    folder = target_folder(output)
    facts = read_source(source)
    result = write_card(facts, folder, model_id=model_id, vendor=vendor, update=update)
    for warning in result.warnings:
        err_console.print(f"warning: {warning}", markup=False, soft_wrap=True)
    verb = "wrote" if result.created else "updated"
    err_console.print(f"{verb} {result.path} (id {result.model_id}); see it with: llmselect "
                      f"models show {result.model_id}", markup=False, soft_wrap=True)
    if result.kept:
        err_console.print(f"kept as edited by hand: {', '.join(result.kept)}", markup=False, soft_wrap=True)
    rows = [{"field": name, "action": "kept (edited)" if name in result.kept else
             "written" if result.created else "refreshed"}
            for name in [*result.refreshed, *result.kept]]
    emit(rows, fmt, title=f"{result.model_id}: {len(result.refreshed)} fields "
         f"{'written' if result.created else 'refreshed'}",
         payload={"id": result.model_id, "file": str(result.path), "created": result.created,
                  "refreshed": result.refreshed, "kept": result.kept, "warnings": result.warnings})

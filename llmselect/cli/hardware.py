"""``llmselect hardware``: this machine's CPU, cores, RAM and GPUs (what bench records)."""

from __future__ import annotations

import typer

from llmselect.cli.output import FORMAT_OPTION, OutputFormat, emit


def register(app: typer.Typer) -> None:
    app.command("hardware")(hardware)


def hardware(fmt: OutputFormat = FORMAT_OPTION) -> None:
    """Show CPU, cores, RAM and GPUs with their memory; `recommend --hardware local` targets it."""
    from llmselect.hardware import detect_hardware

    hw = detect_hardware()
    rows = [{"component": "CPU", "name": hw.cpu, "count": hw.cores, "memory_gb": hw.ram_gb}]
    rows += [{"component": f"GPU {i}", "name": g.get("name"), "count": 1,
              "memory_gb": g.get("vram_gb")} for i, g in enumerate(hw.gpus)]
    if not hw.gpus:
        rows.append({"component": "GPU", "name": "none detected", "count": 0, "memory_gb": None})
    emit(rows, fmt, title=f"This machine ({hw.platform})", payload=hw.model_dump())

"""``llmselect report``: the recommendation as a page a committee reads (HTML or Markdown + PNG).

Runs the same pipeline as ``recommend`` (so the numbers are the ones ``recommend --format json``
prints), adds the runs' measured-vs-published scores and speeds, and draws the plots.
matplotlib is imported only inside the command, never when the CLI starts.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Optional

import typer

from llmselect.cli.output import err_console
from llmselect.errors import UserError
from llmselect.fileio import cannot_write


class ReportFormat(str, enum.Enum):
    html = "html"
    markdown = "markdown"


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def report(
    profile: str = typer.Option(..., "--profile", "-p", help="Profile name (see `llmselect profiles`) or YAML path."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="File to write (default report.html, or report.md with --format markdown)."),
    fmt: Optional[ReportFormat] = typer.Option(None, "--format", "-f", case_sensitive=False, help="html (one self-contained file) or markdown (PNG plots beside it). Default: from --output's suffix, else html."),
    results: Optional[Path] = typer.Option(None, "--results", help="Results folder with measured runs (default: $LLMSELECT_RESULTS_DIR or ./results)."),
    top: int = typer.Option(15, "--top", "-n", min=1, help="How many ranked models the table and plots show."),
    hardware: Optional[str] = typer.Option(None, "--hardware", help="'local': target this machine's detected hardware instead of the profile's."),
) -> None:
    """Write an HTML (or Markdown) report: ranking, exclusions, plots, provenance of each number."""
    fmt = fmt or (ReportFormat.markdown if output and output.suffix.lower() in (".md", ".markdown")
                  else ReportFormat.html)
    output = output or Path("report.md" if fmt == ReportFormat.markdown else "report.html")
    _check_output(output)
    data = _report_data(profile, results, hardware)
    from llmselect import __version__
    from llmselect.render import plots

    figures = plots.draw_all(data, top)
    if fmt == ReportFormat.html:
        _write_html(data, figures, output, top, __version__)
    else:
        _write_markdown(data, figures, output, top, __version__)
    err_console.print(f"wrote {output}" + (f" ({len(data.rec.measured_runs)} measured run(s) used)"
                                           if data.rec.measured_runs else " (no measured runs)"))


def _check_output(output: Path) -> None:
    if output.is_dir():
        raise UserError(f"--output {output}: is a folder; give a file name such as "
                        f"{output / 'report.html'}")
    if not output.parent.exists():
        raise UserError(f"--output {output}: folder {output.parent} does not exist; create it "
                        "or choose another path")


def _report_data(profile: str, results: Optional[Path], hardware: Optional[str]):
    """The recommendation exactly as ``recommend`` computes it, plus what only the report uses."""
    from llmselect.catalog.benchmarks import BENCHMARKS
    from llmselect.recommendation import build_recommendation
    from llmselect.render import report_data

    inputs = build_recommendation(profile, results, hardware)
    return report_data.build(inputs.rec, inputs.catalog, inputs.runs, benchmarks=BENCHMARKS)


def _write_html(data, figures, output: Path, top: int, version: str) -> None:
    from llmselect.render import html, plots

    images = {name: (plots.svg_data_uri(fig) if fig is not None else None)
              for name, fig in figures.items()}
    _write(output, html.render(data, images, top=top, version=version))


def _write_markdown(data, figures, output: Path, top: int, version: str) -> None:
    """PNG files beside the Markdown file, named ``<stem>-<plot>.png``, linked relatively."""
    from llmselect.render import markdown, plots

    images = {}
    for name, fig in figures.items():
        if fig is None:
            images[name] = None
            continue
        png = output.with_name(f"{output.stem}-{name}.png")
        try:
            plots.save_png(fig, png)
            _readable(png)
        except OSError as exc:
            raise cannot_write(png, exc, "choose another --output") from None
        images[name] = png.name
    _write(output, markdown.render(data, images, top=top, version=version))


def _write(output: Path, text: str) -> None:
    from llmselect.fileio import atomic_write_text

    try:
        atomic_write_text(output, text)
        _readable(output)
    except OSError as exc:
        raise cannot_write(output, exc, "choose another --output") from None


def _readable(path: Path) -> None:
    """A report is meant to be shared: the usual file mode (0644 under umask 022), not the
    private 0600 of the temp file it was renamed from."""
    import os

    from llmselect.fileio import shared_mode

    os.chmod(path, shared_mode())

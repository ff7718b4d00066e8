"""``llmselect suite new``: an organisation's own evaluation file becomes a suite."""

from __future__ import annotations

from pathlib import Path

import typer

suite_app = typer.Typer(help="Create suites from your own evaluation sets (CSV, JSONL, Parquet).",
                        no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(suite_app, name="suite")


@suite_app.command("new")
def new(
    name: str = typer.Argument(..., help="Suite name (lower-case, digits, '-', '_'), e.g. support-faq"),
    source: Path = typer.Option(..., "--from", help="Evaluation file: .csv, .jsonl or .parquet"),
    mapping: str = typer.Option(None, "--map", help="FIELD=COLUMN pairs: question, answer, context, "
                                "choices, id, tags, must_pass, pattern (default: recognised names)"),
    kind: str = typer.Option(None, "--kind", help="'answer' (generated, scored by metrics) or "
                             "'multiple-choice' (loglikelihood); default: by the columns"),
    metrics: str = typer.Option(None, "--metrics", help="Comma-separated, first = the score: "
                                "exact_match, contains, regex, numeric, token_f1, rougeL, chrf, "
                                "semantic, judge (default exact_match,token_f1,rougeL,chrf)"),
    dev: Path = typer.Option(None, "--dev", help="A dev file (same columns) for few-shot items"),
    shots: int = typer.Option(0, "--shots", min=0, help="Few-shot items from --dev"),
    chat_template: bool = typer.Option(False, "--chat-template", help="Apply the model's chat template"),
    template: str = typer.Option(None, "--template", help="Jinja prompt before the answer label "
                                 "(fields: question, context, choices)"),
    answer_label: str = typer.Option("Answer:", "--answer-label", help="e.g. 'Réponse :'"),
    judge: str = typer.Option(None, "--judge", help="Model spec of an LLM judge (local GGUF, alias, endpoint)"),
    rubric: str = typer.Option(None, "--rubric", help="What a good answer must do (for the judge)"),
    redact: bool = typer.Option(False, "--redact", help="Keep item texts out of logs and reports"),
    output: Path = typer.Option(None, "--output", help="Folder (default: first of $LLMSELECT_SUITES_PATH)"),
    max_items: int = typer.Option(100_000, "--max-items", min=1, help="Refuse larger files"),
    max_gen_toks: int = typer.Option(64, "--max-gen-toks", min=1, help="Answer length cap (tokens)"),
    description: str = typer.Option(None, "--description"),
    force: bool = typer.Option(False, "--force", help="Replace an existing suite of that name"),
) -> None:
    """Check FILE row by row and write suite NAME: a suite YAML plus an lm-eval task. Then
    `llmselect bench MODEL --suite NAME` or `llmselect test --suite NAME --model MODEL`."""
    from llmselect.cli.output import err_console
    from llmselect.ownsuite.create import NewSuite, create_suite

    req = NewSuite(name=name, source=source, mapping=mapping, kind=kind,
                   metrics=[m.strip() for m in (metrics or "").split(",") if m.strip()], dev=dev,
                   shots=shots, chat_template=chat_template, template=template,
                   answer_label=answer_label, judge=judge, rubric=rubric, redact=redact,
                   output=output, max_items=max_items, max_gen_toks=max_gen_toks,
                   description=description, force=force)
    path = create_suite(req)
    err_console.print(f"wrote suite {name!r}: {path}")
    from llmselect.resources import find_named_yaml

    if find_named_yaml("suites", name) != path:
        err_console.print(f"note: {path.parent} is not first on $LLMSELECT_SUITES_PATH; run it "
                          f"with --suite {path}")
    typer.echo(str(path))

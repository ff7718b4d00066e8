"""``llmselect models`` (list, filtered) and ``llmselect models show ID`` (every fact + source)."""

from __future__ import annotations

from typing import Any

import typer

from llmselect.cli.output import FORMAT_OPTION, OutputFormat, emit

models_app = typer.Typer(
    help="The built-in model catalog (plus your cards from $LLMSELECT_CATALOG_PATH).",
    invoke_without_command=True,
    no_args_is_help=False,
)


def _params(card) -> str | None:
    if card.params_total_b is None:
        return None
    total = f"{card.params_total_b.value:g}"
    return f"{total} ({card.params_active_b.value:g} active)" if card.params_active_b else total


def _record(card, catalog, quantization: str, context: int) -> dict[str, Any]:
    """One model's listing facts, full values (the JSON output)."""
    from llmselect.catalog.select import memory_gb

    mem = memory_gb(card, quantization, context)
    vendor = catalog.vendor(card)
    return {
        "id": card.id,
        "name": card.name,
        "vendor": vendor.id,
        "jurisdiction": vendor.jurisdiction.value if vendor.jurisdiction else None,
        "open_weights": card.open_weights.value,
        "license": card.license.value if card.license else None,
        "params_total_b": card.params_total_b.value if card.params_total_b else None,
        "params_active_b": card.params_active_b.value if card.params_active_b else None,
        "context_tokens": card.context_tokens.value if card.context_tokens else None,
        "memory_gb": None if mem is None else round(mem, 1),
        "languages": card.languages.value if card.languages else None,
        "published_scores": {s.benchmark: s.value for s in card.scores},
    }


def _languages(langs: list[str] | None) -> str | None:
    if not langs:
        return None
    return ", ".join(langs[:3]) + (f" +{len(langs) - 3}" if len(langs) > 3 else "")


def _display(rec: dict[str, Any], card) -> dict[str, Any]:
    """The same facts, compact enough for an 80-column table (table, markdown, csv)."""
    return {
        "id": rec["id"],
        "vendor": rec["vendor"],
        "juris.": rec["jurisdiction"],
        "open": "yes" if rec["open_weights"] else "no",
        "license": rec["license"],
        "params_b": _params(card),
        "context": rec["context_tokens"],
        "mem_gb": rec["memory_gb"],
        "languages": _languages(rec["languages"]),
    }


def compact_row(rec: dict[str, Any]) -> dict[str, Any]:
    """The listing for a terminal: sizes, contexts and languages in their short forms so every
    id and licence fits 80 columns whole ('api' = API-only, no weights to host)."""
    total, active = rec["params_total_b"], rec["params_active_b"]
    params = None if total is None else f"{total:.3g}" + (f"/{active:.3g}" if active else "")
    langs = rec["languages"]
    return {
        "id": rec["id"], "vendor": rec["vendor"], "jur": rec["jurisdiction"],
        "license": rec["license"], "params B": params,
        "context": rec["context_tokens"],
        "GB": "api" if not rec["open_weights"] else rec["memory_gb"],
        "langs": None if not langs else langs[0] + (f" +{len(langs) - 1}" if len(langs) > 1 else ""),
    }


@models_app.callback()
def list_models(
    ctx: typer.Context,
    open_weights: bool = typer.Option(
        None, "--open-weights/--api-only", help="Only open-weight models / only API-only models."),
    license: str = typer.Option(
        None, "--license", help="Licence id contains this text (apache, mit, llama, gemma...)."),
    max_memory: float = typer.Option(
        None, "--max-memory", metavar="GB",
        help="Estimated memory to serve it (weights + KV cache at --context + overhead) fits in "
        "GB. Drops API-only models and models of unknown size."),
    quantization: str = typer.Option(
        "bf16", "--quantization", "-q",
        help="Weights format for the memory estimate (bf16, int8, int4, Q4_K_M...); GGUF-only "
        "models always use their own."),
    context: int = typer.Option(4096, "--context", min=1, help="Context tokens for the KV cache."),
    language: str = typer.Option(
        None, "--language", help="ISO 639-1 code the model supports ('multi' cards match any)."),
    vendor: str = typer.Option(None, "--vendor", help="Vendor id or name (meta, mistral...)."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """List catalog models, filtered. Memory is an estimate; unknown facts never match a filter."""
    if ctx.invoked_subcommand is not None:
        return
    from llmselect.catalog import load_catalog
    from llmselect.catalog.select import ModelFilter, check_quantization, select

    catalog = load_catalog()
    quant = check_quantization(quantization)
    language = _checked_language(language)
    flt = ModelFilter(open_weights=open_weights, license=license, vendor=vendor,
                      language=language, max_memory_gb=max_memory, quantization=quant,
                      context_tokens=context)
    cards = select(catalog, flt)
    records = [_record(card, catalog, quant, context) for card in cards]
    rows = [_display(rec, card) for rec, card in zip(records, cards)]
    if not rows:
        from llmselect.cli.output import err_console

        err_console.print(f"no model matches these filters ({len(catalog.models)} in the catalog)")
    title = f"Models (mem_gb: estimate at {quant}, {context}-token context)"
    if fmt == OutputFormat.table and rows:
        from llmselect.cli.output import wide_console
        from llmselect.render.fitted import print_fitted

        print_fitted(wide_console(), [compact_row(rec) for rec in records],
                     title=title.replace("mem_gb", "GB"), optional=("langs", "jur"), foldable={"license": 18},
                     hint="`models show ID` or --format json")
        return
    emit(rows, fmt, title=title, payload=records)


def _checked_language(language: str | None) -> str | None:
    """--language takes an ISO 639 code: 'xx' or 'english' would match nothing, in silence."""
    if language is None:
        return None
    from llmselect.config.languages import check_language
    from llmselect.errors import UserError

    try:
        return check_language(language)
    except ValueError as exc:
        raise UserError(f"--language: {exc}") from None


@models_app.command("show")
def show_model(
    model: str = typer.Argument(..., help="Model id or alias (e.g. llama3-8b)."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Every fact of one model card with its source; facts the sources do not give are listed."""
    from llmselect.catalog import load_catalog
    from llmselect.catalog.facts import cited_source_keys, model_rows

    catalog = load_catalog()
    card = catalog.get_model(model)
    vendor = catalog.vendor(card)
    keys = cited_source_keys(card, vendor)
    payload = {
        "model": card.model_dump(mode="json", exclude_none=True),
        "vendor": vendor.model_dump(mode="json", exclude_none=True),
        "sources": {k: catalog.sources[k].model_dump(mode="json", exclude_none=True) for k in keys},
        "file": str(catalog.origins[card.id]),
    }
    emit(model_rows(card, vendor), fmt, title=f"{card.name} ({card.id})", payload=payload)


def register(app: typer.Typer) -> None:
    from llmselect.cli.models_import import import_model

    models_app.command("import")(import_model)
    app.add_typer(models_app, name="models")

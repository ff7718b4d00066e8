"""The one path from a profile name to a ranking, shared by ``recommend`` and ``report`` so the
two can never disagree on a number: load the profile and the catalog, apply ``--hardware
local``, read the measured runs, rank (``llmselect.scoring.rank_catalog``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmselect.errors import UserError


@dataclass
class RecommendationInputs:
    """The ranking and what it was computed from (the report draws from all four)."""

    rec: Any          # llmselect.scoring.result.Recommendation
    profile: Any      # llmselect.config.profile_schema.Profile, after --hardware
    catalog: Any      # llmselect.catalog.Catalog
    runs: list        # RunResult, as read from the results folder


def build_recommendation(profile: str, results: Path | None = None,
                         hardware: str | None = None, models: list[str] | None = None
                         ) -> RecommendationInputs:
    """Profile + catalog + measured runs -> the ranking; ``models`` restricts it to a shortlist."""
    from llmselect import store
    from llmselect.catalog import load_catalog
    from llmselect.catalog.benchmarks import BENCHMARKS
    from llmselect.config.profile_schema import load_profile, validate_benchmarks
    from llmselect.scoring import rank_catalog

    prof, path = load_profile(profile)
    catalog = load_catalog()
    validate_benchmarks(prof, list(BENCHMARKS), str(path))
    if hardware is not None:
        prof = with_local_hardware(prof, hardware)
    if results is not None:
        store.check_results_folder(results)
    from llmselect.nan_scores import drop_nan_scores

    runs = drop_nan_scores(store.load_runs(results))
    shortlist = None
    if models is not None:
        shortlist = shortlist_ids(catalog, models, "--models")
    elif prof.models:
        shortlist = shortlist_ids(catalog, prof.models, f"{path}: models")
    rec = rank_catalog(prof, catalog, runs, benchmarks=BENCHMARKS, profile_file=str(path),
                       shortlist=shortlist)
    return RecommendationInputs(rec, prof, catalog, runs)


def with_local_hardware(prof, hardware: str):
    """Replace the profile's target with this machine (``llmselect.hardware.local_target``)."""
    if hardware != "local":
        raise UserError(f"--hardware {hardware!r}: the only value is 'local' (this machine); "
                        "describe other hardware in a profile's `hardware:` section")
    from llmselect.hardware import local_target

    quant = list(prof.hardware.quantization) if prof.hardware else None
    constraints = prof.constraints.model_copy(update={"max_memory_gb": None})
    return prof.model_copy(update={"hardware": local_target(quant), "constraints": constraints})


def parse_shortlist(text: str | None) -> list[str] | None:
    """``--models a,b,c`` -> ['a', 'b', 'c']; None when the option is not given."""
    if text is None:
        return None
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise UserError("--models: no model given; list catalog ids or aliases separated by "
                        "commas, e.g. --models phi-4,llama3.1-8b")
    return names


def shortlist_ids(catalog, names: list[str], where: str) -> list[str]:
    """Catalog ids of ``names`` (ids or aliases), in order; an unknown name is one line with a
    did-you-mean, saying where it was given. Only these are ranked, but each is still scored
    against the whole catalog (``rank_catalog``'s ``shortlist``), so a shortlist changes who
    is compared, not a model's scores."""
    from llmselect.errors import unknown

    ids: list[str] = []
    for name in names:
        card = catalog.find_model(name)
        if card is None:
            err = unknown("model", name, catalog._names,
                          hint="see `llmselect models` for the catalog's ids")
            raise UserError(f"{where}: {err}")
        if card.id not in ids:
            ids.append(card.id)
    return ids

"""Which run the user means: a result file, a results folder (its latest complete run), a run
id, or a model id/alias/spec (its latest complete run), with the file it came from (per-sample
logs are relative to it)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from llmselect import store
from llmselect.errors import UserError


@dataclass
class LoadedRun:
    """A run and the file it came from (per-sample logs are relative to that file)."""

    run: store.RunResult
    path: Path

    @property
    def label(self) -> str:
        return self.run.model.catalog_id or self.run.model.spec

    def samples_path(self, task: store.TaskResult) -> Path | None:
        if not task.samples_file:
            return None
        path = self.path.parent / task.samples_file
        return path if path.is_file() else None


def resolve_run(ref: str, folder: str | os.PathLike | None = None) -> LoadedRun:
    """A result file, a results folder (its latest complete run), a run id in the results
    folder, or a model id/alias/spec (its latest complete run there)."""
    return resolve_runs([ref], folder)[0]


def resolve_runs(refs: list[str], folder: str | os.PathLike | None = None) -> list[LoadedRun]:
    """``resolve_run`` for several refs, reading each results folder once however many refs it
    serves (so an unreadable file in it is also named once)."""
    read: dict[Path, list] = {}

    def latest(where: Path, match, what: str) -> LoadedRun:
        if where not in read:
            read[where] = store.complete_runs(where)
        found = store.latest_complete(where, match, read[where])
        if found is None:
            raise UserError(f"no complete run found for {what!r} in {where}; give a result file, "
                            "a run id (`llmselect results`) or bench the model first")
        return LoadedRun(*found)

    out = []
    for ref in refs:
        path = Path(ref)
        by_id = store.results_dir(folder) / f"{ref}.json"
        if path.is_file():
            out.append(LoadedRun(store.load_run(path), path))
        elif path.is_dir():
            out.append(latest(path, lambda run: True, f"results folder {ref}"))
        elif by_id.is_file():
            out.append(LoadedRun(store.load_run(by_id), by_id))
        else:
            names = _model_names(ref)
            out.append(latest(store.results_dir(folder),
                              lambda run, names=names: bool(names & _run_names(run)), ref))
    return out


def _model_names(ref: str) -> set[str]:
    names = {ref}
    try:
        from llmselect.catalog import load_catalog

        card = load_catalog().find_model(ref)
    except (ImportError, UserError):
        card = None
    if card is not None:
        names.add(card.id)
    return names


def _run_names(run: store.RunResult) -> set[str]:
    return {n for n in (run.model.catalog_id, run.model.spec, run.run_id) if n}

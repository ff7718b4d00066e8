"""lm-eval's task index, built once per lm-eval install instead of once per process.

WHY: ``lm_eval.tasks.TaskManager`` parses every YAML under lm-eval's own ``tasks/`` folder
(about 14,000 files) each time it is constructed: measured with cProfile, 81 of 127 s of one
small bench here went to it, and every ``bench`` process, resumed run and test pays it again.
Those files only change when lm-eval does, so their index is kept in llmselect's cache, keyed by
lm-eval's version and the folder's location. The folders llmselect adds (its own tasks, the
converted offline data, an own suite) are small and indexed fresh every time.

Exactness: ``TaskIndex.build(paths)`` indexes each path on its own and merges them in order,
later entries replacing earlier ones by name, so ``{**build([defaults]), **build(rest)}`` is
``build([defaults, *rest])``; tests/bench/test_task_index.py compares the two.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any


def cache_dir() -> Path:
    from llmselect.data import ENV_CACHE_DIR

    base = os.environ.get(ENV_CACHE_DIR)
    return Path(base).expanduser() if base else Path.home() / ".cache" / "llmselect"


def task_manager(include_path: list[str] | None = None, include_defaults: bool = True):
    """A ``TaskManager`` equal to ``TaskManager(include_path, include_defaults)``, with the
    index of lm-eval's built-in tasks read from the cache when it is there."""
    from lm_eval.tasks import TaskManager, _index

    if not include_defaults:
        return TaskManager(include_path=include_path, include_defaults=False)
    defaults_dir = Path(_index.__file__).parent
    original = _index.TaskIndex.build

    def build(paths, **kwargs):
        paths = [Path(p) for p in paths]
        if paths and paths[0] == defaults_dir:
            return {**default_index(defaults_dir, original, **kwargs), **original(paths[1:], **kwargs)}
        return original(paths, **kwargs)

    _index.TaskIndex.build = staticmethod(build)
    try:
        return TaskManager(include_path=include_path, include_defaults=True)
    finally:
        _index.TaskIndex.build = staticmethod(original)


def default_index(defaults_dir: Path, build: Any, **kwargs) -> dict:
    """The index of lm-eval's own tasks: from the cache, or built and cached."""
    from importlib.metadata import version

    key = hashlib.sha256(f"{version('lm-eval')}|{defaults_dir}|{sorted(kwargs.items())}".encode()).hexdigest()[:20]
    path = cache_dir() / "lm-eval-task-index" / f"{key}.pickle"
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)  # noqa: S301 - our own cache file
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    index = build([defaults_dir], **kwargs)
    _save(path, index)
    return index


def _save(path: Path, index: dict) -> None:
    """Written to a temporary name and renamed, so a concurrent reader never sees half of it;
    a cache that cannot be written only costs the next process the rebuild."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass

"""The cached index of lm-eval's built-in tasks is the index lm-eval builds, and is built once."""

from __future__ import annotations

import pytest

pytest.importorskip("lm_eval")


def _summary(index: dict) -> dict:
    return {name: (e.kind, str(e.yaml_path)) for name, e in index.items()}


def test_cached_index_equals_lm_evals_own_and_is_built_once(tmp_path, monkeypatch):
    from lm_eval.tasks import TaskManager, _index

    from llmselect.bench import task_index
    from llmselect.resources import PACKAGE_DIR

    monkeypatch.setenv("LLMSELECT_CACHE_DIR", str(tmp_path))
    include = [str(PACKAGE_DIR / "tasks")]
    reference = TaskManager(include_path=include)

    calls = []
    original = _index.TaskIndex.build

    def counting(paths, **kw):
        calls.append([str(p) for p in paths])
        return original(paths, **kw)

    monkeypatch.setattr(_index.TaskIndex, "build", staticmethod(counting))
    first = task_index.task_manager(include)
    second = task_index.task_manager(include)
    assert _summary(first.task_index) == _summary(reference.task_index)
    assert _summary(second.task_index) == _summary(first.task_index)
    defaults = str(_index.__file__).rsplit("/", 1)[0]
    built_defaults = [c for c in calls if defaults in c]
    assert len(built_defaults) == 1            # the second manager read the cache
    assert "humaneval_sandboxed" in second.all_tasks and "mmlu" in second.all_tasks
    assert list(tmp_path.glob("lm-eval-task-index/*.pickle"))

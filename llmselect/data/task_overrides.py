"""lm-eval task YAMLs that run lm-eval's own task definitions on the local dataset folders.

Each override is ``include: <lm-eval's YAML>`` + ``dataset_path: <local folder>``: prompts,
few-shot settings, metrics, filters and ``!function`` helpers all stay lm-eval's (they are resolved
relative to the included file). The task keeps its name, so groups such as ``mmlu`` pick up the
overrides (an include_path later in the list replaces a task of the same name).

Tags are kept only when every task of the tag is overridden: lm-eval replaces a whole tag entry
with the later folder's, so a partial tag would silently drop the other tasks from it.
"""

from __future__ import annotations

from pathlib import Path

import yaml

# hub dataset id -> benchmark key of the converted folder
HUB_DATASETS = {
    "cais/mmlu": "mmlu",
    "openai/gsm8k": "gsm8k",
    "Idavidrein/gpqa": "gpqa",
    "openai/openai_humaneval": "humaneval",
}


def task_roots() -> list[Path]:
    """lm-eval's built-in tasks, then llmselect's own (``humaneval_sandboxed``...)."""
    import lm_eval.tasks

    from llmselect.resources import PACKAGE_DIR

    return [Path(lm_eval.tasks.__file__).parent, PACKAGE_DIR / "tasks"]


def write_overrides(out: Path, datasets: dict[str, Path]) -> list[str]:
    """Write one override per task whose hub dataset was converted; returns the task names."""
    from lm_eval.tasks._index import Kind, TaskIndex
    from lm_eval.tasks._yaml_loader import load_yaml

    index = TaskIndex.build([r for r in task_roots() if r.is_dir()])
    chosen = {}
    for name, entry in index.items():
        cfg = entry.cfg or {}
        bench = HUB_DATASETS.get(str(cfg.get("dataset_path")))
        if entry.kind != Kind.TASK or bench not in datasets or cfg.get("dataset_kwargs"):
            continue
        if load_yaml(entry.yaml_path, resolve_func=False, recursive=False).get("task") != name:
            continue  # defined indirectly: leave it to lm-eval
        chosen[name] = (entry, datasets[bench])
    full_tags = {t for t, e in index.items() if e.kind == Kind.TAG and e.tags and e.tags <= set(chosen)}
    out.mkdir(parents=True, exist_ok=True)
    for name, (entry, folder) in chosen.items():
        tags = sorted(set(_as_list(entry.cfg.get("tag"))) & full_tags)
        body = {"include": str(entry.yaml_path), "task": name, "dataset_path": str(folder),
                "tag": tags}
        (out / f"{name}.yaml").write_text(yaml.safe_dump(body, sort_keys=False), encoding="utf-8")
    return sorted(chosen)


def _as_list(value) -> list[str]:
    if not value:
        return []
    return [value] if isinstance(value, str) else list(value)

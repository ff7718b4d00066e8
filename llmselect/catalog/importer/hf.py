"""Card facts from a Hugging Face repository: ``config.json``, the model card's YAML header,
the parameter count from the safetensors headers.

Offline first: files come from the hub cache (``llmselect.weights.hubcache``); only when the
cache lacks them and ``HF_HUB_OFFLINE`` is not set are they downloaded with huggingface_hub
(into that same cache). Sources: ``hf-config:org/name`` (config.json, safetensors),
``model-card:org/name`` (the README's YAML header: licence, languages, base model, pipeline tag).
"""

from __future__ import annotations

import json
import os
import struct
from math import prod
from pathlib import Path
from typing import Any

from llmselect.catalog.importer import ImportedFacts, licences, slug, sourced
from llmselect.errors import EnvironmentProblem, UserError

_ALIASES = {"layers": ("num_hidden_layers", "n_layer", "num_layers", "n_layers"),
            "heads": ("num_attention_heads", "n_head", "num_heads"),
            "hidden": ("hidden_size", "n_embd", "d_model"),
            "context": ("max_position_embeddings", "n_positions", "max_sequence_length",
                        "seq_length")}
_MODALITIES = {"text-generation": ["text"], "text2text-generation": ["text"],
               "image-text-to-text": ["text", "image"], "audio-text-to-text": ["text", "audio"],
               "video-text-to-text": ["text", "video"]}


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def _fetch(repo_id: str, filename: str, required: bool) -> Path | None:
    """The file from the cache, else (online) downloaded into the cache, else None/raise."""
    from llmselect.weights.hubcache import cache_dir, find_file

    found = find_file(repo_id, filename)
    if found is not None or _offline():
        if found is None and required:
            raise EnvironmentProblem(
                f"hf:{repo_id}: {filename} is not in the hub cache {cache_dir()} and "
                f"HF_HUB_OFFLINE is set; download it first (huggingface-cli download {repo_id} "
                f"{filename}) or unset HF_HUB_OFFLINE")
        return found
    return _download(repo_id, filename, required)


def _download(repo_id: str, filename: str, required: bool) -> Path | None:
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import (
        EntryNotFoundError,
        GatedRepoError,
        RepositoryNotFoundError,
    )

    from llmselect.weights.hubcache import cache_dir

    try:
        return Path(hf_hub_download(repo_id, filename, cache_dir=cache_dir()))
    except GatedRepoError:
        raise UserError(f"hf:{repo_id} is gated: accept its terms on the hub and set HF_TOKEN") from None
    except RepositoryNotFoundError:
        raise UserError(f"hf:{repo_id}: no such repository on the hub (or it is private: set "
                        "HF_TOKEN)") from None
    except EntryNotFoundError:
        if required:
            raise UserError(f"hf:{repo_id} has no {filename}; it is not a transformers model "
                            "repository (import one of its GGUF files instead)") from None
        return None
    except Exception as exc:  # network errors of every kind
        raise EnvironmentProblem(f"hf:{repo_id}: cannot reach the hub ({type(exc).__name__}); "
                                 "put the repository in the hub cache or retry online") from None


def read_hf(repo_id: str) -> ImportedFacts:
    from llmselect.errors import require_package

    require_package("huggingface_hub", "huggingface_hub", "importing a card from the hub")
    if repo_id.count("/") != 1 or not all(repo_id.split("/")):
        raise UserError(f"hf:{repo_id}: expected hf:ORG/NAME (e.g. hf:HuggingFaceTB/SmolLM2-135M-Instruct)")
    config_path = _fetch(repo_id, "config.json", required=True)
    readme = _fetch(repo_id, "README.md", required=False)
    cfg_src, card_src = f"hf-config:{repo_id}", f"model-card:{repo_id}"
    org, name = repo_id.split("/")
    fields: dict[str, Any] = {"name": name}
    sources = {cfg_src: {"title": f"config.json of {repo_id}", "kind": "model-card",
                         "url": f"https://huggingface.co/{repo_id}/blob/main/config.json",
                         "note": f"read by llmselect models import from {config_path.parent}"}}
    warnings: list[str] = []
    config = _read_config(config_path, repo_id)
    fields |= _config_fields(config, cfg_src)
    params = _parameter_count(repo_id, config_path.parent)
    if params is not None:
        fields["params_total_b"] = sourced(round(params[0] / 1e9, 4), cfg_src, params[1])
    fields["open_weights"] = sourced(True, card_src if readme else cfg_src,
                                     "weights published on the Hugging Face hub")
    fields["weights"] = {"hf_repo": repo_id}
    notes = [f"Imported from the Hugging Face repository {repo_id}."]
    if readme is not None:
        sources[card_src] = {"title": f"Model card (README.md YAML header) of {repo_id}",
                             "kind": "model-card",
                             "url": f"https://huggingface.co/{repo_id}/blob/main/README.md"}
        card_fields, card_notes = _card_fields(readme, card_src, repo_id, warnings)
        fields |= card_fields
        notes += card_notes
    else:
        notes.append("No model card (README.md) found: licence and languages unknown.")
    fields["notes"] = notes
    return ImportedFacts(f"hf:{repo_id}", slug(name), name, fields, sources, org, warnings)


def _read_config(path: Path, repo_id: str) -> dict[str, Any]:
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"{path}: config.json of {repo_id} is not valid JSON ({exc})") from None
    if not isinstance(config, dict):
        raise UserError(f"{path}: config.json of {repo_id} is not a JSON object")
    text = config.get("text_config")  # multimodal models keep the language model's shape here
    merged = {**config, **text} if isinstance(text, dict) else config
    missing = [k for k in ("layers", "heads", "hidden") if _get(merged, k) is None]
    if missing:
        names = ", ".join(_ALIASES[k][0] for k in missing)
        raise UserError(f"{path}: config.json of {repo_id} has no {names} (model_type "
                        f"{config.get('model_type')!r}): not a transformers language-model "
                        "config; import a GGUF of the model or write its card by hand")
    return merged


def _get(config: dict, what: str) -> Any:
    return next((config[k] for k in _ALIASES[what] if config.get(k) is not None), None)


def _config_fields(config: dict, src: str) -> dict[str, Any]:
    layers, heads, hidden = (int(_get(config, k)) for k in ("layers", "heads", "hidden"))
    kv = config.get("num_key_value_heads") or config.get("num_kv_heads")
    notes = []
    if kv is None:
        kv = heads
        notes.append("no num_key_value_heads: one KV head per attention head")
    if config.get("head_dim"):
        head_dim = int(config["head_dim"])
    else:
        head_dim = hidden // heads
        notes.append(f"head_dim = hidden_size {hidden} / num_attention_heads {heads}")
    arch: dict[str, Any] = {"layers": layers, "kv_heads": int(kv), "head_dim": head_dim,
                            "hidden_size": hidden}
    window = config.get("sliding_window")
    if window and config.get("use_sliding_window", True):
        arch["sliding_window"] = int(window)
    arch["attention"] = "mha" if kv == heads else "mqa" if kv == 1 else "gqa"
    dtype = config.get("torch_dtype") or config.get("dtype")
    kind = (config.get("architectures") or [config.get("model_type")])[0]
    notes.insert(0, f"{kind}" + (f", weights in {dtype}" if dtype else ""))
    out: dict[str, Any] = {"architecture": {**arch, "source": src, "note": "; ".join(notes)}}
    context = _get(config, "context")
    if context:
        key = next(k for k in _ALIASES["context"] if config.get(k) is not None)
        out["context_tokens"] = sourced(int(context), src, key)
    return out


def _parameter_count(repo_id: str, snapshot: Path) -> tuple[int, str] | None:
    """Exact count from the safetensors headers in the cache (each file's first bytes: a
    little-endian u64 length, then a JSON map of tensor shapes), else online from the hub's
    safetensors metadata; None when neither is available."""
    files = sorted(snapshot.glob("*.safetensors"))
    if files:
        try:
            total = sum(_safetensors_params(f) for f in files)
            return total, f"{total:,} parameters summed over the safetensors tensors ({len(files)} files)"
        except (OSError, ValueError):
            pass
    index = snapshot / "model.safetensors.index.json"
    if index.is_file():
        meta = json.loads(index.read_text(encoding="utf-8")).get("metadata") or {}
        if meta.get("total_parameters"):
            total = int(meta["total_parameters"])
            return total, f"{total:,} parameters (model.safetensors.index.json total_parameters)"
    if _offline():
        return None
    try:
        from huggingface_hub import get_safetensors_metadata

        info = get_safetensors_metadata(repo_id)
    except Exception:  # no safetensors, gated, offline: the count stays unknown
        return None
    total = sum(info.parameter_count.values())
    return total, f"{total:,} parameters (hub safetensors metadata, by dtype {info.parameter_count})"


def _safetensors_params(path: Path) -> int:
    with path.open("rb") as fh:
        (length,) = struct.unpack("<Q", fh.read(8))
        if length > 100_000_000:
            raise ValueError("implausible safetensors header")
        header = json.loads(fh.read(length))
    return sum(prod(t["shape"]) for k, t in header.items() if k != "__metadata__")


def _card_fields(readme: Path, src: str, repo_id: str,
                 warnings: list[str]) -> tuple[dict[str, Any], list[str]]:
    from huggingface_hub import ModelCard

    try:
        data = ModelCard.load(readme).data.to_dict()
    except Exception as exc:  # malformed YAML header
        warnings.append(f"hf:{repo_id}: README.md YAML header unreadable ({exc}): licence and "
                        "languages left unknown")
        return {}, []
    fields: dict[str, Any] = {}
    notes: list[str] = []
    raw = data.get("license")
    if raw:
        fields |= _licence(str(raw), data.get("license_name"), src, repo_id, warnings)
    langs = data.get("language")
    if langs:
        items = langs if isinstance(langs, list) else [langs]
        fields["languages"] = sourced([_lang(x) for x in items], src, "language")
    tag = data.get("pipeline_tag")
    if tag in _MODALITIES:
        fields["modalities"] = sourced(_MODALITIES[tag], src, f"pipeline_tag {tag}")
    elif tag:
        notes.append(f"Pipeline tag (model card): {tag}.")
    base = data.get("base_model")
    if base:
        base = ", ".join(base) if isinstance(base, list) else base
        notes.append(f"Base model (model card): {base}.")
    return fields, notes


def _lang(code: Any) -> str:
    text = str(code).strip().lower()
    return "multi" if text in {"multilingual", "multi"} else text


def _licence(raw: str, long_name: Any, src: str, repo_id: str,
             warnings: list[str]) -> dict[str, Any]:
    lic = licences.lookup(raw)
    if lic is None and raw.lower() == "other" and long_name:
        lic, raw = licences.lookup(str(long_name)), str(long_name)
    if lic is None:
        warnings.append(f"hf:{repo_id}: licence {raw!r} (model card) is not one llmselect "
                        "knows: kept as written; commercial use and licence openness stay "
                        "unknown until you set commercial_use in the card")
        return {"license": sourced(raw, src, "model card licence, not one llmselect knows: check it")}
    out = {"license": sourced(lic.key, src, f"model card license {raw!r} ({lic.name})")}
    if lic.commercial_use is not None:
        out["commercial_use"] = sourced(lic.commercial_use, src, lic.name)
    if lic.restriction:
        out["commercial_restriction"] = sourced(lic.restriction, src)
    return out

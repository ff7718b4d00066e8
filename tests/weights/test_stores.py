"""Weights found where Ollama and huggingface_hub leave them (stores built in a temp folder
exactly as their owners write them), and a broken store refused in one line (exit 2)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from llmselect.cli.main import app
from llmselect.weights import resolve
from tests.helpers.stores import bundled_gguf, make_hub_cache, make_ollama_store

CPU = resolve.Machine(free_gb=16.0)


@pytest.fixture
def store(tmp_path, monkeypatch):
    root = make_ollama_store(tmp_path, bundled_gguf(), "smollm2", "135m", link=True)
    monkeypatch.setenv("OLLAMA_MODELS", str(root))
    return root


def bench_plan_args(model: str, *extra: str) -> list[str]:
    return ["bench", model, "--suite", "quick", "--tasks", "mmlu", "--dry-run", *extra]


def _model_blob(root):
    manifest = json.loads((root / "manifests/registry.ollama.ai/library/smollm2/135m").read_text())
    return root / "blobs" / manifest["layers"][0]["digest"].replace(":", "-")


def test_ollama_ref_and_card_tag_give_the_same_blob(store):
    from llmselect.specs import resolve_spec

    direct = resolve_spec("ollama:smollm2:135m")
    via_card = resolve_spec("smollm2-135m", weights_from="ollama")
    assert direct.gguf_path == via_card.gguf_path == _model_blob(store)
    assert direct.source == via_card.source == "ollama" and direct.catalog_id == "smollm2-135m-instruct"
    assert direct.sha256 == _model_blob(store).name.removeprefix("sha256-")


@pytest.mark.parametrize(("damage", "expected"), [
    ("unknown-tag", "no tag '7b' in"),
    ("no-model-layer", "has no model layer"),
    ("missing-blob", "is missing from"),
    ("truncated-blob", "(a truncated pull)"),
    ("wrong-digest", "differs from the manifest's"),
])
def test_broken_store_one_line_exit_2(store, tmp_path, damage, expected):
    manifest_path = store / "manifests/registry.ollama.ai/library/smollm2/135m"
    model = "ollama:smollm2:135m"
    blob = _model_blob(store)
    if damage == "unknown-tag":
        model = "ollama:smollm2:7b"
    elif damage == "no-model-layer":
        manifest = json.loads(manifest_path.read_text())
        manifest["layers"] = [la for la in manifest["layers"] if not la["mediaType"].endswith("model")]
        manifest_path.write_text(json.dumps(manifest))
    elif damage == "missing-blob":
        blob.unlink()
    else:
        data = blob.read_bytes()
        blob.unlink()  # a hard link to the package's file: never write through it
        blob.write_bytes(data[:1000] if damage == "truncated-blob" else data[:-1] + b"\0")
    out = CliRunner().invoke(app, bench_plan_args(model))
    assert out.exit_code == 2, out.output
    assert expected in out.output and "Traceback" not in out.output
    errors = [line for line in out.output.splitlines() if "error" in line.lower()]
    assert len(errors) == 1


def test_card_tag_broken_blob_is_an_error_not_a_skip(store):
    """A present but damaged store must not be passed over silently for a download."""
    blob = _model_blob(store)
    data = blob.read_bytes()
    blob.unlink()
    blob.write_bytes(data[:-1] + b"\0")
    out = CliRunner().invoke(app, bench_plan_args("smollm2-135m", "--weights-from", "ollama"))
    assert out.exit_code == 2 and "differs from the manifest's" in out.output


def test_hub_cache_gguf_offline(tmp_path, monkeypatch):
    from llmselect.catalog import load_catalog

    cache = make_hub_cache(tmp_path, "test-org/SmolLM2-GGUF", {
        "SmolLM2-Q4_K_M.gguf": bundled_gguf().read_bytes(), "README.md": "# card"})
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("OLLAMA_MODELS", str(tmp_path / "none"))
    base = load_catalog().find_model("smollm2-135m")
    card = base.model_copy(update={"weights": base.weights.model_copy(update={
        "gguf_repo": "test-org/SmolLM2-GGUF", "gguf_pattern": "SmolLM2-{quant}.gguf",
        "pypi_package": None, "pypi_gguf_glob": None})})
    spec = resolve.card_spec("smollm2-135m", card, machine=CPU)
    assert spec.source == "hub-cache" and spec.gguf_path.name == "SmolLM2-Q4_K_M.gguf"
    assert spec.gguf_path.read_bytes()[:4] == b"GGUF"
    with pytest.raises(Exception, match="--weights-from hub-cache: .* not Q8_0"):
        resolve.card_spec("smollm2-135m", card, "hub-cache", "Q8_0", machine=CPU)


def test_hub_cache_transformers_snapshot_offline(tmp_path, monkeypatch):
    from llmselect.catalog import load_catalog

    cache = make_hub_cache(tmp_path, "test-org/Tiny", {"config.json": "{}", "model.safetensors": b"x"})
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    base = load_catalog().find_model("smollm2-135m")
    card = base.model_copy(update={"weights": base.weights.model_copy(update={
        "hf_repo": "test-org/Tiny", "gguf_repo": None, "pypi_package": None, "ollama_tag": None})})
    spec = resolve.card_spec("smollm2-135m", card, "hub-cache", machine=CPU)
    assert spec.kind == "dir" and spec.backend == "hf" and (spec.gguf_path is None)
    assert spec.weights.endswith("/snapshots/" + spec.weights.rsplit("/", 1)[-1])
    gpu = resolve.card_spec("smollm2-135m", card, "hub-cache",
                            machine=resolve.Machine(16.0, [{"name": "A100", "vram_gb": 80.0}]))
    assert gpu.suggested_options == {"dtype": "bfloat16"}

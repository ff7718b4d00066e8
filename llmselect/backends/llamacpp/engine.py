"""A thin engine over llama.cpp's low-level API: one sequence, a KV cache we control, logits only
where they are read.

WHY not `llama_cpp.Llama`: its `eval()` either keeps logits for every position (`logits_all=True`,
a vocab-sized row per token: 49k-262k floats) or only the last one, and it never lets us keep a
shared prefix while asking for logits in the middle. Here `evaluate(tokens, keep, want_from)`
drops the cache after `keep` tokens (`llama_memory_seq_rm`), decodes the rest in `n_batch` chunks
and flags only positions >= `want_from` for output. That is what makes prefix sharing exact.
"""

from __future__ import annotations

import ctypes
import logging
from pathlib import Path

import numpy as np

from llmselect.errors import UserError, require_package


def physical_cores() -> int:
    """Physical cores (llama.cpp scales badly onto hyper-threads)."""
    import psutil

    return psutil.cpu_count(logical=False) or psutil.cpu_count() or 1


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise log-softmax in float64 (sums over 262k-token vocabularies stay exact to 1e-6)."""
    x = logits.astype(np.float64, copy=False)
    m = x.max(axis=-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))


# ggml's CPU kernels pick another code path for small batches than for large ones, so the logits
# of a short batch after a cached prefix can differ from a full evaluation's: K-quants differed
# for batches of 3-7 tokens on one machine (up to 1 nat on gemma3 Q4_K_M) and for 1-2 tokens on
# another (1.03 nat, an AMD EPYC without AVX-512); float weights use a dot-product kernel for a
# single token (1e-5 nat in f32, 0.01 in f16, 0.05 in bf16). So a tail shorter than
# MIN_EXACT_BATCH after a cached prefix is never decoded alone: the cache is cut back so that
# MIN_EXACT_BATCH tokens are decoded; and the cache of a whole sequence shorter than that (decoded
# in one short batch) is not reused for a longer one. At least two positions are flagged for
# output (the output layer only sees the flagged rows).
MIN_EXACT_BATCH = 8
KV_STEP = 512  # the KV cache grows in steps of this many positions (see LlamaEngine.reserve)


def chunk_sizes(total: int, n_batch: int) -> list[int]:
    """Split `total` tokens into near-equal chunks of at most n_batch (so no short last chunk)."""
    if total <= 0:
        return []
    n = -(-total // n_batch)
    base, extra = divmod(total, n)
    return [base + 1] * extra + [base] * (n - extra)


class LlamaEngine:
    """Model + context + batch of one GGUF file. Not thread-safe (one KV cache)."""

    def __init__(self, path: str | Path, *, n_ctx: int = 0, n_threads: int | None = None,
                 n_batch: int = 512, verbose: bool = False, arch: str = "?",
                 flash_attn: int = 0, type_kv: int | None = 0, repack: bool = False):
        self.lib = require_package("llama_cpp", "llama-cpp-python", "the llama.cpp backend")
        from llama_cpp import _internals, _logger

        _logger.logger.setLevel(logging.DEBUG if verbose else logging.CRITICAL)
        self.path = str(path)
        self.repack = bool(repack)
        self.model = self._load_model(_internals, arch, verbose)
        self.vocab = self.model.vocab
        self.n_vocab = self.lib.llama_vocab_n_tokens(self.vocab)
        # sliding-window attention (gemma3: 512): a saved state longer than the window does not
        # restore exactly, see save_state()
        self.n_swa = max(0, int(self.lib.llama_model_n_swa(self.model.model)))
        n_ctx_train = self.model.n_ctx_train()
        self.n_ctx = int(n_ctx) if n_ctx else n_ctx_train
        self.n_batch = max(1, min(int(n_batch), self.n_ctx))
        self.n_threads = int(n_threads) if n_threads else physical_cores()
        self.flash_attn, self.type_kv = int(flash_attn), type_kv
        self._verbose = verbose
        self.kv_size = min(self.n_ctx, KV_STEP * 2)  # grown on demand up to n_ctx: see reserve()
        self._open_context()
        self._batch = self.lib.llama_batch_init(self.n_batch, 0, 1)
        for i in range(self.n_batch):  # one sequence (id 0) for every slot, set once
            self._batch.n_seq_id[i] = 1
            self._batch.seq_id[i][0] = 0
        self.tokens_evaluated = 0

    def _load_model(self, internals, arch: str, verbose: bool):
        params = self.lib.llama_model_default_params()
        params.n_gpu_layers = 0
        # Repacked weights (Q4_0/Q4_K/IQ4_NL on x86) use another kernel for large batches than for
        # small ones, so logits depend on batch shape (0.67 nat on gemma3 Q4_K_M): off by default.
        params.use_extra_bufts = self.repack
        try:
            return internals.LlamaModel(path_model=self.path, params=params, verbose=verbose)
        except (ValueError, RuntimeError) as exc:
            raise UserError(
                f"llama.cpp could not load {self.path!r} (architecture {arch!r}): unsupported by "
                f"llama-cpp-python {self.lib.__version__} or a corrupt file ({exc}); "
                "upgrade llama-cpp-python or use the hf backend"
            ) from None

    def reserve(self, n_tokens: int) -> None:
        """Make the KV cache hold at least n_tokens positions (at most the window, n_ctx).

        WHY: llama.cpp allocates and clears the whole KV cache up front, 190 MB for a 4096-token
        window of SmolLM2 in f32. The window decides truncation; the cache only needs the longest
        sequence actually evaluated (MMLU 5-shot: ~600-2,600 tokens). Growing re-creates the
        context, which drops the cached prefix: callers reserve for a whole batch of requests first.
        """
        want = min(self.n_ctx, -(-max(n_tokens, 1) // KV_STEP) * KV_STEP)
        if want > self.kv_size:
            self.ctx.close()
            self.kv_size = want
            self._open_context()

    def _open_context(self) -> None:
        from llama_cpp import _internals

        self.ctx = self._new_context(_internals, self._verbose)
        self.mem = self.lib.llama_get_memory(self.ctx.ctx)
        self.cached = []
        self._short_cache = False

    def _new_context(self, internals, verbose: bool):
        p = self.lib.llama_context_default_params()
        p.n_ctx = self.kv_size
        p.n_batch = p.n_ubatch = self.n_batch
        p.n_threads = p.n_threads_batch = self.n_threads
        p.n_seq_max = 1
        p.swa_full = True  # sliding-window models (gemma3): keep every position so tails can be cut
        p.no_perf = True
        # Exactness: with flash attention (or an f16 KV cache under K-quant weights) llama.cpp's
        # results depend on how the tokens were split into batches (up to 1 nat on gemma3), so a
        # cached prefix would not give the same logprobs as a full evaluation. The LM's defaults
        # (no flash attention; KV f32 for quantised, f16 for float weights) are batch-invariant.
        p.flash_attn_type = self.flash_attn  # -1 auto, 0 off, 1 on
        if self.type_kv is not None:
            p.type_k = p.type_v = int(self.type_kv)
        try:
            return internals.LlamaContext(model=self.model, params=p, verbose=verbose)
        except ValueError as exc:
            raise UserError(f"llama.cpp could not create a context of n_ctx={self.kv_size} for "
                            f"{self.path!r} ({exc}); lower n_ctx") from None

    # -- tokens ---------------------------------------------------------------------------
    def tokenize(self, text: str, add_special: bool) -> list[int]:
        """Token ids; special-token text such as '<|im_start|>' is parsed like HF tokenizers do."""
        return self.model.tokenize(text.encode("utf-8"), add_special, True)

    def detokenize(self, tokens: list[int], render_special: bool = False) -> str:
        """Text of tokens (llama_detokenize handles multi-byte pieces split across tokens)."""
        if not tokens:
            return ""
        arr = (self.lib.llama_token * len(tokens))(*tokens)
        size = 8 * len(tokens) + 16
        while True:
            buf = ctypes.create_string_buffer(size)
            n = self.lib.llama_detokenize(self.vocab, arr, len(tokens), buf, size, False, render_special)
            if n >= 0:
                return buf.raw[:n].decode("utf-8", errors="replace")
            size = -n + 1

    def piece(self, token: int) -> str:
        return self.detokenize([token], render_special=True)

    def is_eog(self, token: int) -> bool:
        return bool(self.lib.llama_vocab_is_eog(self.vocab, token))

    # -- evaluation -----------------------------------------------------------------------
    def cut_cache(self, keep: int) -> int:
        """Drop cached positions >= keep; returns the number of positions actually kept."""
        keep = min(keep, len(self.cached))
        if keep < len(self.cached):
            if not self.lib.llama_memory_seq_rm(self.mem, 0, keep, -1):
                self.lib.llama_memory_clear(self.mem, True)
                keep = 0
            del self.cached[keep:]
        return keep

    def evaluate(self, tokens, keep: int, want_from: int) -> np.ndarray:
        """Make the cache hold `tokens`, reusing its first `keep` cached positions; return the
        raw logits rows for positions want_from..len(tokens)-1 (shape [n, n_vocab])."""
        self.reserve(len(tokens))
        if self._short_cache and len(tokens) >= MIN_EXACT_BATCH:
            keep = 0  # that cache came from a 3-7 token batch: not what a full evaluation computes
        keep = self.cut_cache(min(keep, len(tokens) - 1))
        if keep > 0 and len(tokens) - keep < MIN_EXACT_BATCH:  # see MIN_EXACT_BATCH
            keep = self.cut_cache(max(0, len(tokens) - MIN_EXACT_BATCH))
        self._short_cache = len(tokens) < MIN_EXACT_BATCH
        want_from = max(want_from, keep)
        flag_from = max(keep, min(want_from, len(tokens) - 2))  # >= 2 output rows: see MIN_EXACT_BATCH
        rows: list[np.ndarray] = []
        pos = keep
        for size in chunk_sizes(len(tokens) - keep, self.n_batch):
            rows.extend(self._decode_chunk(tokens[pos:pos + size], pos, flag_from))
            pos += size
        rows = rows[want_from - flag_from:]
        return np.stack(rows) if rows else np.empty((0, self.n_vocab), np.float32)

    def _decode_chunk(self, chunk, pos0: int, want_from: int) -> list[np.ndarray]:
        n = len(chunk)
        b = self._batch
        flagged = []
        for i in range(n):
            b.token[i] = chunk[i]
            b.pos[i] = pos0 + i
            out = pos0 + i >= want_from
            b.logits[i] = out
            if out:
                flagged.append(i)
        b.n_tokens = n
        rc = self.lib.llama_decode(self.ctx.ctx, b)
        if rc != 0:
            raise RuntimeError(f"llama_decode failed with code {rc} at position {pos0} (n_ctx={self.n_ctx})")
        self.cached.extend(chunk)
        self.tokens_evaluated += n
        return [np.ctypeslib.as_array(self.lib.llama_get_logits_ith(self.ctx.ctx, i),
                                      shape=(self.n_vocab,)).copy() for i in flagged]

    # -- saved prefix states (see prefix_states) ---------------------------------------------
    def save_state(self) -> bytes:
        """The KV cells of the cached sequence, as llama.cpp serialises them. With a sliding
        window (``n_swa``) only a sequence no longer than the window restores exactly: llama.cpp
        writes only the window's cells of a longer one (``state_write`` skips SWA-masked cells,
        ``swa_full`` or not). Measured on gemma3 (window 512): a restored state of 513 or more
        tokens moves the next logits by 0.07-1 nat when cut back, and by up to 0.013 nat even
        when only continued (bf16 weights, f16 KV: the attention runs over another cell layout
        than a fresh evaluation's); one of 300-512 tokens followed by a tail well past 512 is
        exact."""
        size = self.lib.llama_state_seq_get_size(self.ctx.ctx, 0)
        buf = (ctypes.c_uint8 * size)()
        got = self.lib.llama_state_seq_get_data(self.ctx.ctx, buf, size, 0)
        return bytes(memoryview(buf)[:got])

    def load_state(self, tokens: tuple[int, ...], data: bytes) -> bool:
        """Replace the cache by a saved state of ``tokens``; False (cache empty) if llama.cpp
        refuses it."""
        self.lib.llama_memory_clear(self.mem, True)
        buf = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        ok = self.lib.llama_state_seq_set_data(self.ctx.ctx, buf, len(data), 0) != 0
        self.cached = list(tokens) if ok else []
        self._short_cache = False
        return ok

    def greedy(self, prompt: list[int], max_new: int, should_stop) -> list[int]:
        """Greedy continuation of prompt: stops at an end-of-generation token, after max_new
        tokens, at the end of the window, or when should_stop(generated_tokens) is true."""
        from llmselect.backends.llamacpp.prefix_order import common_prefix_len

        self.reserve(len(prompt) + max_new)
        keep = min(common_prefix_len(self.cached, prompt), len(prompt) - 1)
        logits = self.evaluate(prompt, keep, len(prompt) - 1)[-1]
        out: list[int] = []
        while len(out) < max_new:
            tok = int(np.argmax(logits))
            if self.is_eog(tok):
                break
            out.append(tok)
            if should_stop(out) or len(self.cached) >= self.n_ctx:
                break
            logits = self._decode_chunk([tok], len(self.cached), len(self.cached))[-1]
        return out

    def close(self) -> None:
        if getattr(self, "_batch", None) is not None:
            self.lib.llama_batch_free(self._batch)
            self._batch = None
        self.ctx.close()
        self.model.close()

"""KV states of evaluated sequences, kept across lm-eval calls, so that a later sequence sharing
a long prefix with one of them (a few-shot block) restores it instead of evaluating it again.

WHY: within one lm-eval call the engine evaluates a shared prefix once (``prefix_order``), but a
race or a ``--precision`` run asks lm-eval again every round, and each round holds a few new
questions of every MMLU subject. Without this store every round re-evaluates the 57 five-shot
blocks (~650 tokens each), which costs more than the new questions themselves (~70 tokens each).

How: after a sequence is evaluated, its state is saved when no saved state begins with the same
MIN_SHARED tokens (the first question of a subject). A later sequence restores the saved state it
shares most tokens with and cuts it back to the shared part (the block, plus any common start of
the question), then evaluates only its own tail. So a block is evaluated once per candidate for
the whole race, even when every round holds a single question of its subject; restored KV cells
are the bytes llama.cpp computed for those tokens, as exact as keeping them in the cache. Beyond a
byte budget states are dropped (see ``PrefixStates`` for which).
"""

from __future__ import annotations

from collections import OrderedDict

from llmselect.backends.llamacpp.prefix_order import common_prefix_len

MIN_SHARED = 64  # tokens: below this a saved state costs more bookkeeping than it saves


class PrefixStates:
    """Saved KV states keyed by the tokens they hold, indexed by their first MIN_SHARED tokens.

    Over the byte budget the most recently used state other than the new one is dropped, not the
    least recent: rounds visit the heads (subjects) in the same order every time, a cyclic scan,
    and once they outgrow the budget LRU drops exactly the state the next round needs first, so
    nothing hits. An 8B model's 57 MMLU blocks outgrow the 1 GB default (~30,000 tokens at 128 KB
    of f16 KV each, ~4 GB). Dropping the most recent keeps a fixed part of the cycle, which then
    hits every round."""

    def __init__(self, capacity_bytes: int):
        self.capacity = max(0, int(capacity_bytes))
        self._states: OrderedDict[tuple[int, ...], bytes] = OrderedDict()
        self._by_head: dict[tuple[int, ...], set[tuple[int, ...]]] = {}
        self.size = 0

    def __len__(self) -> int:
        return len(self._states)

    def best(self, tokens: tuple[int, ...], at_most: int) -> tuple[tuple[int, ...], bytes, int] | None:
        """The saved state sharing the longest prefix with ``tokens``, and how many of its
        tokens to keep: that shared length, at most ``at_most`` (where logits are first read);
        None when none shares MIN_SHARED tokens."""
        best, best_len = None, 0
        for key in self._by_head.get(tuple(tokens[:MIN_SHARED]), ()):
            n = min(common_prefix_len(key, tokens), at_most)
            if n > best_len:
                best, best_len = key, n
        if best is None or best_len < MIN_SHARED:
            return None
        self._states.move_to_end(best)
        return best, self._states[best], best_len

    def knows(self, tokens: tuple[int, ...]) -> bool:
        """Whether a saved state begins like ``tokens`` (then saving ``tokens`` adds nothing)."""
        return len(tokens) < MIN_SHARED or tuple(tokens[:MIN_SHARED]) in self._by_head

    def put(self, tokens: tuple[int, ...], data: bytes) -> None:
        if len(tokens) < MIN_SHARED or tokens in self._states or len(data) > self.capacity:
            return
        self._states[tokens] = data
        self._by_head.setdefault(tokens[:MIN_SHARED], set()).add(tokens)
        self.size += len(data)
        while self.size > self.capacity:  # the most recently used other state goes: see the class
            old = next(k for k in reversed(self._states) if k != tokens)
            data = self._states.pop(old)
            self.size -= len(data)
            keys = self._by_head[old[:MIN_SHARED]]
            keys.discard(old)
            if not keys:
                del self._by_head[old[:MIN_SHARED]]

"""KV states of long shared prefixes, kept across lm-eval calls.

WHY: within one lm-eval call the engine evaluates a shared prefix once (``prefix_order``), but a
race or a ``--precision`` run asks lm-eval again every round, and each round holds a few new
questions of every MMLU subject: without this store every round re-evaluates all 57 five-shot
blocks (~650 tokens each), which costs more than the new questions themselves (~70 tokens each).
A restored state is the bytes llama.cpp computed for those tokens, so reusing it is as exact as
keeping the prefix in the cache. Least recently used states are dropped beyond a byte budget.
"""

from __future__ import annotations

from collections import OrderedDict

from llmselect.backends.llamacpp.prefix_order import EvalGroup, common_prefix_len

MIN_SHARED = 64  # tokens: below this a saved state costs more bookkeeping than it saves


class PrefixStates:
    """Saved KV states keyed by the tokens they hold, least recently used dropped first, plus a
    memory of recent sequences by their first MIN_SHARED tokens (to find a block to save)."""

    def __init__(self, capacity_bytes: int):
        self.capacity = max(0, int(capacity_bytes))
        self._states: OrderedDict[tuple[int, ...], bytes] = OrderedDict()
        self.size = 0
        self._seen: OrderedDict[tuple[int, ...], tuple[int, ...]] = OrderedDict()

    def seen_prefix(self, tokens: tuple[int, ...], need_from: int) -> int:
        """The prefix ``tokens`` shares with the last sequence evaluated that began with the same
        MIN_SHARED tokens (in this call or an earlier one), then remember ``tokens``. WHY: a round
        often holds a single question of a subject; its neighbour in the next round finds it here,
        so the subject's few-shot block is saved then, not only when two arrive together."""
        if not self.capacity or len(tokens) < MIN_SHARED:
            return 0
        head = tuple(tokens[:MIN_SHARED])
        other = self._seen.get(head)
        self._seen[head] = tuple(tokens[:need_from])
        self._seen.move_to_end(head)
        while len(self._seen) > 4096:
            self._seen.popitem(last=False)
        return 0 if other is None else min(common_prefix_len(other, tokens), need_from)

    def __len__(self) -> int:
        return len(self._states)

    def longest(self, tokens: tuple[int, ...], at_most: int) -> tuple[tuple[int, ...], bytes] | None:
        """The longest saved prefix of ``tokens`` no longer than ``at_most`` tokens."""
        best = None
        for key in self._states:
            if MIN_SHARED <= len(key) <= at_most and (best is None or len(key) > len(best)) \
                    and tokens[:len(key)] == key:
                best = key
        if best is None:
            return None
        self._states.move_to_end(best)
        return best, self._states[best]

    def put(self, tokens: tuple[int, ...], data: bytes) -> None:
        if tokens in self._states or len(data) > self.capacity:
            return
        self._states[tokens] = data
        self.size += len(data)
        while self.size > self.capacity:
            _, old = self._states.popitem(last=False)
            self.size -= len(old)


def shared_prefixes(groups: list[EvalGroup]) -> list[int]:
    """For each group (in evaluation order), the length of the prefix it shares with a
    neighbour when that is worth saving (≥ MIN_SHARED tokens, before any logits it reads), else 0.

    The groups are sorted lexicographically, so a block of neighbours sharing a few-shot prompt is
    contiguous; its common prefix is the prefix of its first and last member."""
    n = len(groups)
    lcp = [common_prefix_len(groups[i].tokens, groups[i + 1].tokens) for i in range(n - 1)]
    out = [0] * n
    i = 0
    while i < n:
        j = i
        while j < n - 1 and lcp[j] >= MIN_SHARED:
            j += 1
        if j > i:
            shared = min(lcp[i:j])
            for k in range(i, j + 1):
                out[k] = min(shared, groups[k].need_from)
        i = j + 1
    return out

"""Order scoring requests so that shared token prefixes are evaluated once.

WHY: on a CPU the cost of a loglikelihood evaluation is proportional to the tokens run through
the model. lm-eval's requests repeat a lot: every question of an MMLU subject starts with the same
few-shot block, and every answer choice repeats its question. Sorting the token sequences
lexicographically puts sequences with a common prefix next to each other; the engine then keeps the
KV cache of that prefix and evaluates only the differing tail. Requests whose model input is
identical (single-token answer choices " A"/" B"/" C"/" D") are merged and scored from the same
logits. Pure functions, no llama.cpp: unit-testable.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class EvalGroup:
    """One model input shared by one or more requests.

    tokens: the model input (context + continuation minus its last token, left-truncated).
    need_from: the first position whose logits some request reads.
    members: (request index, first position that request reads).
    """

    tokens: tuple[int, ...]
    need_from: int
    members: list[tuple[int, int]] = field(default_factory=list)


def group_and_sort(inputs: list[tuple[int, ...]], read_from: list[int]) -> list[EvalGroup]:
    """Merge requests with identical inputs and return groups in lexicographic token order."""
    groups: dict[tuple[int, ...], EvalGroup] = {}
    for i, (toks, start) in enumerate(zip(inputs, read_from)):
        g = groups.get(toks)
        if g is None:
            g = groups[toks] = EvalGroup(tokens=toks, need_from=start)
        g.need_from = min(g.need_from, start)
        g.members.append((i, start))
    return [groups[k] for k in sorted(groups)]


def common_prefix_len(a: list[int] | tuple[int, ...], b: list[int] | tuple[int, ...]) -> int:
    """Length of the longest common prefix of two token sequences."""
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def reusable_len(cached: list[int], tokens: tuple[int, ...], need_from: int) -> int:
    """How many cached tokens can stay: the common prefix, but never past the first position
    whose logits are needed (logits are only kept for the last evaluation)."""
    return min(common_prefix_len(cached, tokens), need_from)


def tokens_to_evaluate(groups: list[EvalGroup]) -> int:
    """Tokens the engine will run for these groups in this order (for benchmarks and tests)."""
    cached: list[int] = []
    total = 0
    for g in groups:
        keep = reusable_len(cached, g.tokens, g.need_from)
        total += len(g.tokens) - keep
        cached = list(g.tokens)
    return total

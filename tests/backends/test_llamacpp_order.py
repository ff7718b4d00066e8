"""Request ordering and batch splitting of the llama.cpp backend (pure logic, no model)."""

from __future__ import annotations

from llmselect.backends.llamacpp.engine import MIN_EXACT_BATCH, chunk_sizes
from llmselect.backends.llamacpp.prefix_order import group_and_sort, reusable_len, tokens_to_evaluate

FEWSHOT = (1, 2, 3, 4, 5, 6, 7, 8)


def test_identical_inputs_are_scored_from_one_evaluation():
    q = FEWSHOT + (20, 21)
    groups = group_and_sort([q, q, q, q], [len(q) - 1] * 4)
    assert len(groups) == 1 and [i for i, _ in groups[0].members] == [0, 1, 2, 3]


def test_shared_prefixes_become_neighbours_and_are_evaluated_once():
    a1, b1, a2, b2 = FEWSHOT + (30, 31), (9, 9, 9, 9, 31), FEWSHOT + (40, 41, 42), (9, 9, 9, 9, 41)
    inputs = [a1, b1, a2, b2]
    groups = group_and_sort(inputs, [len(x) - 1 for x in inputs])
    assert [g.tokens for g in groups] == [a1, a2, b1, b2]
    naive = sum(len(x) for x in inputs)
    # a2 reuses the 8 few-shot tokens of a1; b2 reuses 4 tokens of b1
    assert tokens_to_evaluate(groups) == naive - 8 - 4


def test_multi_token_continuations_keep_the_minimum_read_position():
    ctx = FEWSHOT
    groups = group_and_sort([ctx, ctx], [7, 5])  # one request reads 1 position, the other 3
    assert groups[0].need_from == 5 and groups[0].members == [(0, 7), (1, 5)]


def test_cache_is_never_kept_past_the_first_position_read():
    cached = list(FEWSHOT)
    assert reusable_len(cached, FEWSHOT, need_from=8) == 8
    assert reusable_len(cached, FEWSHOT, need_from=5) == 5  # logits of 5.. must be recomputed
    assert reusable_len(cached, (1, 2, 99), need_from=2) == 2


def test_chunks_are_balanced_and_never_short():
    for total in (1, 7, 512, 513, 515, 1030, 4096):
        sizes = chunk_sizes(total, 512)
        assert sum(sizes) == total and max(sizes) <= 512
        assert len(sizes) == 1 or min(sizes) >= MIN_EXACT_BATCH
    assert chunk_sizes(0, 512) == []

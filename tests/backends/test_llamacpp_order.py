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


def test_saved_states_best_shared_prefix_and_byte_budget():
    """The saved state sharing most tokens wins, cut to the shared part and never past where
    logits are read; a state of another head is never considered; over the budget the most
    recently used other state goes."""
    from llmselect.backends.llamacpp.prefix_states import MIN_SHARED, PrefixStates

    block = tuple(range(MIN_SHARED + 10))
    states = PrefixStates(capacity_bytes=250)
    states.put(block + (1, 2, 3), b"x" * 100)      # the first question of a subject
    states.put(block + (7, 7), b"y" * 100)
    key, data, keep = states.best(block + (7, 7, 9), at_most=500)
    assert (key, data, keep) == (block + (7, 7), b"y" * 100, len(block) + 2)
    assert states.best(block + (1, 5), at_most=500)[1:] == (b"x" * 100, len(block) + 1)
    assert states.best(block + (7, 7, 9), at_most=len(block) + 1)[2] == len(block) + 1
    assert states.best((1,) + block, at_most=500) is None               # another head
    assert states.best(block[:MIN_SHARED - 1] + (99,) * 20, at_most=500) is None  # < MIN_SHARED shared
    assert states.knows(block + (5,)) and not states.knows((1,) + block)
    states.put(tuple(range(1, MIN_SHARED + 5)), b"z" * 100)  # over 250 bytes: most recent other goes
    assert len(states) == 2 and states.size == 200
    assert states.best(block + (7, 7, 9), 500)[0] == block + (1, 2, 3)  # the y state is gone
    states.put(tuple(range(2, MIN_SHARED + 5)), b"w" * 100)            # x was used last: it goes
    assert not states.knows(block) and len(states) == 2  # its head's index went with it
    states.put(block[:10], b"s")  # too short to be worth a state
    assert len(states) == 2


def test_saved_states_keep_part_of_a_cycle_larger_than_the_budget():
    """Rounds visit the same heads in the same order. With room for 3 of 5 states, least-recent
    eviction would miss every time; the store keeps hitting on part of the cycle."""
    from llmselect.backends.llamacpp.prefix_states import MIN_SHARED, PrefixStates

    heads = [tuple(range(h, h + MIN_SHARED + 20)) for h in range(5)]
    states = PrefixStates(capacity_bytes=300)
    hits = []
    for _ in range(4):
        round_hits = 0
        for h in heads:
            if states.best(h, at_most=500):
                round_hits += 1
            else:
                states.put(h, b"k" * 100)
        hits.append(round_hits)
    assert hits[0] == 0 and min(hits[1:]) >= 2

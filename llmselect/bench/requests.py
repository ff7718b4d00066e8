"""How many requests and tokens each suite task will evaluate, counted before the model runs.

WHY lm-eval's own path: the requests are built by lm-eval's TaskManager and
``task.build_all_requests`` with the overrides ``simple_evaluate`` applies (shots, limit, gen
kwargs, few-shot seed), so the counts are the run's counts, not a guess from dataset sizes.

Tokens: with the loaded LM its tokenizer (``_encode_pair``/``tok_encode``, exactly what the LM
will see); without one, 4 characters per token (``exact=False``, said in the plan).
``evaluated`` is what the llama.cpp backend actually runs: it sorts inputs so shared prefixes
(the few-shot block, the question before each choice) stay in the KV cache, merges identical
inputs, and re-runs at least ``MIN_EXACT_BATCH`` tokens per short tail (see its engine).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from llmselect.backends.llamacpp.prefix_order import group_and_sort
from llmselect.config.suite_schema import SuiteTask

CHARS_PER_TOKEN = 4
MIN_EXACT_BATCH = 8  # llmselect/backends/llamacpp/engine.py (not imported: it loads numpy+ctypes)
FEWSHOT_SEED = 1234  # simple_evaluate's default fewshot_random_seed


@dataclass
class TaskCount:
    key: str
    requests: dict[str, int] = field(default_factory=dict)  # by lm-eval request type
    docs: int = 0
    tokens: int = 0  # every request's input, summed
    evaluated: int = 0  # what the engine runs after prefix sharing (llamacpp), else = tokens
    groups: int = 0  # model evaluations (loglikelihood inputs after merging identical ones)
    longest: int = 0  # the longest single request, tokens (KV cache size)
    gen_requests: int = 0
    max_gen_toks: int = 0
    build_s: float = 0.0  # time lm-eval took to load the data and build the requests
    exact: bool = True

    def facts(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "key"}


def build_instances(task: SuiteTask, tm, lm=None) -> tuple[list, float]:
    """lm-eval's Instances of one suite task, as ``simple_evaluate`` would build them."""
    from lm_eval.evaluator_utils import get_sample_size

    started = time.monotonic()
    loaded = tm.load([task.task])
    limit = int(task.limit) if task.limit and task.limit >= 1 else task.limit
    instances = []
    for obj in loaded["tasks"].values():
        if obj.get_config("output_type") == "generate_until" and task.gen_kwargs:
            obj.set_config(key="generation_kwargs", value=task.gen_kwargs, update=True)
        if task.num_fewshot is not None and obj.get_config("num_fewshot") != 0:
            obj.set_config(key="num_fewshot", value=task.num_fewshot)
        elif obj.get_config("num_fewshot") is None:
            obj.set_config(key="num_fewshot", value=0)
        obj.set_fewshot_seed(seed=FEWSHOT_SEED)
        chat = bool(task.apply_chat_template) and lm is not None
        obj.build_all_requests(
            limit=get_sample_size(obj, limit), rank=0, world_size=1, cache_requests=False,
            apply_chat_template=chat, fewshot_as_multiturn=task.fewshot_as_multiturn,
            chat_template=lm.apply_chat_template if chat else None,
            tokenizer_name=getattr(lm, "tokenizer_name", "") if chat else "")
        instances.extend(obj.instances)
    return instances, time.monotonic() - started


def count(task: SuiteTask, instances: list, lm=None, prefix_sharing: bool = True,
          default_max_gen: int = 256, max_length: int | None = None) -> TaskCount:
    enc = _Encoder(lm)
    out = TaskCount(task.key, exact=lm is not None)
    out.docs = len({(i.metadata[0], i.doc_id) for i in instances})
    inputs, read_from, prompts = [], [], []
    for inst in instances:
        out.requests[inst.request_type] = out.requests.get(inst.request_type, 0) + 1
        if inst.request_type == "loglikelihood":
            ctx, cont = enc.pair(*inst.args)
            seq = (ctx + cont)[:-1]
            if max_length:
                seq = seq[-max_length:]
            inputs.append(tuple(seq))
            read_from.append(len(seq) - len(cont))
        elif inst.request_type == "loglikelihood_rolling":
            seq = enc.text(inst.args[0])
            inputs.append(tuple(seq))
            read_from.append(0)
        else:  # generate_until
            prompt = enc.text(inst.args[0])
            gen = int((inst.args[1] or {}).get("max_gen_toks") or default_max_gen)
            prompts.append((inst.args[0], tuple(prompt)))
            out.max_gen_toks = max(out.max_gen_toks, gen)
            out.longest = max(out.longest, enc.scale(len(prompt)) + gen)
    out.gen_requests = len(prompts)
    out.tokens = enc.scale(sum(map(len, inputs)) + sum(len(p) for _, p in prompts))
    out.longest = max([out.longest, *(enc.scale(len(s)) for s in inputs)])
    groups = group_and_sort(inputs, read_from) if inputs else []
    out.groups = len(groups)
    ll = _evaluated(groups, enc) if prefix_sharing else sum(len(g.tokens) for g in groups)
    out.evaluated = enc.scale(ll) + _prompt_tokens([p for _, p in sorted(prompts)],
                                                   prefix_sharing, enc)
    return out


def _evaluated(groups, enc) -> int:
    """Tokens the llama.cpp engine runs for these groups in order (its cache rules)."""
    cached: tuple = ()
    total = 0
    floor = MIN_EXACT_BATCH * (CHARS_PER_TOKEN if not enc.exact else 1)
    for g in groups:
        keep = min(_common_prefix(cached, g.tokens), g.need_from, len(g.tokens) - 1)
        new = len(g.tokens) - keep
        total += max(new, min(floor, len(g.tokens))) if keep else new  # short tails: 8
        cached = g.tokens
    return total


def _prompt_tokens(prompts: list[tuple], prefix_sharing: bool, enc) -> int:
    total, cached = 0, ()
    for p in prompts:
        keep = min(_common_prefix(cached, p), len(p) - 1) if prefix_sharing else 0
        total += len(p) - keep
        cached = p
    return enc.scale(total)


def _common_prefix(a, b) -> int:
    """Length of the common prefix of two token sequences by bisection on slice equality (C
    speed). WHY not the engine's element loop: a full MMLU counts ~56k requests of ~600 tokens,
    tens of millions of Python steps; this keeps the count a fraction of lm-eval's own build."""
    n = min(len(a), len(b))
    a, b = tuple(a[:n]), tuple(b[:n])
    if a == b:
        return n
    lo, hi = 0, n  # a[:lo] == b[:lo], a[:hi] != b[:hi]
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid
    return lo


class _Encoder:
    """The LM's tokenizer, or characters (scaled to tokens at the end)."""

    def __init__(self, lm) -> None:
        self.lm = lm
        self.exact = lm is not None and hasattr(lm, "tok_encode")
        self.unit = 1 if self.exact else CHARS_PER_TOKEN

    def pair(self, context: str, continuation: str) -> tuple[list, list]:
        if not self.exact:
            return list(context), list(continuation)
        if not hasattr(self.lm, "_encode_pair"):  # an LM that is not a TemplateLM (fake)
            return self.lm.tok_encode(context), self.lm.tok_encode(continuation)
        if not context:
            return [self.lm.prefix_token_id], self.lm.tok_encode(continuation)
        return self.lm._encode_pair(context, continuation)

    def text(self, text: str) -> list:
        return self.lm.tok_encode(text) if self.exact else list(text)

    def scale(self, n: int) -> int:
        return n if self.exact else -(-n // CHARS_PER_TOKEN)

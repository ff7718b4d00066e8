"""lm-eval model ``llmselect-endpoint``: benchmark a model where it is served (vLLM, Ollama,
LMDeploy, TGI, KServe, llama.cpp's server: any OpenAI-compatible ``/v1``).

Built on lm-eval's ``local-completions`` / ``local-chat-completions`` (their payloads and answer
parsing are reused as-is, so prompts reach the server exactly as lm-eval builds them), with three
things they lack for unattended runs:

- transport (``endpoint_http``): classified retries with backoff, one clear line on failure,
  the API key only from ``LLMSELECT_API_KEY`` / ``OPENAI_API_KEY`` and in no log or result;
- resume: requests run ``num_concurrent`` at a time and each finished answer goes to lm-eval's
  request cache as soon as it arrives, also when a later request fails, so rerunning the same
  bench command continues where it stopped;
- honesty about loglikelihood (``endpoint_probe``): multiple-choice scoring needs prompt logprobs;
  they are used only if the server returns consistent ones, otherwise :meth:`adapt_task` swaps
  MMLU/GPQA for lm-eval's generative variants and says so in the run's notes.

Plain prompts go to ``/completions``; chat-formatted prompts (suite ``apply_chat_template``) go
to ``/chat/completions`` and the server applies its own chat template.
"""

from __future__ import annotations

import copy
import json
import threading
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable

from lm_eval.api.registry import register_model
from lm_eval.models.api_models import JsonChatStr
from lm_eval.models.openai_completions import LocalChatCompletion, LocalCompletionsAPI

from llmselect.backends.endpoint.args import GENERATIVE_VARIANTS
from llmselect.backends.endpoint.checks import (
    LogprobSupport,
    probe_prompt_logprobs,
    streaming_speed,
)
from llmselect.backends.endpoint.http import EndpointClient
from llmselect.errors import EnvironmentProblem

if TYPE_CHECKING:
    from llmselect.config.suite_schema import SuiteTask
    from llmselect.run_schema import Speed


@register_model("llmselect-endpoint")
class EndpointLM(LocalCompletionsAPI):
    """model_args: ``base_url`` (the /v1 root), ``model``, ``num_concurrent``, ``timeout``,
    ``max_retries``, ``backoff``, ``max_gen_toks``, ``logprobs`` (auto|yes|no), ``seed``,
    ``extra_body`` (JSON object merged into every generation request)."""

    def __init__(self, base_url: str, model: str | None = None, num_concurrent: int = 4,
                 timeout: float = 300, max_retries: int = 5, backoff: float = 1.0,
                 max_gen_toks: int = 256, logprobs: str = "auto", seed: int = 1234,
                 extra_body: str | dict | None = None, **kwargs: Any) -> None:
        super().__init__(base_url=f"{base_url.rstrip('/')}/completions", model=model,
                         tokenizer_backend=None, tokenized_requests=False, max_retries=1,
                         num_concurrent=num_concurrent, max_gen_toks=max_gen_toks, seed=seed,
                         timeout=int(timeout), **kwargs)
        self.client = EndpointClient(base_url, timeout_s=float(timeout),
                                     max_retries=int(max_retries), backoff_s=float(backoff))
        self.logprobs_mode = str(logprobs).lower()
        self.extra_body = json.loads(extra_body) if isinstance(extra_body, str) else dict(
            extra_body or {})

    # -- capabilities ---------------------------------------------------------------------
    @cached_property
    def logprob_support(self) -> LogprobSupport:
        if self.logprobs_mode in {"no", "false", "0"}:
            return LogprobSupport(False, "disabled with --backend-arg logprobs=no")
        if self.logprobs_mode in {"yes", "true", "1"}:
            return LogprobSupport(True, "forced with --backend-arg logprobs=yes")
        return probe_prompt_logprobs(self.client, self.model)

    def adapt_task(self, task: SuiteTask) -> tuple[SuiteTask, str | None]:
        """The task to run here: MMLU/GPQA become their generative variants when the server has
        no usable prompt logprobs. Returns (task, note for the run or None)."""
        variant = GENERATIVE_VARIANTS.get(task.task)
        if variant is None or self.logprob_support.usable:
            return task, None
        name, metric, extra, shots = variant
        new = task.model_copy(update={"task": name, "metric": metric, "extra_metrics": extra,
                                      "num_fewshot": task.num_fewshot if shots is None else shots})
        return new, (f"{task.task} ran as {name} ({metric}): the endpoint has no usable prompt "
                     f"logprobs ({self.logprob_support.reason})")

    def speed_probe(self) -> Speed:
        return streaming_speed(self.client, self.model)

    # -- lm-eval request types ------------------------------------------------------------
    def generate_until(self, requests, disable_tqdm: bool = False) -> list[str]:
        return self._run_all("generate_until", [r.args for r in requests], self._generate)

    def loglikelihood(self, requests, disable_tqdm: bool = False) -> list[tuple[float, bool]]:
        if not self.logprob_support.usable:
            raise EnvironmentProblem(
                f"this task scores answer loglikelihoods, and endpoint {self.client.base_url} has "
                f"no usable prompt logprobs ({self.logprob_support.reason}); run a generative "
                "task instead, or the model in process (--backend llamacpp/hf)")
        return self._run_all("loglikelihood", [r.args for r in requests], self._loglikelihood)

    def loglikelihood_rolling(self, requests, disable_tqdm: bool = False) -> list[float]:
        raise EnvironmentProblem("perplexity tasks (loglikelihood_rolling) are not supported "
                                 "through endpoints; run them in process (--backend llamacpp/hf)")

    # -- one request each -----------------------------------------------------------------
    def _generate(self, context: Any, gen_kwargs: dict) -> str:
        kwargs = copy.deepcopy(gen_kwargs)
        until = list(kwargs.get("until") or [])
        if isinstance(context, JsonChatStr):
            payload = LocalChatCompletion._create_payload(
                self, json.loads(context.prompt), generate=True, gen_kwargs=kwargs, seed=self._seed)
            text = self.client.post_json("chat/completions", {**payload, **self.extra_body},
                                         parse=lambda b: b["choices"][0]["message"]["content"])
        else:
            payload = LocalCompletionsAPI._create_payload(
                self, context, generate=True, gen_kwargs=kwargs, seed=self._seed)
            text = self.client.post_json("completions", {**payload, **self.extra_body},
                                         parse=lambda b: b["choices"][0]["text"])
        return _cut_at_stop(text or "", until)

    def _loglikelihood(self, context: str, continuation: str) -> tuple[float, bool]:
        payload = {"model": self.model, "prompt": context + continuation, "max_tokens": 1,
                   "temperature": 0, "logprobs": 1, "echo": True, "seed": self._seed}
        return self.client.post_json(
            "completions", payload,
            parse=lambda b: continuation_logprob(b["choices"][0]["logprobs"], len(context),
                                                 len(context) + len(continuation)))

    def _run_all(self, method: str, jobs: list[tuple], fn: Callable[..., Any]) -> list[Any]:
        """Run ``fn(*args)`` for every job, ``num_concurrent`` at a time. Each answer goes to
        lm-eval's cache as it arrives; on a failure, in-flight requests finish (and are kept),
        queued ones are dropped, and the first error is raised."""
        results: list[Any] = [None] * len(jobs)
        failed = threading.Event()

        def guarded(*args: Any) -> Any:
            if failed.is_set():  # a worker freed after the failure must not start a new request
                raise _Skipped
            try:
                return fn(*args)
            except BaseException:
                failed.set()
                raise

        with ThreadPoolExecutor(max_workers=max(1, self._concurrent)) as pool:
            pending = {pool.submit(guarded, *args): i for i, args in enumerate(jobs)}
            while pending:
                done, _ = wait(pending, return_when=FIRST_EXCEPTION)
                error = self._collect(method, jobs, results, done, pending)
                if error is not None:
                    for f in pending:
                        f.cancel()
                    self._collect(method, jobs, results, wait(pending)[0], pending)
                    raise error
        return results

    def _collect(self, method: str, jobs: list[tuple], results: list[Any], done: set[Future],
                 pending: dict[Future, int]) -> BaseException | None:
        error = None
        for future in done:
            i = pending.pop(future)
            if future.cancelled():
                continue
            if future.exception() is not None:
                if not isinstance(future.exception(), _Skipped):
                    error = error or future.exception()
                continue
            results[i] = future.result()
            self.cache_hook.add_partial(method, jobs[i], results[i])
        return error


class _Skipped(Exception):
    """A queued request not started because another one failed."""


def _cut_at_stop(text: str, until: list[str]) -> str:
    """Servers stop at ``stop`` strings but some include them; lm-eval expects them cut off."""
    cut = min((text.find(s) for s in until if s and s in text), default=len(text))
    return text[:cut]


def continuation_logprob(logprobs: dict, start: int, end: int) -> tuple[float, bool]:
    """Sum of the logprobs of the echoed tokens in characters [start, end) of the prompt, and
    whether each was the top choice. Tokens are located by ``text_offset``, so no local
    tokenizer is needed; the one generated token (at ``end``) is excluded."""
    offsets, values, tops = (logprobs["text_offset"], logprobs["token_logprobs"],
                             logprobs["top_logprobs"])
    idx = [i for i, off in enumerate(offsets) if start <= off < end]
    if not idx or any(values[i] is None for i in idx):
        raise KeyError("no logprobs for the continuation")
    greedy = all(tops[i] and values[i] >= max(tops[i].values()) - 1e-6 for i in idx)
    return float(sum(values[i] for i in idx)), greedy

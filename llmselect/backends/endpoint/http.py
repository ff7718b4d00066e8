"""HTTP to an OpenAI-compatible server: retries where a retry can help, one clear line otherwise.

WHY our own transport instead of lm-eval's (``TemplateAPI.model_call``): lm-eval retries every
failure alike (a 401 three times, with backoff), loses the status in a generic ``RetryError``,
and logs the exception repr, which for aiohttp includes the request headers (the API key).
Here each failure is classified once:

- retried with exponential backoff (honouring ``Retry-After``): connection refused/reset,
  timeouts, 429, 5xx, and bodies that are not the JSON we expect (proxies and overloaded servers
  return HTML or truncated bodies);
- not retried: 401/403 (the key), 404 (the URL), other 4xx (the request itself);
- after the last attempt: :class:`~llmselect.errors.EnvironmentProblem` (exit 3) naming the URL,
  the status and the fix. The API key is sent in a header and appears in no message.
"""

from __future__ import annotations

import json
import os
import random
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from llmselect.errors import EnvironmentProblem

API_KEY_VARS = ("LLMSELECT_API_KEY", "OPENAI_API_KEY")
RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}


def api_key_from_env() -> str | None:
    """The API key, only ever from the environment (never a CLI argument or a result file)."""
    for var in API_KEY_VARS:
        if os.environ.get(var):
            return os.environ[var]
    return None


class _Retry(Exception):
    """A failure worth another attempt; ``detail`` is the one-line reason."""

    def __init__(self, detail: str, wait_s: float | None = None):
        super().__init__(detail)
        self.detail, self.wait_s = detail, wait_s


@dataclass
class EndpointClient:
    base_url: str  # the /v1 root, e.g. http://127.0.0.1:8000/v1
    timeout_s: float = 300.0
    max_retries: int = 5  # attempts after the first
    backoff_s: float = 1.0  # first wait; doubles each retry, capped at max_backoff_s
    max_backoff_s: float = 30.0
    max_retry_after_s: float = 300.0  # a server asking for a longer pause: give up, say so

    def __post_init__(self) -> None:
        import requests

        self.base_url = self.base_url.rstrip("/")
        self._session = requests.Session()
        key = api_key_from_env()
        self._session.headers["Content-Type"] = "application/json"
        if key:
            self._session.headers["Authorization"] = f"Bearer {key}"

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def post_json(self, path: str, payload: dict[str, Any],
                  parse: Callable[[dict], Any] = lambda body: body["choices"][0]) -> Any:
        """POST ``payload`` and return ``parse(body)``; a body ``parse`` cannot read (KeyError,
        IndexError, TypeError) counts as malformed and is retried."""
        return self._with_retries(path, lambda: self._post_once(path, payload, parse))

    def stream(self, path: str, payload: dict[str, Any]) -> Iterator[tuple[float, dict]]:
        """POST with ``stream: true``; yields (perf_counter time, event) per server-sent event.
        Only connecting is retried: a stream that broke half-way has already been timed."""
        import requests

        resp = self._with_retries(path, lambda: self._open_stream(path, payload))
        broken = (f"endpoint {self.url(path)}: the stream broke before its end ([DONE])"
                  "{}; check the server's logs, or bench with --no-probe")
        with resp:
            try:
                for line in resp.iter_lines(decode_unicode=True):
                    if not line or not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        return
                    try:
                        event = json.loads(data)
                    except json.JSONDecodeError:
                        raise EnvironmentProblem(f"endpoint {self.url(path)} streamed malformed "
                                                 f"JSON ({data[:80]!r}); check the server") from None
                    yield time.perf_counter(), event
            except requests.exceptions.RequestException as exc:
                raise EnvironmentProblem(broken.format(f" ({_root_cause(exc)})")) from None
        raise EnvironmentProblem(broken.format(""))  # closed without [DONE]: timings are partial

    def _with_retries(self, path: str, attempt_fn):
        for attempt in range(self.max_retries + 1):
            try:
                return attempt_fn()
            except _Retry as exc:
                if attempt == self.max_retries:
                    raise EnvironmentProblem(
                        f"endpoint {self.url(path)}: {exc.detail} (gave up after "
                        f"{self.max_retries + 1} attempts); {_fix(exc.detail)}") from None
                if exc.wait_s is not None and exc.wait_s > self.max_retry_after_s:
                    raise EnvironmentProblem(
                        f"endpoint {self.url(path)}: {exc.detail} asking to retry after "
                        f"{exc.wait_s:g} s (more than {self.max_retry_after_s:g} s); rerun the "
                        "same command later to resume") from None
                time.sleep(self._wait(attempt, exc.wait_s))
        raise AssertionError("unreachable")

    def _wait(self, attempt: int, retry_after: float | None) -> float:
        """Exponential backoff with jitter (concurrent workers do not retry in lockstep), never
        above ``max_backoff_s``; a server's Retry-After is a floor (retrying sooner only earns
        another 429), so it is honoured even past the cap (up to ``max_retry_after_s``)."""
        wait = min(self.max_backoff_s, self.backoff_s * 2**attempt * random.uniform(0.8, 1.2))
        return max(wait, retry_after) if retry_after is not None else wait

    def _send(self, path: str, payload: dict, stream: bool = False):
        import requests

        try:
            resp = self._session.post(self.url(path), json=payload, timeout=self.timeout_s,
                                      stream=stream)
        except requests.exceptions.Timeout:
            raise _Retry(f"no answer within {self.timeout_s:g} s") from None
        except requests.exceptions.ConnectionError as exc:
            raise _Retry(f"cannot connect ({_root_cause(exc)})") from None
        self._check_status(resp, path)
        return resp

    def _post_once(self, path: str, payload: dict, parse: Callable[[dict], Any]) -> Any:
        resp = self._send(path, payload)
        try:
            body = resp.json()
        except ValueError:
            raise _Retry(f"answered HTTP {resp.status_code} with malformed JSON "
                         f"({resp.text[:60]!r})") from None
        try:
            return parse(body)
        except (KeyError, IndexError, TypeError, AttributeError):
            raise _Retry(f"answered JSON of an unexpected shape ({str(body)[:80]})") from None

    def _open_stream(self, path: str, payload: dict):
        return self._send(path, {**payload, "stream": True}, stream=True)

    def _check_status(self, resp, path: str) -> None:
        code = resp.status_code
        if code < 400:
            return
        text = " ".join(resp.text[:160].split())
        resp.close()
        if code in RETRY_STATUS:
            raise _Retry(f"HTTP {code} {resp.reason or ''}".strip(), _retry_after(resp))
        if code in (401, 403):
            raise EnvironmentProblem(
                f"endpoint {self.url(path)} refused the request (HTTP {code}): set the API key in "
                f"{' or '.join(API_KEY_VARS)}" + (" (one is set but was not accepted)"
                                                  if api_key_from_env() else ""))
        if code == 404:
            raise EnvironmentProblem(
                f"endpoint {self.url(path)}: HTTP 404 (wrong URL or model name?); give the "
                f"OpenAI-compatible root, e.g. endpoint:http://HOST:PORT/v1 --model-name NAME")
        raise EnvironmentProblem(f"endpoint {self.url(path)} rejected the request (HTTP {code}): "
                                 f"{text}")


def _retry_after(resp) -> float | None:
    try:
        return float(resp.headers.get("Retry-After", ""))
    except ValueError:
        return None


def _root_cause(exc: BaseException) -> str:
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__
    text = str(exc)
    if "refused" in text.lower():
        return "connection refused"
    return (text.split("] ")[-1] or type(exc).__name__)[:120]


def _fix(detail: str) -> str:
    if "connect" in detail:
        return "is the server running at that address?"
    if "429" in detail:
        return "the server is rate-limiting: lower --backend-arg num_concurrent=N or wait"
    if "within" in detail:
        return "the server is too slow: raise --backend-arg timeout=SECONDS"
    return "check the server's logs; rerun the same command to resume"

"""The endpoint transport (``llmselect/backends/endpoint/http.py``) against local fake servers on
127.0.0.1: timeouts, Retry-After longer than the backoff, the backoff cap, 403, the API-key
fallback, a broken server-sent-event stream. Waits are proven by recording what the client asks
``time.sleep`` for (no real waiting, no timing asserts)."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from llmselect.backends.endpoint import http
from llmselect.backends.endpoint.http import EndpointClient
from llmselect.errors import EnvironmentProblem

SECRET = "sk-openai-fallback-5678"


class Server:
    """``script(n) -> (status, headers, body chunks, finish)``; ``finish`` False drops the
    connection without ending the response (a broken stream). Records each request's headers."""

    def __init__(self, script):
        self.script, self.seen = script, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers["Content-Length"]))
                outer.seen.append(dict(self.headers))
                status, headers, chunks, finish = outer.script(len(outer.seen))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Transfer-Encoding", "chunked")
                self.send_header("Connection", "close")
                self.end_headers()
                for chunk in chunks:
                    data = chunk.encode()
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                    self.wfile.flush()
                if finish:
                    self.wfile.write(b"0\r\n\r\n")
                self.close_connection = True

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve():
    servers = []

    def start(script):
        servers.append(Server(script))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


@pytest.fixture
def sleeps(monkeypatch):
    """Every wait the client asks for, recorded instead of slept."""
    asked: list[float] = []
    monkeypatch.setattr(http.time, "sleep", asked.append)
    return asked


def ok(text="fine"):
    return 200, {"Content-Type": "application/json"}, [json.dumps({"choices": [{"text": text}]})], True


def status(code, headers=None):
    return code, {"Content-Type": "application/json", **(headers or {})}, ['{"error": "x"}'], True


def ask(client: EndpointClient) -> str:
    return client.post_json("completions", {"prompt": "hi"}, parse=lambda b: b["choices"][0]["text"])


# ---------------------------------------------------------------- timeouts

def test_a_server_that_never_answers_times_out_each_attempt_then_one_line(sleeps):
    """A listening socket that accepts and says nothing: each attempt ends at the timeout, is
    retried, and the last one names the timeout and the fix."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted = []

    def accept_forever():
        while True:
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept_forever, daemon=True).start()
    client = EndpointClient(f"http://127.0.0.1:{listener.getsockname()[1]}/v1", timeout_s=0.2,
                            max_retries=2, backoff_s=0.01)
    try:
        with pytest.raises(EnvironmentProblem) as err:
            ask(client)
    finally:
        listener.close()
        for conn in accepted:
            conn.close()
    message = str(err.value)
    assert "no answer within 0.2 s (gave up after 3 attempts)" in message
    assert "raise --backend-arg timeout=SECONDS" in message and "\n" not in message
    assert len(accepted) == 3 and len(sleeps) == 2


# ---------------------------------------------------------------- backoff and Retry-After

def test_retry_after_longer_than_the_backoff_is_honoured(serve, sleeps):
    """The server asks for 20 s; the backoff (0.01 s, capped at 0.05 s) must not retry sooner
    (it used to cap Retry-After at max_backoff_s, and jitter could cut it by a fifth)."""
    server = serve(lambda n: ok() if n > 1 else status(429, {"Retry-After": "20"}))
    client = EndpointClient(server.url, max_retries=3, backoff_s=0.01, max_backoff_s=0.05)
    assert ask(client) == "fine" and len(server.seen) == 2
    assert sleeps == [20.0]


def test_retry_after_beyond_the_limit_gives_up_at_once(serve, sleeps):
    server = serve(lambda n: status(503, {"Retry-After": "3600"}))
    client = EndpointClient(server.url, max_retries=5, max_retry_after_s=300)
    with pytest.raises(EnvironmentProblem, match=r"HTTP 503.*retry after 3600 s \(more than 300 s\)"
                                                 r".*rerun the same command later"):
        ask(client)
    assert len(server.seen) == 1 and sleeps == []


def test_backoff_doubles_and_never_exceeds_its_cap(serve, sleeps, monkeypatch):
    """Worst-case jitter (x1.2): 1, 2, 4 would become 1.2, 2.4, 4.8; the cap (4 s) holds."""
    monkeypatch.setattr(http.random, "uniform", lambda lo, hi: hi)
    server = serve(lambda n: status(500))
    client = EndpointClient(server.url, max_retries=5, backoff_s=1.0, max_backoff_s=4.0)
    with pytest.raises(EnvironmentProblem, match="HTTP 500.*gave up after 6 attempts"):
        ask(client)
    assert len(server.seen) == 6
    assert sleeps == pytest.approx([1.2, 2.4, 4.0, 4.0, 4.0])


# ---------------------------------------------------------------- 403 and the API key

def test_403_is_not_retried_and_names_the_variables(serve, sleeps, monkeypatch):
    monkeypatch.delenv("LLMSELECT_API_KEY", raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    server = serve(lambda n: status(403))
    with pytest.raises(EnvironmentProblem) as err:
        ask(EndpointClient(server.url, max_retries=5))
    message = str(err.value)
    assert "(HTTP 403)" in message and "LLMSELECT_API_KEY or OPENAI_API_KEY" in message
    assert "one is set but was not accepted" in message and SECRET not in message
    assert len(server.seen) == 1 and sleeps == []


@pytest.mark.parametrize("env, sent", [
    ({"OPENAI_API_KEY": SECRET}, f"Bearer {SECRET}"),  # the fallback
    ({"LLMSELECT_API_KEY": "sk-ours", "OPENAI_API_KEY": SECRET}, "Bearer sk-ours"),  # ours first
    ({}, None),
])
def test_api_key_from_llmselect_then_openai_variable(serve, monkeypatch, env, sent):
    for var in http.API_KEY_VARS:
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    server = serve(lambda n: ok())
    assert ask(EndpointClient(server.url)) == "fine"
    assert server.seen[0].get("Authorization") == sent


# ---------------------------------------------------------------- server-sent events

def sse(*events: str) -> list[str]:
    return [f"data: {e}\n\n" for e in events]


def test_a_whole_stream_yields_every_event(serve):
    server = serve(lambda n: (200, {"Content-Type": "text/event-stream"},
                              sse('{"choices": [{"text": "a"}]}', '{"choices": [{"text": "b"}]}',
                                  "[DONE]"), True))
    events = [e for _, e in EndpointClient(server.url).stream("completions", {"prompt": "x"})]
    assert [e["choices"][0]["text"] for e in events] == ["a", "b"]


@pytest.mark.parametrize("finish", [True, False], ids=["closed-without-DONE", "cut-mid-chunk"])
def test_a_broken_stream_is_one_line_not_a_short_success(serve, finish):
    """Two events, then the server goes away: cleanly without [DONE] (used to read as a
    complete, shorter answer and time a speed probe on it) or mid-transfer (used to escape as a
    requests traceback)."""
    server = serve(lambda n: (200, {"Content-Type": "text/event-stream"},
                              sse('{"choices": [{"text": "a"}]}', '{"choices": [{"text": "b"}]}'),
                              finish))
    got = []
    with pytest.raises(EnvironmentProblem, match=r"the stream broke before its end \(\[DONE\]\)") as err:
        for _, event in EndpointClient(server.url).stream("completions", {"prompt": "x"}):
            got.append(event)
    assert len(got) == 2 and "\n" not in str(err.value)

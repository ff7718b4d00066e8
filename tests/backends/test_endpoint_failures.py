"""Endpoint failures against a tiny fake OpenAI server (http.server in a thread): what is retried,
the one line the user sees (exit 3), the API key kept out of messages and results, and resume
after a failure without re-sending finished requests."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmselect.backends.endpoint.args import model_args
from llmselect.backends.endpoint.http import EndpointClient
from llmselect.cli.main import app
from llmselect.errors import EnvironmentProblem, UserError
from llmselect.specs import resolve_spec

SECRET = "sk-test-do-not-leak-1234"


class FakeServer:
    """``script(n, path, body) -> (status, body_text, headers)`` decides each answer; n counts
    requests from 1. Every request is recorded (path, JSON body, Authorization header)."""

    def __init__(self, script):
        self.script, self.requests, self.lock = script, [], threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
                with outer.lock:
                    outer.requests.append((self.path, body, self.headers.get("Authorization")))
                    n = len(outer.requests)
                status, text, headers = outer.script(n, self.path, body)
                self.send_response(status)
                for k, v in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(text.encode())

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def completion(text: str) -> tuple[int, str, dict]:
    return 200, json.dumps({"choices": [{"index": 0, "text": text}]}), {}


@pytest.fixture
def serve():
    servers = []

    def start(script):
        servers.append(FakeServer(script))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


def client(url: str, retries: int = 3) -> EndpointClient:
    return EndpointClient(url, timeout_s=5, max_retries=retries, backoff_s=0.01, max_backoff_s=0.05)


def ask(c: EndpointClient) -> str:
    return c.post_json("completions", {"prompt": "hi"}, parse=lambda b: b["choices"][0]["text"])


def test_server_down_is_retried_then_one_clear_line():
    """A port held bound but not listening: connections are refused, and no other process can
    take the port meanwhile (a port freed before use could be)."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        with pytest.raises(EnvironmentProblem, match=r"cannot connect \(connection refused\).*4 "
                           r"attempts.*is the server running"):
            ask(client(f"http://127.0.0.1:{held.getsockname()[1]}/v1"))


def test_wrong_url_is_not_retried(serve):
    server = serve(lambda n, path, body: (404, '{"detail": "Not Found"}', {}))
    with pytest.raises(EnvironmentProblem, match="HTTP 404.*endpoint:http://HOST:PORT/v1"):
        ask(client(server.url))
    assert len(server.requests) == 1


def test_401_names_the_variables_never_the_key(serve, monkeypatch):
    monkeypatch.setenv("LLMSELECT_API_KEY", SECRET)
    server = serve(lambda n, path, body: (401, '{"error": "invalid key"}', {}))
    with pytest.raises(EnvironmentProblem) as err:
        ask(client(server.url))
    assert "LLMSELECT_API_KEY" in str(err.value) and SECRET not in str(err.value)
    assert len(server.requests) == 1 and server.requests[0][2] == f"Bearer {SECRET}"


def test_429_storm_backs_off_then_gives_up(serve):
    server = serve(lambda n, path, body: (429, '{"error": "slow down"}', {"Retry-After": "0"}))
    with pytest.raises(EnvironmentProblem, match="HTTP 429.*6 attempts.*num_concurrent"):
        ask(client(server.url, retries=5))
    assert len(server.requests) == 6


def test_429_then_success(serve):
    server = serve(lambda n, path, body: completion("ok") if n > 2 else (429, "{}", {}))
    assert ask(client(server.url)) == "ok" and len(server.requests) == 3


@pytest.mark.parametrize("bad", ["{not json", '{"choices": []}', '{"result": "ok"}'])
def test_malformed_json_is_retried(serve, bad):
    server = serve(lambda n, path, body: completion("fine") if n == 2 else (200, bad, {}))
    assert ask(client(server.url)) == "fine"
    always_bad = serve(lambda n, path, body: (200, bad, {}))
    with pytest.raises(EnvironmentProblem, match="malformed JSON|unexpected shape"):
        ask(client(always_bad.url, retries=1))


def test_api_key_is_refused_as_an_option():
    spec = resolve_spec("endpoint:http://127.0.0.1:9/v1")
    with pytest.raises(UserError, match="LLMSELECT_API_KEY"):
        model_args(spec, {"api_key": SECRET})
    assert model_args(spec, {"model_name": "m", "num_concurrent": "8", "device": "auto"}) == \
        {"base_url": "http://127.0.0.1:9/v1", "model": "m", "num_concurrent": 8}


# -- through bench: exit 3, one line, finished requests kept, resume ------------------------
SUITE = """description: endpoint failure test
tasks:
  - {task: gsm8k_cot, benchmark: gsm8k, metric: "exact_match,strict-match", num_fewshot: 0,
     limit: 6, gen_kwargs: {max_gen_toks: 16}}
"""


def bench(url: str, suite: Path, out: Path, data: Path, monkeypatch):
    monkeypatch.setenv("LLMSELECT_API_KEY", SECRET)
    return CliRunner().invoke(app, [
        "bench", f"endpoint:{url}", "--model-name", "fake", "--suite", str(suite), "-o", str(out),
        "--data-dir", str(data), "--no-probe", "--backend-arg", "num_concurrent=1",
        "--backend-arg", "max_retries=2", "--backend-arg", "backoff=0.01"])


def test_bench_fails_in_one_line_and_resumes_without_resending(serve, tmp_path, monkeypatch,
                                                               shared_datasets, data_cache):
    monkeypatch.setenv("LLMSELECT_CACHE_DIR", str(data_cache))
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    suite = tmp_path / "ep-fail.yaml"
    suite.write_text(SUITE)
    flaky = serve(lambda n, path, body: completion(" The answer is 42.") if n <= 3
                  else (503, "overloaded", {}))
    first = bench(flaky.url, suite, tmp_path / "res", shared_datasets, monkeypatch)
    assert first.exit_code == 3, first.output
    lines = [line for line in first.stderr.splitlines() if line.startswith("llmselect: error")]
    assert len(lines) == 1 and "HTTP 503" in lines[0] and "Traceback" not in first.stderr
    done_prompts = {b["prompt"] for _, b, _ in flaky.requests[:3]}
    assert len(flaky.requests) == 6  # 3 answered, then 3 attempts of the 4th; no more started

    flaky.script = lambda n, path, body: completion(" The answer is 42.")  # server recovered
    second = bench(flaky.url, suite, tmp_path / "res", shared_datasets, monkeypatch)
    assert second.exit_code == 0, second.output
    resent = [b["prompt"] for _, b, _ in flaky.requests[6:]]
    assert len(resent) == 3 and not set(resent) & done_prompts
    files = list((tmp_path / "res").glob("*.json"))
    assert len(files) == 1 and SECRET not in files[0].read_text()
    run = json.loads(files[0].read_text())
    assert run["status"] == "complete" and run["tasks"]["gsm8k_cot"]["n"] == 6

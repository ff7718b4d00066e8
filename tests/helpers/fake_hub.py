"""A hub on 127.0.0.1 answering exactly the requests huggingface_hub makes to download a file.

Routes (as huggingface_hub 2.x calls them, see its file_download.py / hf_api.py):
- ``GET /api/models/{repo}[/revision/{rev}]`` -> model info with ``siblings`` (rfilename,
  size, lfs.sha256) when ``?blobs=true``;
- ``HEAD|GET /{repo}/resolve/{rev}/{file}`` -> ``X-Repo-Commit``, ``ETag``, ``X-Linked-Etag``
  (the LFS sha256), ``X-Linked-Size``, ``Content-Length``; GET honours ``Range: bytes=N-`` (206).
Knobs for the failures a test needs: ``cut_once`` (file names whose first GET body stops
halfway and the connection closes), ``corrupt`` (files served with other bytes than their
stated sha256), ``gated`` (repos answering 401 + ``X-Error-Code: GatedRepo`` without a token).
``log`` records (method, path, Range) for counting.
"""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

COMMIT = "0123456789abcdef0123456789abcdef01234567"


class FakeHub:
    def __init__(self, repos: dict[str, dict[str, bytes]]):
        self.repos = repos
        self.cut_once: set[str] = set()
        self.corrupt: set[str] = set()
        self.gated: set[str] = set()
        self.log: list[tuple[str, str, str | None]] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_HEAD(self):
                hub._serve(self, body=False)

            def do_GET(self):
                hub._serve(self, body=True)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def _error(self, h, status: int, code: str) -> None:
        h.send_response(status)
        h.send_header("X-Error-Code", code)
        h.send_header("X-Repo-Commit", COMMIT)
        h.send_header("Content-Length", "0")
        h.end_headers()

    def _serve(self, h, body: bool) -> None:
        path, _, query = h.path.partition("?")
        self.log.append((h.command, path, h.headers.get("Range")))
        if path.startswith("/api/models/"):
            repo = path[len("/api/models/"):].split("/revision/")[0]
            return self._info(h, repo, "blobs=true" in query)
        repo, sep, rest = path.lstrip("/").partition("/resolve/")
        if not sep or repo not in self.repos:
            return self._error(h, 404, "RepoNotFound")
        if repo in self.gated and not h.headers.get("Authorization"):
            return self._error(h, 401, "GatedRepo")
        _rev, _, name = rest.partition("/")
        files = self.repos[repo]
        if name not in files:
            return self._error(h, 404, "EntryNotFound")
        data = files[name]
        sha = hashlib.sha256(data).hexdigest()
        if name in self.corrupt:
            data = data[:-1] + bytes([data[-1] ^ 0xFF])
        start = 0
        rng = h.headers.get("Range")
        if rng and rng.startswith("bytes="):
            start = int(rng[6:].split("-")[0])
        h.send_response(206 if start else 200)
        h.send_header("X-Repo-Commit", COMMIT)
        h.send_header("ETag", f'"{sha}"')
        h.send_header("X-Linked-Etag", f'"{sha}"')
        h.send_header("X-Linked-Size", str(len(data)))
        h.send_header("Content-Length", str(len(data) - start))
        if start:
            h.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        h.end_headers()
        if not body:
            return
        if name in self.cut_once and not start:
            self.cut_once.discard(name)
            h.wfile.write(data[: len(data) // 2])
            h.wfile.flush()
            h.close_connection = True
            h.connection.shutdown(2)
            return
        h.wfile.write(data[start:])

    def _info(self, h, repo: str, blobs: bool) -> None:
        if repo not in self.repos:
            return self._error(h, 404, "RepoNotFound")
        if repo in self.gated and not h.headers.get("Authorization"):
            return self._error(h, 401, "GatedRepo")
        siblings = []
        for name, data in self.repos[repo].items():
            item = {"rfilename": name}
            if blobs:
                sha = hashlib.sha256(data).hexdigest()
                item |= {"size": len(data), "blobId": hashlib.sha1(data).hexdigest(),
                         "lfs": {"size": len(data), "sha256": sha, "pointerSize": 134}}
            siblings.append(item)
        payload = json.dumps({"id": repo, "modelId": repo, "sha": COMMIT, "private": False,
                              "siblings": siblings}).encode()
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        h.wfile.write(payload)

"""Headless Chromium driven over the Chrome DevTools Protocol (CDP), plus measured runs to report.

Why CDP and not ``--dump-dom`` or ``--enable-logging=stderr``: the stderr log mixes Chromium's own
noise with page messages in a format that changes between releases, and ``--dump-dom`` says
nothing about errors. Over CDP the page's problems arrive as typed events, all three of which we
collect: ``Runtime.consoleAPICalled`` (console.error/assert), ``Runtime.exceptionThrown``
(uncaught JS errors) and ``Log.entryAdded`` level error (failed resource loads, CSP and other
browser-reported errors). ``Network.requestWillBeSent`` lists every URL the page asks for, so a
test can prove the page is self-contained. The harness's own test feeds it a broken page and
checks that it sees each kind of error.

Chromium is Debian's package (``apt-get install chromium``; .ci/run installs it), started with
the flags this machine needs (no background networking: the network is closed) and a fresh
``--user-data-dir`` per page.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-port=0", "--window-size=1280,1000", "--hide-scrollbars"]


@dataclass
class PageReport:
    console_errors: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    log_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    images_ok: int = 0
    images_total: int = 0
    overflow_px: int = 0  # how far the page is wider than the window (horizontal scrolling)
    title: str = ""

    @property
    def errors(self) -> list[str]:
        return self.console_errors + self.exceptions + self.log_errors


class _Cdp:
    """Minimal CDP session over one page target's websocket: commands and buffered events."""

    def __init__(self, ws_url: str, timeout: float):
        import websocket  # websocket-client (dev extra)

        self.ws = websocket.create_connection(ws_url, timeout=timeout, suppress_origin=True)
        self.next_id, self.events = 0, []

    def call(self, method: str, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_for(self, event: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not any(e["method"] == event for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {event} within {timeout} s")
            self.events.append(json.loads(self.ws.recv()))

    def drain(self, seconds: float) -> None:
        """Collect events that arrive shortly after load (late console errors)."""
        from websocket import WebSocketTimeoutException

        timeout = self.ws.gettimeout()
        self.ws.settimeout(0.1)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                self.events.append(json.loads(self.ws.recv()))
            except WebSocketTimeoutException:  # nothing more right now
                pass
        self.ws.settimeout(timeout)


def _start(binary: str, profile_dir: Path, log: Path) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen([binary, *FLAGS, f"--user-data-dir={profile_dir}", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=log.open("wb"),
                            start_new_session=True)
    port_file = profile_dir / "DevToolsActivePort"
    deadline = time.monotonic() + 30
    while not (port_file.is_file() and port_file.read_text().strip()):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"Chromium did not start; its stderr: {log.read_text()[-2000:]}")
        time.sleep(0.05)
    return proc, int(port_file.read_text().split()[0])


def _stop(proc: subprocess.Popen) -> None:
    """Ends the Chromium this harness started (its own process group) and nothing else."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _collect(cdp: _Cdp, report: PageReport) -> None:
    for e in cdp.events:
        p = e.get("params", {})
        if e["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            report.console_errors.append(" ".join(str(a.get("value", a.get("description", "")))
                                                  for a in p.get("args", [])))
        elif e["method"] == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            report.exceptions.append(d.get("exception", {}).get("description") or d.get("text", ""))
        elif e["method"] == "Log.entryAdded" and p["entry"].get("level") == "error":
            report.log_errors.append(f"{p['entry'].get('text')} {p['entry'].get('url', '')}")
        elif e["method"] == "Network.requestWillBeSent":
            report.requests.append(p["request"]["url"])


def render_page(binary: str, url: str, workdir: Path, screenshot: Path | None = None,
                timeout: float = 30.0) -> PageReport:
    """Load ``url`` in a fresh headless Chromium; errors, requests, images, optional full-page
    screenshot (PNG)."""
    profile = workdir / "chromium-profile"
    profile.mkdir(parents=True, exist_ok=True)
    proc, port = _start(binary, profile, workdir / "chromium-stderr.log")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as resp:
            target = next(t for t in json.load(resp) if t["type"] == "page")
        cdp = _Cdp(target["webSocketDebuggerUrl"], timeout)
        for domain in ("Runtime", "Log", "Network", "Page"):
            cdp.call(f"{domain}.enable")
        cdp.call("Page.navigate", url=url)
        cdp.wait_for("Page.loadEventFired", timeout)
        cdp.drain(0.5)
        report = PageReport()
        _collect(cdp, report)
        report.title = cdp.call("Runtime.evaluate", expression="document.title")["result"]["value"]
        counts = cdp.call("Runtime.evaluate", returnByValue=True, expression=(
            "[Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length,"
            " document.images.length]"))["result"]["value"]
        report.images_ok, report.images_total = counts
        report.overflow_px = cdp.call("Runtime.evaluate", expression=(
            "document.documentElement.scrollWidth - window.innerWidth"))["result"]["value"]
        if screenshot is not None:
            _screenshot(cdp, screenshot)
        cdp.ws.close()
        return report
    finally:
        _stop(proc)


def _screenshot(cdp: _Cdp, path: Path) -> None:
    size = cdp.call("Page.getLayoutMetrics")["cssContentSize"]
    shot = cdp.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                    clip={"x": 0, "y": 0, "width": size["width"], "height": size["height"],
                          "scale": 1})
    path.write_bytes(base64.b64decode(shot["data"]))


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path to Debian's Chromium; missing is a failure on CI (.ci/run installs it)."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        message = "chromium not installed: apt-get install -y chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return binary


# --- measured runs for the report -------------------------------------------------------------

@pytest.fixture
def report_results(tmp_path) -> Path:
    """A results folder with two bench runs (see tests/test_report_runs.py)."""
    from helpers.report_runs import measured_runs  # tests/ is on sys.path (rootdir conftest)

    folder = tmp_path / "measured"
    measured_runs(folder)
    return folder

"""The commands as a person sees them: each one runs in a real terminal (a tmux pane, 80×24
and 120×24), so rich reads the pane's width as it would a user's, and the pane's text is
read back with ``capture-pane -J`` (lines the terminal had to wrap come back joined, so an
overlong line is caught). Nothing may be longer than the pane or cut to "…".

Marked slow: it starts a tmux server of its own (a private socket, killed at the end) and one
process per command. Skipped only where tmux is not installed."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")]

COMMANDS = [
    ["recommend", "--profile", "chatbot-en"],
    ["recommend", "--profile", "chatbot-en", "--explain", "llama3-8b"],
    ["models"], ["models", "show", "llama3.1-8b"], ["profiles"],
    ["profiles", "show", "chatbot-en"], ["suites"], ["hardware"],
]


def in_pane(socket: str, width: int, args: list[str]) -> str:
    """Run ``llmselect ARGS`` in a fresh width×24 pane; the pane's whole history, wrapped
    lines joined."""
    name = "w" + uuid.uuid4().hex[:8]
    cmd = " ".join(shlex.quote(a) for a in [sys.executable, "-m", "llmselect", *args])
    script = f"{cmd} 2>&1; tmux -L {socket} wait-for -S {name}; sleep 30"
    tmux = ["tmux", "-L", socket]
    subprocess.run([*tmux, "new-session", "-d", "-s", name, "-x", str(width), "-y", "24",
                    "-e", f"PYTHONPATH={ROOT}", "-e", "LLMSELECT_CATALOG_PATH=",
                    "-e", "COLUMNS=", "-e", "LINES=",   # the pane's size, not the caller's
                    "sh", "-c", script], check=True, timeout=30)
    subprocess.run([*tmux, "wait-for", name], check=True, timeout=120)
    text = subprocess.run([*tmux, "capture-pane", "-p", "-J", "-S", "-", "-t", name],
                          check=True, capture_output=True, text=True, timeout=30).stdout
    subprocess.run([*tmux, "kill-session", "-t", name], check=False, timeout=30)
    return text


@pytest.fixture(scope="module")
def socket():
    name = f"llmselect-test-{os.getpid()}"
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    subprocess.run(["tmux", "-L", name, "-f", "/dev/null", "start-server"], check=False, env=env)
    yield name
    subprocess.run(["tmux", "-L", name, "kill-server"], check=False, timeout=30)


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: "_".join(a))
def test_command_fits_a_real_terminal(socket, width, args):
    text = in_pane(socket, width, args)
    assert "Traceback" not in text and "error" not in text.split("\n", 1)[0].lower(), text
    lines = [ln.rstrip() for ln in text.splitlines()]
    assert any(lines), "nothing printed"
    long = [ln for ln in lines if len(ln) > width]
    assert not long, f"{len(long)} line(s) wrapped by the terminal at {width}: {long[0]!r}"
    assert "…" not in text, next(ln for ln in lines if "…" in ln)


@pytest.mark.parametrize("width", [80, 120])
def test_results_and_compare_fit_a_real_terminal(socket, width, tmp_path):
    from helpers.compare_runs import flip, make_run, outcomes

    base = outcomes(60, 0.5, seed=1)
    make_run(tmp_path, "20261202T005942-smollm2-135m-instruct-quick-65bd84",
             "smollm2-135m-instruct", {"mmlu": base})
    make_run(tmp_path, "cand-run", "gemma3-270m", {"mmlu": flip(base, 8, 2)}, minutes=5)
    for args in (["results", "-d", str(tmp_path)],
                 ["compare", "smollm2-135m-instruct", "cand-run", "-d", str(tmp_path)]):
        text = in_pane(socket, width, args)
        lines = [ln.rstrip() for ln in text.splitlines()]
        assert "Traceback" not in text and not [ln for ln in lines if len(ln) > width], text
        assert "…" not in text, text
        assert "20261202T005942-smollm2-135m-instruct-quick-65bd84" in text, text  # whole


def test_models_keeps_more_columns_in_a_wider_pane(socket):
    """At 80 columns `models` leaves out jurisdiction and languages and says so; at 120 it
    has room for them."""
    narrow = in_pane(socket, 80, ["models"])
    wide = in_pane(socket, 120, ["models"])
    assert "left out at 80 columns" in narrow and " jur " not in narrow.splitlines()[1]
    assert "left out" not in wide and " jur " in wide.splitlines()[1]

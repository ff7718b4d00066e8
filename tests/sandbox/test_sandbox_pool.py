"""The sandbox pool itself: a killed or desynchronised worker is replaced; the non-root path works.

Behaviour is shown by counts and verdicts (replacements, which sample failed and why), never by
durations. The non-root test really runs the sandbox as ``nobody``: root prepares a mount namespace
in which the interpreter is reachable by an unprivileged uid, then drops to it before any
llmselect code runs, so the pool takes its unprivileged route (``unshare --user``, no uid switch).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from llmselect.humaneval import job, load_problems
from llmselect.sandbox import Sandbox, SandboxLimits

REPO = Path(__file__).resolve().parents[2]
LIMITS = SandboxLimits(timeout_seconds=30)


@pytest.fixture(scope="module")
def problem():
    return next(p for p in load_problems(online=False) if p["task_id"] == "HumanEval/0")


def test_killed_worker_is_replaced(problem):
    good = job(problem, problem["canonical_solution"])
    with Sandbox(workers=1, limits=LIMITS) as sandbox:
        first = sandbox._all[0]
        first.proc.kill()
        first.proc.wait()
        lost, after = sandbox.run(good), sandbox.run(good)
        assert sandbox._all[0] is not first and sandbox._all[0].proc.poll() is None
        assert sandbox.replaced == 1
    assert (lost.passed, lost.error) == (False, "sandbox worker stopped answering")
    assert after.passed and after.error is None


def test_desynchronised_worker_is_replaced(problem):
    """A worker whose next reply is not for the request just sent is not trusted again."""
    good = job(problem, problem["canonical_solution"])
    with Sandbox(workers=1, limits=LIMITS) as sandbox:
        first = sandbox._all[0]
        stray = {"id": -1, "program": good.program, "test": good.test, "prelude": good.prelude,
                 "calls": list(good.calls), "timeout": 30, "limits": LIMITS.for_worker()}
        first.proc.stdin.write((json.dumps(stray) + "\n").encode())
        first.proc.stdin.flush()
        lost, after = sandbox.run(good), sandbox.run(good)
        assert sandbox.replaced == 1 and first.proc.poll() is not None  # the old one is gone
    assert (lost.passed, lost.error) == (False, "sandbox worker stopped answering")
    assert after.passed


def test_replacement_keeps_the_other_workers(problem):
    good = job(problem, problem["canonical_solution"])
    with Sandbox(workers=2, limits=LIMITS) as sandbox:
        keep = sandbox._all[1]
        sandbox._all[0].proc.kill()
        results = sandbox.run_many([good] * 6)
        assert sandbox.replaced == 1 and keep in sandbox._all and keep.proc.poll() is None
    assert sum(r.passed for r in results) == 5
    assert [r.error for r in results if not r.passed] == ["sandbox worker stopped answering"]


_NONROOT_DRIVER = r"""
import json, sys
from llmselect.humaneval import job, load_problems
from llmselect.sandbox import Sandbox, SandboxLimits
p = next(p for p in load_problems(online=False) if p["task_id"] == "HumanEval/0")
always = "    class A:\n        def __eq__(s, o):\n            return True\n    return A()\n"
probe = p["canonical_solution"] + ("import os\nprint('ids', os.getuid(), os.geteuid())\n"
                                  "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('CapEff')])\n")
with Sandbox(workers=1, limits=SandboxLimits(timeout_seconds=30)) as sandbox:
    rs = sandbox.run_many([job(p, c) for c in (probe, "    return None\n", always)])
print(json.dumps({"euid": __import__("os").geteuid(), "results": [r.model_dump() for r in rs]}))
"""


def _as_nobody_command() -> list[str]:
    """Root: a private mount namespace where the interpreter is reachable, then become nobody."""
    drop = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
            sys.executable, "-c", _NONROOT_DRIVER]
    hidden = Path(sys.base_prefix).parts[:2]  # e.g. ('/', 'root'): pyenv under a 0700 home
    top = Path(*hidden)
    if len(hidden) < 2 or os.stat(top).st_mode & 0o005 == 0o005:
        return drop
    inner = Path(sys.base_prefix).relative_to(top).parts[0]
    script = (f'set -e; stage=$(mktemp -d); mount --bind "{top}" "$stage"; '
              f'mount -t tmpfs -o mode=755 tmpfs "{top}"; mkdir -p "{top / inner}"; '
              f'mount --bind "$stage/{inner}" "{top / inner}"; exec "$@"')
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", *drop]


def test_non_root_path(tmp_path):
    """As nobody: user namespaces instead of uid switching; still contained and still judged right."""
    if os.geteuid() != 0:
        command = [sys.executable, "-c", _NONROOT_DRIVER]  # already unprivileged: run directly
    elif not (shutil.which("unshare") and shutil.which("setpriv")):
        pytest.skip("needs util-linux's unshare and setpriv to drop from root to nobody")
    else:
        command = _as_nobody_command()
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO), "HOME": str(tmp_path),
           **{k: v for k, v in os.environ.items() if k == "LLMSELECT_DATA_DIR"}}
    out = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    probe, wrong, always = report["results"]
    assert report["euid"] != 0
    assert probe["passed"], probe["output"]
    # root of its own user namespace (nobody outside it), with every capability dropped
    assert "ids 0 0" in probe["output"] and "['0000000000000000']" in probe["output"], probe["output"]
    assert not wrong["passed"] and not always["passed"]
    iso = probe["isolation"]
    assert iso["uid"] == "same uid, capabilities dropped"
    assert "netns" in iso["network"] and iso["seccomp"] == "installed and biting"
    assert (iso["pid"], iso["ipc"], iso["scratch"]) == ("pidns", "ipcns per sample", "fresh tmpfs per sample")

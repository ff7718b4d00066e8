"""The sandbox worker: sets up namespaces once, then forks a supervisor per sample (stdlib only).

Started by ``llmselect.sandbox.pool`` as ``python -I -S zygote.py CONFIG_JSON`` with an empty
environment. Protocol: one JSON request per stdin line, one JSON reply per stdout line; the first
reply describes the isolation in effect. Each request is handled by a fresh fork running
``supervisor.supervise`` (per-sample namespaces, the checker and the sample: see there).
"""

from __future__ import annotations

import json
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import filesystem  # noqa: E402
import linux  # noqa: E402
import seccomp  # noqa: E402
import supervisor  # noqa: E402


def setup(config: dict) -> dict:
    """Enter private mount+network namespaces as far as the machine allows; say what held."""
    iso = {"uid": "unchanged", "network": [], "pid": "per sample (see each result)", "fs": "none"}
    linux.prctl(linux.PR_SET_PDEATHSIG, signal.SIGKILL)
    try:
        linux.unshare(linux.CLONE_NEWNS | linux.CLONE_NEWNET)
        iso["network"].append("netns")
        iso["fs"] = filesystem.private_view()
    except OSError as exc:
        iso["namespace_error"] = str(exc)
    uids = config.get("uids") or {}
    if uids and all(_can_become(int(u)) for u in uids.values()):
        iso["uid"] = {role: int(u) for role, u in uids.items()}
    else:
        iso["uid"] = "same uid, capabilities dropped"
    return iso


# Standard-library modules HumanEval programs and tests import (``from typing import List`` in
# nearly every prompt). WHY here: both processes of every sample are forks of this one, so each
# import is paid once per worker instead of twice per sample; a sample that patches one of them
# patches its own copy-on-write memory only.
WARM = ("typing", "math", "re", "collections", "itertools", "functools", "hashlib", "string",
        "heapq", "bisect", "fractions", "random", "statistics", "copy")


def main() -> None:
    for name in WARM:
        __import__(name)
    config = json.loads(sys.argv[1])
    iso = setup(config)
    uids = iso["uid"] if isinstance(iso["uid"], dict) else {"sample": None, "checker": None}
    namespaces = iso["fs"] != "none"
    iso["seccomp"] = _probe_seccomp()
    if iso["seccomp"] == "installed and biting":
        iso["network"] = iso["network"] + ["seccomp: no socket(), connect, bind, sendto address"]
    out = sys.stdout.fileno()
    os.write(out, (json.dumps({"ready": True, "isolation": iso}) + "\n").encode())
    for line in sys.stdin:
        req = json.loads(line)
        child = os.fork()
        if child == 0:
            code = 0
            try:
                supervisor.supervise(req, uids, namespaces, out)
            except BaseException as exc:  # noqa: BLE001 - reported to the pool, never silent
                why = f"sandbox supervisor failed: {exc!r}"[:500]
                os.write(out, (json.dumps({"id": req["id"], "error": why}) + "\n").encode())
                code = 70
            os._exit(code)
        _, status = os.waitpid(child, 0)
        if os.waitstatus_to_exitcode(status) not in (0, 70):
            os.write(out, (json.dumps({"id": req["id"], "error": "sandbox supervisor failed"}) + "\n").encode())


def _can_become(uid: int) -> bool:
    """Whether this worker may switch to the unprivileged uid (real root: yes; user ns: no)."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            os._exit(0)
        except BaseException:  # noqa: BLE001
            os._exit(1)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0


def _probe_seccomp() -> str:
    """Check once, in a throwaway child, that the filter installs and bites (socket and connect)."""
    pid = os.fork()
    if pid == 0:
        try:
            ok = seccomp.install()
            import socket

            try:
                socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                os._exit(3)
            except PermissionError:
                pass
            left, _ = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
            try:
                left.connect("/dev/log")
                os._exit(3)
            except PermissionError:
                os._exit(0 if ok else 2)
        except BaseException:  # noqa: BLE001
            os._exit(4)
    _, status = os.waitpid(pid, 0)
    return {0: "installed and biting", 2: "unsupported architecture"}.get(
        os.waitstatus_to_exitcode(status), "failed")


if __name__ == "__main__":
    main()

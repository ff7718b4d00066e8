"""The sandbox worker: sets up namespaces once, then forks a fresh process per sample (stdlib only).

Started by ``llmselect.sandbox.pool`` as ``python -I -S zygote.py CONFIG_JSON`` with an empty
environment. Protocol: one JSON request per stdin line, one JSON reply per stdout line; the first
reply describes the isolation in effect. Per sample: a trusted per-sample supervisor (fork 1)
creates the working dir and a new PID namespace; the sample (fork 2) is PID 1 of that namespace,
so when it dies or is killed the kernel kills everything it started (no daemon survives).
"""

from __future__ import annotations

import json
import os
import resource
import select
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import filesystem  # noqa: E402
import harness  # noqa: E402
import linux  # noqa: E402
import seccomp  # noqa: E402

OUTPUT_TAIL = 4000
SAMPLE_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}


def setup(config: dict) -> dict:
    """Enter private mount+network namespaces as far as the machine allows; say what held."""
    iso = {"uid": "unchanged", "network": [], "pid": "none", "fs": "none"}
    linux.prctl(linux.PR_SET_PDEATHSIG, signal.SIGKILL)
    try:
        linux.unshare(linux.CLONE_NEWNS | linux.CLONE_NEWNET)
        iso["network"].append("netns")
        iso["fs"] = filesystem.private_view(config.get("hide", []))
    except OSError as exc:
        iso["namespace_error"] = str(exc)
    if config.get("uid") and _can_become(int(config["uid"])):
        iso["uid"] = int(config["uid"])
    else:
        iso["uid"] = "same uid, capabilities dropped"
    iso["seccomp"] = "pending"
    return iso


def _limits(lim: dict) -> None:
    cpu = max(1, int(lim["cpu_seconds"]))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    for name, key in (("RLIMIT_AS", "memory_bytes"), ("RLIMIT_FSIZE", "file_bytes"),
                      ("RLIMIT_NPROC", "processes"), ("RLIMIT_NOFILE", "open_files")):
        resource.setrlimit(getattr(resource, name), (int(lim[key]), int(lim[key])))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _become_sample(workdir: str, uid, out_w: int, res_w: int) -> None:
    """In the sample process: own session, fds, limits, identity, no network, empty env."""
    os.setsid()
    os.chdir(workdir)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out_w, 1)
    os.dup2(out_w, 2)
    os.closerange(3, res_w)
    os.closerange(res_w + 1, 65536)
    if isinstance(uid, int):
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    else:
        linux.drop_all_capabilities()
    linux.prctl(linux.PR_SET_PDEATHSIG, signal.SIGKILL)
    seccomp.deny_sockets()
    os.environ.clear()
    os.environ.update(SAMPLE_ENV, HOME=workdir, TMPDIR=workdir)


def _collect(pid: int, out_r: int, res_r: int, deadline: float) -> tuple[bytes, bytes, bool]:
    """Drain output and result pipes until both close or the wall-clock deadline passes."""
    out, res, open_fds, timed_out = b"", b"", {out_r, res_r}, False
    while open_fds:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        ready, _, _ = select.select(list(open_fds), [], [], left)
        for fd in ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                open_fds.discard(fd)
            elif fd == out_r:
                out = (out + chunk)[-OUTPUT_TAIL:]
            else:
                res = (res + chunk)[:200]
    return out, res, timed_out


def _supervise(req: dict, uid, reply_fd: int) -> None:
    """Per-sample trusted process: workdir, PID namespace, sample, verdict, cleanup."""
    start = time.monotonic()
    workdir = tempfile.mkdtemp(prefix="sample-", dir="/tmp")
    if isinstance(uid, int):
        os.chown(workdir, uid, uid)
    os.chmod(workdir, 0o700)
    nonce = os.urandom(16).hex().encode()
    out_r, out_w = os.pipe()
    res_r, res_w = os.pipe()
    pid_ns = "pidns"
    try:
        linux.unshare(linux.CLONE_NEWPID)
    except OSError:
        pid_ns = "none"
    pid = os.fork()
    if pid == 0:
        try:
            os.close(out_r), os.close(res_r)
            _become_sample(workdir, uid, out_w, res_w)
            _limits(req["limits"])
            harness.run(req["program"], req["test"], res_w, nonce)
        finally:
            os._exit(1)
    os.close(out_w), os.close(res_w)
    out, res, timed_out = _collect(pid, out_r, res_r, start + float(req["timeout"]))
    _kill_sample(pid, uid, pid_ns)
    _, status = os.waitpid(pid, 0)
    shutil.rmtree(workdir, ignore_errors=True)
    passed = res.strip() == b"PASSED " + nonce and os.waitstatus_to_exitcode(status) == 0 and not timed_out
    reply = {"id": req["id"], "passed": passed, "timed_out": timed_out,
             "exit_code": os.waitstatus_to_exitcode(status), "pid_namespace": pid_ns,
             "seconds": round(time.monotonic() - start, 4),
             "output": out.decode("utf-8", "replace").replace(nonce.decode(), "<nonce>")}
    os.write(reply_fd, (json.dumps(reply) + "\n").encode())


def _kill_sample(pid: int, uid, pid_ns: str) -> None:
    """SIGKILL the sample; as PID 1 of its namespace its death takes every descendant along."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    if pid_ns == "none" and isinstance(uid, int):
        killer = os.fork()  # no PID namespace: kill everything running as the sample's uid
        if killer == 0:
            os.setuid(uid)
            os.kill(-1, signal.SIGKILL)
            os._exit(0)
        os.waitpid(killer, 0)


def main() -> None:
    config = json.loads(sys.argv[1])
    iso = setup(config)
    uid = iso["uid"] if isinstance(iso["uid"], int) else None
    probe = _probe_seccomp()
    iso["seccomp"] = probe
    iso["network"] = iso["network"] + (["seccomp-no-sockets"] if probe == "socket() denied" else [])
    out = sys.stdout.fileno()
    os.write(out, (json.dumps({"ready": True, "isolation": iso}) + "\n").encode())
    for line in sys.stdin:
        req = json.loads(line)
        child = os.fork()
        if child == 0:
            code = 0
            try:
                _supervise(req, uid, out)
            except BaseException as exc:  # noqa: BLE001 - reported to the pool, never silent
                sys.stderr.write(f"sandbox supervisor failed: {exc!r}\n")
                code = 70
            os._exit(code)
        _, status = os.waitpid(child, 0)
        if os.waitstatus_to_exitcode(status) != 0:
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
    """Check once, in a throwaway child, that the socket filter installs and bites."""
    pid = os.fork()
    if pid == 0:
        try:
            ok = seccomp.deny_sockets()
            import socket

            try:
                socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            except PermissionError:
                os._exit(0 if ok else 2)
            os._exit(3)
        except BaseException:  # noqa: BLE001
            os._exit(4)
    _, status = os.waitpid(pid, 0)
    return {0: "socket() denied", 2: "unsupported architecture"}.get(
        os.waitstatus_to_exitcode(status), "failed")


if __name__ == "__main__":
    main()

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
    iso = {"uid": "unchanged", "network": [], "pid": "per sample (see each result)", "fs": "none"}
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
    """In the sample process: own session, fds, /proc, limits, identity, no network, empty env."""
    os.setsid()
    _own_proc()
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


def _own_proc() -> None:
    """PID 1 of its own namespace mounts a /proc showing only its namespace (no other pids)."""
    if os.getpid() != 1:
        return
    try:
        linux.unshare(linux.CLONE_NEWNS)
        linux.mount("proc", "/proc", "proc", linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC)
    except OSError:
        pass


def _reap_descendants() -> None:
    """Without a PID namespace: kill every process that was reparented to us (we are subreaper)."""
    me = str(os.getpid())
    for _ in range(1000):
        kids = []
        for stat in os.listdir("/proc"):
            try:
                with open(f"/proc/{stat}/stat") as fh:
                    if fh.read().rsplit(")", 1)[1].split()[1] == me:
                        kids.append(int(stat))
            except (OSError, IndexError, ValueError):
                continue
        if not kids:
            return
        for kid in kids:
            try:
                os.kill(kid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        while True:
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    break
            except ChildProcessError:
                break


def _collect(pid: int, out_r: int, res_r: int, deadline: float) -> tuple[bytes, bytes, bool]:
    """Drain output and result pipes until the sample exits (or the pipes close) or time is up.

    WHY watch the pid too: without a PID namespace a daemon it left may hold the pipes open.
    """
    bufs, open_fds, timed_out, exited = {out_r: b"", res_r: b""}, {out_r, res_r}, False, False
    pidfd = os.pidfd_open(pid)
    while open_fds and not exited:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        ready, _, _ = select.select([*open_fds, pidfd], [], [], left)
        exited = pidfd in ready
        for fd in open_fds & set(select.select(list(open_fds), [], [], 0)[0] if exited else ready):
            chunk = os.read(fd, 65536)
            if not chunk:
                open_fds.discard(fd)
            bufs[fd] = (bufs[fd] + chunk)[-OUTPUT_TAIL:] if fd == out_r else (bufs[fd] + chunk)[:200]
    os.close(pidfd)
    return bufs[out_r], bufs[res_r], timed_out


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
        pid_ns = "subreaper"
        linux.prctl(linux.PR_SET_CHILD_SUBREAPER, 1)
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
    if pid_ns == "subreaper":
        _reap_descendants()
    shutil.rmtree(workdir, ignore_errors=True)
    passed = res.strip() == b"PASSED " + nonce and os.waitstatus_to_exitcode(status) == 0 and not timed_out
    reply = {"id": req["id"], "passed": passed, "timed_out": timed_out,
             "exit_code": os.waitstatus_to_exitcode(status), "pid_namespace": pid_ns,
             "seconds": round(time.monotonic() - start, 4),
             "output": out.decode("utf-8", "replace").replace(nonce.decode(), "<nonce>")}
    os.write(reply_fd, (json.dumps(reply) + "\n").encode())


def _kill_sample(pid: int, uid, pid_ns: str) -> None:
    """SIGKILL the sample; as PID 1 of its namespace its death takes every descendant along."""
    for kill in (os.killpg, os.kill):  # its process group first: what did not setsid dies at once
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    if pid_ns == "subreaper" and isinstance(uid, int):
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

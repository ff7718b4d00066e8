"""One sample, start to verdict: its own namespaces, the checker, the sample, cleanup (stdlib only).

Forked by the worker once per sample, as the worker's (trusted) identity. In order:
1. new mount + IPC namespaces and a fresh session keyring: /tmp, /var/tmp, /dev/shm become new
   empty tmpfs mounts, SysV/POSIX IPC objects live and die with this sample, no inherited keys;
2. the checker (``check.py``: prompt + test, never model code) as its own uid, not dumpable;
3. a new PID namespace, then the sample (``serve.py``: the program) as its PID 1 and another uid,
   so it cannot see or signal the checker, and its death takes everything it started along;
4. wait for the checker's verdict or the wall clock, SIGKILL what is left, report one JSON line.
"""

from __future__ import annotations

import json
import os
import resource
import select
import shutil
import signal
import tempfile
import time

import check
import filesystem
import linux
import seccomp
import serve

OUTPUT_TAIL = 4000
SAMPLE_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}


def _limits(lim: dict, processes: int) -> None:
    cpu = max(1, int(lim["cpu_seconds"]))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    for name, value in (("RLIMIT_AS", lim["memory_bytes"]), ("RLIMIT_FSIZE", lim["file_bytes"]),
                        ("RLIMIT_NPROC", processes), ("RLIMIT_NOFILE", lim["open_files"])):
        resource.setrlimit(getattr(resource, name), (int(value), int(value)))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _become(uid, keep: list[int], out_w: int, workdir: str) -> None:
    """Own session, only the fds in ``keep`` (+ output on 1 and 2), identity, no network, bare env."""
    os.setsid()
    os.chdir(workdir)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out_w, 1)
    os.dup2(out_w, 2)
    last = 2
    for fd in sorted(keep):
        os.closerange(last + 1, fd)
        last = fd
    os.closerange(last + 1, 65536)
    if isinstance(uid, int):
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    else:
        linux.drop_all_capabilities()
    linux.prctl(linux.PR_SET_PDEATHSIG, signal.SIGKILL)
    seccomp.install()
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


def _private_sample_state(scratch_bytes: int, namespaces: bool) -> dict:
    """Steps 1: what this sample gets fresh. Recorded; a step the machine refuses is named."""
    done = {}
    try:
        linux.join_new_session_keyring()
        done["keyring"] = "fresh session keyring"
    except OSError as exc:
        done["keyring"] = f"inherited ({exc.strerror or exc})"
    if not namespaces:
        return {**done, "ipc": "shared", "scratch": "shared"}
    linux.unshare(linux.CLONE_NEWNS | linux.CLONE_NEWIPC)
    filesystem.fresh_scratch(scratch_bytes)
    return {**done, "ipc": "ipcns per sample", "scratch": "fresh tmpfs per sample"}


def _reap_descendants() -> None:
    """Without a PID namespace: kill every process that was reparented to us (we are subreaper)."""
    me = str(os.getpid())
    for _ in range(1000):
        kids = []
        for entry in os.listdir("/proc"):
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    if fh.read().rsplit(")", 1)[1].split()[1] == me:
                        kids.append(int(entry))
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


def _collect(checker: int, out_r: int, res_r: int, deadline: float) -> tuple[bytes, bytes, bool]:
    """Drain output and verdict until the checker exits (or its pipes close) or time is up."""
    bufs, open_fds, timed_out, exited = {out_r: b"", res_r: b""}, {res_r, out_r}, False, False
    pidfd = os.pidfd_open(checker)
    while res_r in open_fds and not exited:
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


def _drain(fd: int, buf: bytes) -> bytes:
    """What the sample printed after the verdict (its pipe may be held open by a leftover: don't wait)."""
    os.set_blocking(fd, False)
    try:
        while chunk := os.read(fd, 65536):
            buf = (buf + chunk)[-OUTPUT_TAIL:]
    except BlockingIOError:
        pass
    return buf


def _kill(pid: int, uid, pid_ns: str) -> None:
    """SIGKILL a process; as PID 1 of its namespace the sample's death takes its descendants along."""
    for kill in (os.killpg, os.kill):
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


def _describe(status: int | None) -> str:
    if status is None:
        return "still running at the verdict (killed by the sandbox)"
    code = os.waitstatus_to_exitcode(status)
    return f"exit {code}" if code >= 0 else f"killed by {signal.Signals(-code).name}"


def supervise(req: dict, uids: dict, namespaces: bool, reply_fd: int) -> None:
    """Run one request (program, prelude, test, calls) and write its verdict line to ``reply_fd``."""
    start = time.monotonic()
    lim = req["limits"]
    state = _private_sample_state(lim["scratch_bytes"], namespaces)
    workdir = tempfile.mkdtemp(prefix="sample-", dir="/tmp")
    checkdir = tempfile.mkdtemp(prefix="check-", dir="/tmp")
    if isinstance(uids["sample"], int):
        os.chown(workdir, uids["sample"], uids["sample"])
    os.chmod(workdir, 0o700)
    nonce = os.urandom(16).hex().encode()
    out_r, out_w = os.pipe()
    res_r, res_w = os.pipe()
    calls_r, calls_w = os.pipe()
    replies_r, replies_w = os.pipe()
    checker = os.fork()
    if checker == 0:
        try:
            _become(uids["checker"], [calls_w, replies_r, res_w], out_w, checkdir)
            linux.prctl(linux.PR_SET_DUMPABLE, 0)
            _limits(lim, 1)
            check.run(req["prelude"], req["test"], req["calls"], calls_w, replies_r, res_w, nonce)
        finally:
            os._exit(1)
    pid_ns = "pidns"
    try:
        linux.unshare(linux.CLONE_NEWPID)
    except OSError:
        pid_ns = "subreaper"
        linux.prctl(linux.PR_SET_CHILD_SUBREAPER, 1)
    sample = os.fork()
    if sample == 0:
        try:
            _own_proc()
            _become(uids["sample"], [calls_r, replies_w], out_w, workdir)
            _limits(lim, lim["processes"])
            serve.run(req["program"], calls_r, replies_w)
        finally:
            os._exit(0)
    for fd in (out_w, res_w, calls_r, calls_w, replies_r, replies_w):
        os.close(fd)
    out, res, timed_out = _collect(checker, out_r, res_r, start + float(req["timeout"]))
    done, sample_status = os.waitpid(sample, os.WNOHANG)
    _kill(checker, uids["checker"], "pidns")
    _kill(sample, uids["sample"], pid_ns)
    _, check_status = os.waitpid(checker, 0)
    if not done:
        os.waitpid(sample, 0)
    if pid_ns == "subreaper":
        _reap_descendants()
    out = _drain(out_r, out)
    if not namespaces:  # with them, the scratch tmpfs vanishes with this process's namespace
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(checkdir, ignore_errors=True)
    passed = (res.strip() == b"PASSED " + nonce and os.waitstatus_to_exitcode(check_status) == 0
              and not timed_out)
    reply = {"id": req["id"], "passed": passed, "timed_out": timed_out,
             "exit_code": os.waitstatus_to_exitcode(check_status),
             "sample_exit": _describe(sample_status if done else None),
             "seconds": round(time.monotonic() - start, 4),
             "output": out.decode("utf-8", "replace").replace(nonce.decode(), "<nonce>"),
             "per_sample": {**state, "pid": pid_ns}}
    os.write(reply_fd, (json.dumps(reply) + "\n").encode())

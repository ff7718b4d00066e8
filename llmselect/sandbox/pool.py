"""Parent side of the sandbox: a pool of pre-started namespaced workers, one sample at a time each.

WHY a pool: starting Python and building namespaces costs ~50 ms; each worker pays it once and
then forks a fresh process per sample (its own PID namespace, uid, limits, working dir), so a
sample is still isolated from every other sample while throughput stays high.
Create the Sandbox on a long-lived thread: workers die with the thread that started them
(PR_SET_PDEATHSIG), which is what guarantees nothing survives a crashed scorer.
"""

from __future__ import annotations

import itertools
import json
import os
import queue
import secrets
import select
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from llmselect.errors import EnvironmentProblem
from llmselect.sandbox.limits import Job, SampleResult, SandboxLimits

WORKER = Path(__file__).with_name("worker") / "zygote.py"
UID_BASE = 1_600_000_000  # far above any real account; two uids per worker slot
UIDS_PER_POOL = 1024  # room for 512 worker slots (sample uid, checker uid)


def _worker_command(config: dict) -> list[str]:
    cmd = [sys.executable, "-I", "-S", str(WORKER), json.dumps(config)]
    if os.geteuid() != 0 and shutil.which("unshare"):
        cmd = ["unshare", "--user", "--map-root-user", *cmd]  # namespaces without root
    return cmd


class _Worker:
    """One zygote process and its line protocol."""

    def __init__(self, uids: dict[str, int]):
        self.proc = subprocess.Popen(
            _worker_command({"uids": uids}), stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={"LANG": "C.UTF-8"}, close_fds=True)
        self._buf = b""
        ready = self.read(30.0)
        if not ready or not ready.get("ready"):
            err = self.proc.stderr.read1(2000).decode(errors="replace").strip() if ready is None else ""
            self.close()
            raise EnvironmentProblem(f"the code sandbox worker did not start: {err or 'no reply'}")
        self.isolation: dict = ready["isolation"]

    def read(self, timeout: float) -> dict | None:
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return json.loads(line)

    def run(self, req: dict) -> dict | None:
        self.proc.stdin.write((json.dumps(req) + "\n").encode())
        self.proc.stdin.flush()
        return self.read(float(req["timeout"]) + 30.0)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                stream.close()
            except OSError:  # a dead worker's stdin cannot take the flush: nothing to keep
                pass


class Sandbox:
    """Run untrusted Python programs, each in its own fresh, limited, network-less process."""

    def __init__(self, workers: int | None = None, limits: SandboxLimits | None = None):
        self.limits = limits or SandboxLimits()
        self.size = workers or os.cpu_count() or 1
        self._base = UID_BASE + secrets.randbelow(1 << 20) * UIDS_PER_POOL
        self._per_sample: dict = {}
        self.replaced = 0  # workers that stopped answering and were started again
        self._ids = itertools.count()
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: list[_Worker] = []
        for slot in range(self.size):
            self._add(slot)

    def uids(self, slot: int) -> dict[str, int]:
        """The unprivileged uids of a worker slot: one runs the program, the other the test."""
        return {"sample": self._base + 2 * slot, "checker": self._base + 2 * slot + 1}

    @property
    def uid_span(self) -> tuple[int, int]:
        return self._base, self._base + 2 * self.size

    def _add(self, slot: int) -> None:
        worker = _Worker(self.uids(slot))
        worker.slot = slot
        self._all.append(worker)
        self._idle.put(worker)

    @property
    def isolation(self) -> dict:
        """The workers' isolation plus the per-sample layers of the last sample that ran."""
        return {**(self._all[0].isolation if self._all else {}), **self._per_sample}

    def run(self, job: Job, limits: SandboxLimits | None = None) -> SampleResult:
        """Run the job's program in one process and its test in another; judge it."""
        limits = limits or self.limits
        worker = self._idle.get()
        req = {"id": next(self._ids), "program": job.program, "test": job.test,
               "prelude": job.prelude, "calls": list(job.calls),
               "timeout": limits.timeout_seconds, "limits": limits.for_worker()}
        try:
            reply = worker.run(req)
        except (BrokenPipeError, OSError):
            reply = None
        if reply is None or reply.get("id") != req["id"]:
            return self._replace(worker, "sandbox worker stopped answering")
        self._idle.put(worker)
        self._per_sample = reply.pop("per_sample", {})
        iso = {**worker.isolation, **self._per_sample}
        if "error" in reply:
            return SampleResult(passed=False, error=reply["error"], isolation=iso)
        reply.pop("id")
        return SampleResult(**reply, isolation=iso)

    def _replace(self, worker: _Worker, why: str) -> SampleResult:
        """The worker died or desynchronised: this sample fails, a fresh worker takes the slot."""
        self._all.remove(worker)
        worker.close()
        self.replaced += 1
        self._add(worker.slot)
        return SampleResult(passed=False, error=why, isolation=worker.isolation)

    def run_many(self, jobs: list[Job]) -> list[SampleResult]:
        """Run jobs in parallel over the workers, results in input order."""
        with ThreadPoolExecutor(self.size) as pool:
            return list(pool.map(self.run, jobs))

    def close(self) -> None:
        for worker in self._all:
            worker.close()
        self._all.clear()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

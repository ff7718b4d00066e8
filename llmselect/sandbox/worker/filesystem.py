"""The worker's private view of the file system (stdlib only; runs inside a new mount namespace).

WHY: the sample runs as an unprivileged uid, so it cannot write the user's files anyway; the
read-only remount is a second wall for world-writable places, and the tmpfs mounts give it
nothing to read in home directories and a private /tmp that vanishes with the namespace.
"""

from __future__ import annotations

import os
import shutil
import sys

from linux import MS_BIND, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_PRIVATE, MS_RDONLY, MS_REC, MS_REMOUNT, mount, umount

_KEEP_FLAGS = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC}
SCRATCH = ("/tmp", "/var/tmp", "/dev/shm")


def _mountinfo() -> list[tuple[str, int]]:
    """(mount point, flags to keep) for every mount, parents first."""
    points = []
    with open("/proc/self/mountinfo") as fh:
        for line in fh:
            fields = line.split()
            target = fields[4].encode().decode("unicode_escape")
            flags = sum(v for k, v in _KEEP_FLAGS.items() if k in fields[5].split(","))
            points.append((target, flags))
    return sorted(points, key=lambda p: p[0].count("/"))


def make_read_only() -> int:
    """Remount every mount read-only in this namespace; return how many refused."""
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    refused = 0
    for target, flags in _mountinfo():
        try:
            mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | flags)
        except OSError:
            refused += 1
    return refused


def _hide_targets(extra: list[str]) -> list[str]:
    """Home folders to cover with an empty tmpfs (outermost only, existing only)."""
    reals = {os.path.realpath(p) for p in ["/root", "/home", *extra] if p and os.path.isdir(p)}
    reals.discard("/")
    return sorted(r for r in reals if not any(r.startswith(o + "/") for o in reals))


def _hide(path: str, staging: str) -> None:
    """Cover ``path`` with an empty read-only tmpfs, but keep the Python we run visible under it.

    WHY: pyenv/uv/conda often install Python inside the home folder; the sample must still be
    able to import the standard library, and nothing else from home.
    """
    keep = [k for k in {os.path.realpath(sys.base_prefix)} if k.startswith(path + "/")]
    for i, k in enumerate(keep):
        os.makedirs(f"{staging}/{i}")
        mount(k, f"{staging}/{i}", None, MS_BIND | MS_REC)
    mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=755")
    for i, k in enumerate(keep):
        os.makedirs(k, mode=0o755)
        mount(f"{staging}/{i}", k, None, MS_BIND | MS_REC)
        mount(None, k, None, MS_REMOUNT | MS_BIND | MS_RDONLY)
        umount(f"{staging}/{i}")
    mount(None, path, None, MS_REMOUNT | MS_NOSUID | MS_NODEV | MS_RDONLY, "size=64k,mode=755")


def fresh_scratch(size_bytes: int) -> None:
    """New empty tmpfs on /tmp, /var/tmp, /dev/shm, in this (per-sample) mount namespace.

    WHY per sample: a file one sample leaves there is never seen by the next one, and a sample
    that fills them fills only its own (the mounts vanish with the namespace, i.e. the sample).
    """
    for path in SCRATCH:
        if os.path.isdir(path):
            mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size_bytes},mode=1777")


def private_view(hide: list[str]) -> dict:
    """Set up the namespace's mounts; return what was done for the isolation record."""
    refused = make_read_only()
    for path in SCRATCH:
        if os.path.isdir(path):
            mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=256m,mode=1777")
    hidden = _hide_targets(hide)
    staging = "/tmp/.llmselect-staging"
    for path in hidden:
        _hide(path, staging)
    shutil.rmtree(staging, ignore_errors=True)
    proc = "hidepid=2"
    try:
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=2")
    except OSError:
        proc = "shared"
    return {"read_only_mounts_refused": refused, "hidden": hidden, "proc": proc,
            "scratch": "private tmpfs"}

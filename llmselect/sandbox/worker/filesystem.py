"""The worker's private view of the file system (stdlib only; runs inside a new mount namespace).

WHY a minimal root instead of hiding what we know of: a completion must not read anything that
could answer the benchmark (the HumanEval file with its canonical solutions sits in the data
folder, in package data, in caches) or any user's secrets, wherever they are on this machine.
So the worker pivots into an empty root holding only the operating system's /usr, /bin, /sbin,
/lib*, /etc, a few device nodes and the Python standard library, all read-only, with every
``site-packages`` in them covered by an empty mount. Nothing else exists for a sample: no home
folders, no /work, /opt, /srv, /mnt, no data, no caches, no repository.
/tmp, /var/tmp and /dev/shm are tmpfs mounts, made fresh again for every sample (``fresh_scratch``).
"""

from __future__ import annotations

import ctypes
import glob
import os
import platform
import sys

from linux import (
    MS_BIND,
    MS_NODEV,
    MS_NOEXEC,
    MS_NOSUID,
    MS_PRIVATE,
    MS_RDONLY,
    MS_REC,
    MS_REMOUNT,
    mount,
    umount,
)

_KEEP_FLAGS = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC}
SCRATCH = ("/tmp", "/var/tmp", "/dev/shm")
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
DEVICES = ("null", "zero", "full", "random", "urandom")
NEW_ROOT = "/tmp/.llmselect-root"  # on the worker's own tmpfs /tmp
_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}
_libc = ctypes.CDLL(None, use_errno=True)


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


def _stdlib_dirs() -> list[str]:
    """The Python standard library this worker runs (and may import lazily) and nothing else."""
    dirs = {os.path.realpath(p) for p in sys.path[1:] if p and os.path.isdir(p)}
    return sorted(d for d in dirs if not any(d.startswith(o + "/") for o in dirs))


def _bind(path: str, flags: int = 0) -> None:
    target = NEW_ROOT + path
    os.makedirs(target, exist_ok=True)
    mount(path, target, None, MS_BIND | MS_REC)
    mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | flags)


def _cover_site_packages() -> list[str]:
    """Empty read-only tmpfs over every installed-packages folder left in the new root."""
    found = set()
    for pattern in ("/usr/lib/python3*/*-packages", "/usr/local/lib/python3*/*-packages",
                    *(d + "/*-packages" for d in _stdlib_dirs())):
        found.update(p for p in glob.glob(NEW_ROOT + pattern) if os.path.isdir(p))
    for path in sorted(found):
        mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY, "size=4k,mode=755")
    return sorted(p[len(NEW_ROOT):] for p in found)


def _pivot() -> None:
    nr = _PIVOT_ROOT.get(platform.machine())
    old = NEW_ROOT + "/.old-root"
    if nr is None or _libc.syscall(ctypes.c_long(nr), NEW_ROOT.encode(), old.encode()) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"pivot_root: {os.strerror(err)}")
    os.chdir("/")
    umount("/.old-root")  # the empty folder stays (the new root is read-only)


def minimal_root() -> dict:
    """Build the new root (see module docstring) and pivot into it; return what it holds."""
    os.makedirs(NEW_ROOT)
    mount("tmpfs", NEW_ROOT, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=755")
    kept = []
    for path in [*SYSTEM, *_stdlib_dirs()]:
        if os.path.islink(path) and os.path.dirname(path) == "/":
            os.symlink(os.readlink(path), NEW_ROOT + path)  # merged-/usr links: /bin -> usr/bin
        elif os.path.isdir(path) and not any(path.startswith(k + "/") for k in kept):
            _bind(path, MS_NODEV)
            kept.append(path)
    covered = _cover_site_packages()
    os.makedirs(NEW_ROOT + "/dev")
    for name in DEVICES:
        open(f"{NEW_ROOT}/dev/{name}", "w").close()
        mount(f"/dev/{name}", f"{NEW_ROOT}/dev/{name}", None, MS_BIND)
    os.symlink("/proc/self/fd", NEW_ROOT + "/dev/fd")
    for path in ("/proc", "/tmp", "/var/tmp", "/dev/shm", "/.old-root"):
        os.makedirs(NEW_ROOT + path, exist_ok=True)
    # the machine's /proc, until a private one covers it: without a visible proc the kernel lets
    # no one in a user namespace mount a new one (each sample mounts its own over it)
    mount("/proc", NEW_ROOT + "/proc", None, MS_BIND | MS_REC)
    mount(None, NEW_ROOT, None, MS_REMOUNT | MS_NOSUID | MS_NODEV | MS_RDONLY, "size=1m,mode=755")
    _pivot()
    return {"root": "minimal", "visible": kept, "site_packages_covered": covered}


def fresh_scratch(size_bytes: int) -> None:
    """New empty tmpfs on /tmp, /var/tmp, /dev/shm, in this (per-sample) mount namespace.

    WHY per sample: a file one sample leaves there is never seen by the next one, and a sample
    that fills them fills only its own (the mounts vanish with the namespace, i.e. the sample).
    """
    for path in SCRATCH:
        if os.path.isdir(path):
            mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size_bytes},mode=1777")


def private_view() -> dict:
    """Set up the namespace's mounts; return what was done for the isolation record."""
    refused = make_read_only()
    mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=2m,mode=1777")
    view = minimal_root()
    fresh_scratch(1 << 20)
    proc = "hidepid=2"
    try:
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=2")
    except OSError:
        proc = "the machine's (each sample mounts its own)"
    return {"read_only_mounts_refused": refused, **view, "proc": proc}

"""A tiny seccomp-BPF filter that denies creating sockets (stdlib only).

WHY: the network namespace is the main network barrier, but it needs privileges the machine may
not grant. This filter needs none (only no_new_privs) and blocks ``socket()`` and io_uring (which
can open sockets too) whatever the namespaces did, so a sample can never reach the network.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import struct

from linux import PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, prctl

_ARCH = {  # machine -> (AUDIT_ARCH, {syscall name: number})
    "x86_64": (0xC000003E, {"socket": 41, "io_uring_setup": 425}),
    "aarch64": (0xC00000B7, {"socket": 198, "io_uring_setup": 425}),
}
_LD_ABS, _JEQ, _JGE, _RET = 0x20, 0x15, 0x35, 0x06
_ALLOW, _KILL = 0x7FFF0000, 0x80000000
_DENY = 0x00050000 | errno.EACCES
SECCOMP_MODE_FILTER = 2


def _insn(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


def _program(audit_arch: int, numbers: dict[str, int]) -> bytes:
    insns = [_insn(_LD_ABS, 0, 0, 4), _insn(_JEQ, 1, 0, audit_arch), _insn(_RET, 0, 0, _KILL),
             _insn(_LD_ABS, 0, 0, 0), _insn(_JGE, 0, 1, 0x40000000), _insn(_RET, 0, 0, _KILL)]
    for nr in numbers.values():
        insns += [_insn(_JEQ, 0, 1, nr), _insn(_RET, 0, 0, _DENY)]
    return b"".join(insns + [_insn(_RET, 0, 0, _ALLOW)])


def deny_sockets() -> bool:
    """Install the filter in this process (inherited by its children). False if arch unknown."""
    arch = _ARCH.get(platform.machine())
    if arch is None:
        return False
    code = _program(*arch)

    class Prog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]

    prog = Prog(len(code) // 8, code)
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog))
    return True

"""A small seccomp-BPF filter: no sockets, no addresses, no keyrings, no tracing (stdlib only).

WHY each rule (seccomp sees syscall numbers and integer arguments, never the memory a pointer
argument points to, so it cannot tell an AF_UNIX address from an AF_INET one):
- ``socket()`` and io_uring: no new socket, whatever the namespaces did (the network namespace
  needs privileges the machine may not grant; this filter needs only no_new_privs).
- ``connect``, ``bind``, ``listen``, ``accept``/``accept4``, ``sendmsg``/``sendmmsg`` and ``sendto``
  with a destination address: ``socketpair()`` stays allowed (asyncio's self-pipe uses it), and
  with these denied its sockets can talk only to each other, never to a path such as ``/dev/log``
  or an abstract name. ``sendmsg`` is denied outright because its address hides inside a struct.
- ``add_key``, ``keyctl``, ``request_key``: the kernel keyrings are not the sample's business (the
  supervisor also joins a fresh session keyring, so there is nothing inherited to read).
- ``ptrace``, ``process_vm_readv``/``writev``: no reading or writing another process's memory.
Denied calls fail with EACCES (code sees an ordinary error); other architectures' ABIs are killed.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import struct

from linux import PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, prctl

DENIED = ("socket", "connect", "bind", "listen", "accept", "accept4", "sendmsg", "sendmmsg",
          "add_key", "keyctl", "request_key", "ptrace", "process_vm_readv", "process_vm_writev",
          "io_uring_setup", "io_uring_enter", "io_uring_register")
_ARCH = {  # machine -> (AUDIT_ARCH, {syscall name: number})
    "x86_64": (0xC000003E, {
        "socket": 41, "connect": 42, "accept": 43, "sendto": 44, "sendmsg": 46, "bind": 49,
        "listen": 50, "ptrace": 101, "add_key": 248, "request_key": 249, "keyctl": 250,
        "accept4": 288, "sendmmsg": 307, "process_vm_readv": 310, "process_vm_writev": 311,
        "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427}),
    "aarch64": (0xC00000B7, {
        "socket": 198, "bind": 200, "listen": 201, "accept": 202, "connect": 203, "sendto": 206,
        "sendmsg": 211, "ptrace": 117, "add_key": 217, "request_key": 218, "keyctl": 219,
        "accept4": 242, "sendmmsg": 269, "process_vm_readv": 270, "process_vm_writev": 271,
        "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427}),
}
_LD_ABS, _JEQ, _JGE, _RET = 0x20, 0x15, 0x35, 0x06
_ALLOW, _KILL = 0x7FFF0000, 0x80000000
_DENY = 0x00050000 | errno.EACCES
SECCOMP_MODE_FILTER = 2
_ARG4_LO, _ARG4_HI = 16 + 4 * 8, 16 + 4 * 8 + 4  # seccomp_data.args[4], little-endian halves


def _insn(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


def _program(audit_arch: int, numbers: dict[str, int]) -> bytes:
    insns = [_insn(_LD_ABS, 0, 0, 4), _insn(_JEQ, 1, 0, audit_arch), _insn(_RET, 0, 0, _KILL),
             _insn(_LD_ABS, 0, 0, 0), _insn(_JGE, 0, 1, 0x40000000), _insn(_RET, 0, 0, _KILL)]
    for name in DENIED:
        insns += [_insn(_JEQ, 0, 1, numbers[name]), _insn(_RET, 0, 0, _DENY)]
    # sendto(fd, buf, len, flags, dest_addr, addrlen): allowed only with dest_addr == NULL
    insns += [_insn(_JEQ, 0, 5, numbers["sendto"]),
              _insn(_LD_ABS, 0, 0, _ARG4_LO), _insn(_JEQ, 0, 2, 0),
              _insn(_LD_ABS, 0, 0, _ARG4_HI), _insn(_JEQ, 1, 0, 0),
              _insn(_RET, 0, 0, _DENY)]
    return b"".join(insns + [_insn(_RET, 0, 0, _ALLOW)])


class _Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]


def install() -> bool:
    """Install the filter in this process (inherited by its children). False if arch unknown."""
    arch = _ARCH.get(platform.machine())
    if arch is None:
        return False
    code = _program(*arch)
    prog = _Prog(len(code) // 8, code)
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog))
    return True

"""The untrusted side of one sample: run the program, then answer the test's calls with plain data.

WHY this shape: the program (prompt + completion) runs here and nothing else does; the test runs
in another process (``check.py``) and reaches the program's functions only by name, through a
pipe: each call arrives as plain arguments, the function runs here, its result goes back as plain
data (``plain.py``). Whatever this process does to itself (patched builtins, ``sys.settrace``, a
hostile ``__eq__``, walking frames) stays here: there is no nonce, no verdict and no test to reach.
"""

from __future__ import annotations

import json
import os
import sys
import traceback

import plain


def _reply(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view):]


def _lines(fd: int):
    buf = b""
    while True:
        while b"\n" not in buf:
            chunk = os.read(fd, 65536)
            if not chunk:
                return
            buf += chunk
        line, buf = buf.split(b"\n", 1)
        yield line


def _raised(exc: BaseException) -> bytes:
    return json.dumps(["raised", type(exc).__name__, str(exc)[:500]]).encode() + b"\n"


def run(program: str, calls_fd: int, replies_fd: int) -> None:
    """Execute ``program``; then serve ``[name, args, kwargs]`` calls until the test hangs up."""
    names = {"__name__": "__main__"}
    failed = None
    try:
        exec(compile(program, "<completion>", "exec"), names)  # noqa: S102 - this IS the sandbox
    except BaseException as exc:  # noqa: BLE001 - SystemExit and the like are failures too
        failed = exc
        _print_exc()
    _flush()  # what it printed reaches the output pipe before any answer does
    for line in _lines(calls_fd):
        if failed is not None:
            _reply(replies_fd, _raised(RuntimeError(f"the program raised {type(failed).__name__}: {failed}")))
            continue
        try:
            name, args, kwargs = plain.loads(line)
            result = names[name](*args, **kwargs)
            payload = b'["ok", ' + plain.dumps(result)[:-1] + b"]\n"
        except BaseException as exc:  # noqa: BLE001
            _print_exc()
            payload = _raised(exc)
        _flush()
        _reply(replies_fd, payload)
    _flush()


def _print_exc() -> None:
    try:
        traceback.print_exc(limit=3)
    except BaseException:  # noqa: BLE001
        pass


def _flush() -> None:
    """Keep what the sample printed (os._exit skips Python's buffers); never let it fail us."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001
            pass

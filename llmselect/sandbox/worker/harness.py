"""Runs one program inside the sandboxed child and reports success the program cannot fake.

WHY each step: the completion and the test share names (the test calls the completion) but not
builtins: the test runs against a copy of builtins taken before any untrusted code ran, so a
completion that patches ``abs``/``isinstance``/``print`` cannot change what the asserts check.
Success is a line carrying a per-sample nonce written to a private pipe after the test returned;
exit codes, printed text, ``os._exit(0)`` or ``SystemExit`` prove nothing. The nonce is held in
this frame only; code that walks interpreter frames to steal it is a known limit (see README).
"""

from __future__ import annotations

import builtins
import os
import sys
import traceback


def run(program: str, test: str, result_fd: int, nonce: bytes) -> None:
    write, exit_now, comp, run_code = os.write, os._exit, compile, exec
    pristine = dict(vars(builtins))
    names = {"__name__": "__main__", "__builtins__": builtins}
    try:
        run_code(comp(program, "<completion>", "exec"), names)
        checker = dict(names)
        checker["__builtins__"] = pristine
        run_code(comp(test, "<test>", "exec"), checker)
    except BaseException:  # noqa: BLE001 - SystemExit and KeyboardInterrupt are failures too
        try:
            traceback.print_exc(limit=3)
        except BaseException:  # noqa: BLE001
            pass
        _flush()
        exit_now(1)
    _flush()
    write(result_fd, b"PASSED " + nonce + b"\n")
    exit_now(0)


def _flush() -> None:
    """Keep what the sample printed (os._exit skips Python's buffers); never let it fail us."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001
            pass

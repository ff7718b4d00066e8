"""The trusted side of one sample: run the test's asserts, calling the completion through a proxy.

WHY a second process: HumanEval's asserts are ``candidate(x) == y``; run next to model code they
can be fooled (an ``__eq__`` that always answers True, ``sys.settrace`` skipping lines, frames
walked to the verdict). Here only the prompt (trusted benchmark text: imports and helpers the test
may use, such as ``poly``) and the test run; each ``candidate(...)`` is a message to the sample and
its answer comes back as plain builtins rebuilt by ``plain.loads``. Success is a line carrying a
per-sample nonce on a pipe only this process holds, written after the test returned.
"""

from __future__ import annotations

import builtins
import json
import os
import sys
import traceback

import plain

_SAFE_EXCEPTIONS = {name: value for name, value in vars(builtins).items()
                    if isinstance(value, type) and issubclass(value, Exception)}


class CompletionRaised(Exception):
    """The completion raised something that has no builtin Exception of the same name."""


class Proxy:
    """Stands for the completion's function ``name`` in the test's namespace."""

    def __init__(self, name: str, calls_fd: int, replies_fd: int):
        self.__name__ = name
        self._calls, self._replies, self._buf = calls_fd, replies_fd, b""

    def __call__(self, *args, **kwargs):
        message = plain.dumps([self.__name__, list(args), dict(kwargs)])
        view = memoryview(message)
        while view:
            view = view[os.write(self._calls, view):]
        kind, *rest = self._reply()
        if kind == "ok" and len(rest) == 1:
            return plain._build(rest[0])
        if kind == "raised" and len(rest) == 2 and all(type(r) is str for r in rest):
            raise _SAFE_EXCEPTIONS.get(rest[0], CompletionRaised)(f"{rest[0]}: {rest[1]}")
        raise ValueError("malformed reply from the completion")

    def _reply(self) -> list:
        while b"\n" not in self._buf:
            if len(self._buf) > plain.MAX_BYTES:
                raise ValueError("the completion's reply exceeds the size limit")
            chunk = os.read(self._replies, 1 << 20)
            if not chunk:
                raise EOFError("the completion stopped answering")
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        try:
            reply = json.loads(line)
        except RecursionError:
            raise ValueError("the completion's reply is nested too deeply") from None
        if type(reply) is not list or not reply or type(reply[0]) is not str:
            raise ValueError("malformed reply from the completion")
        return reply


def run(prelude: str, test: str, calls: list[str], calls_fd: int, replies_fd: int,
        result_fd: int, nonce: bytes) -> None:
    """Run prelude then test, every name in ``calls`` bound to a proxy; report success or exit 1."""
    names = {"__name__": "__main__"}
    try:
        exec(compile(prelude, "<prompt>", "exec"), names)  # noqa: S102 - benchmark text, no model code
        for name in calls:
            names[name] = Proxy(name, calls_fd, replies_fd)
        exec(compile(test, "<test>", "exec"), names)  # noqa: S102
    except BaseException:  # noqa: BLE001 - every way out but the end of the test is a failure
        try:
            traceback.print_exc(limit=2)
            sys.stderr.flush()
        except BaseException:  # noqa: BLE001
            pass
        os._exit(1)
    os.write(result_fd, b"PASSED " + nonce + b"\n")
    os._exit(0)

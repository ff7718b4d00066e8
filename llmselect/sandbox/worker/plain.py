"""Plain data across the sample/checker boundary: the only thing a sample can hand the test.

WHY: the test's asserts run in a process that never runs model code (``check.py``); what the
completion returns reaches it as bytes and is rebuilt here from JSON into builtin types only
(None, bool, int, float, str, bytes, complex, list, tuple, set, frozenset, dict). No object the
completion built survives the trip, so an ``__eq__`` that always answers True, a ``__hash__``
trick or a property that lies has nothing to attach to: ``==`` runs on real builtins.

Encoding (the sample side) may be lenient: whatever the sample sends is only a claim, and only
``decode`` (the trusted side) decides what it becomes. A JSON list is always a tagged container
``[tag, ...]``; scalars stay bare. Stdlib only: this file also runs inside the worker.
"""

from __future__ import annotations

import json

MAX_BYTES = 64 << 20  # one reply; larger is refused, not read
_SCALARS = (type(None), bool, int, float, str)


class NotPlain(TypeError):
    """A value that cannot cross (a function, a generator, an arbitrary object...)."""


def to_plain(value, depth: int = 0):
    """JSON-able form of ``value``; raises NotPlain for anything that is not plain data."""
    if depth > 200:
        raise NotPlain("nested deeper than 200 levels")
    kind = type(value)
    if kind in _SCALARS:
        return value
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int.__index__(value)
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, (bytes, bytearray)):
        return ["bytes", bytes(value).hex()]
    if isinstance(value, complex):
        return ["complex", complex.__complex__(value).real, complex(value).imag]
    inner = depth + 1
    if isinstance(value, dict):
        return ["dict", *([to_plain(k, inner), to_plain(v, inner)] for k, v in dict.items(value))]
    for base, tag in ((list, "list"), (tuple, "tuple"), (frozenset, "frozenset"), (set, "set")):
        if isinstance(value, base):
            return [tag, *(to_plain(item, inner) for item in base.__iter__(value))]
    raise NotPlain(f"a {kind.__name__} cannot be passed between the test and the completion")


def dumps(value) -> bytes:
    return json.dumps(to_plain(value), allow_nan=True).encode() + b"\n"


def _build(node, depth: int = 0):
    if depth > 200:
        raise ValueError("nested deeper than 200 levels")
    if type(node) in _SCALARS:
        return node
    if type(node) is not list or not node or type(node[0]) is not str:
        raise ValueError("malformed plain value")
    tag, items = node[0], node[1:]
    if tag == "bytes" and len(items) == 1 and type(items[0]) is str:
        return bytes.fromhex(items[0])
    if tag == "complex" and len(items) == 2 and all(type(i) in (int, float) for i in items):
        return complex(items[0], items[1])
    if tag == "dict":
        if any(type(pair) is not list or len(pair) != 2 for pair in items):
            raise ValueError("malformed dict")
        return {_build(k, depth + 1): _build(v, depth + 1) for k, v in items}
    built = [_build(item, depth + 1) for item in items]
    if tag == "list":
        return built
    if tag == "tuple":
        return tuple(built)
    if tag == "set":
        return set(built)
    if tag == "frozenset":
        return frozenset(built)
    raise ValueError(f"unknown tag {tag[:20]!r}")


def loads(line: bytes):
    """The trusted rebuild: builtin types only, whatever bytes arrive (ValueError otherwise)."""
    if len(line) > MAX_BYTES:
        raise ValueError("value larger than the limit")
    try:
        node = json.loads(line)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    return _build(node)

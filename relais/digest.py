"""Stable digests of the values a page is made from, equal across builds when the values are.

Pure. A digest is 16 bytes (BLAKE2b) of a canonical description of the value:
plain data by value (text, numbers, dates, lists, dicts, sets), objects by
their type and attributes, and, through `refs`, some objects by a name only
(a post by its source path: its own digest is taken apart, when a page reads
it). Anything that cannot be described the same way in the next build
(an object whose `repr` shows its address) gets a digest of its own that
never repeats, so a page that read it is always made again: the safe side.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import itertools
import types
from collections.abc import Callable, Mapping
from typing import Any

Describe = Callable[[Any], "str | None"]

_unique = itertools.count()
_SCALARS = (str, bytes, int, float, complex, bool, type(None), dt.date, dt.time, dt.timedelta,
            dt.tzinfo, enum.Enum)


def blake(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class Digester:
    """Digests for one build: remembered by object (the objects are kept alive with them).

    `refs(value)` returns a name for values that are digested by name only
    (posts, taxonomy entries, the settings), or None. `describers` describe the values of
    some exact types their own way: `describer(value, part)` (`part` describes a value
    inside it), or None for the general way.
    """

    def __init__(self, refs: Describe = lambda value: None, skip_attributes=frozenset(),
                 describers: Mapping[type, Callable[[Any, Describe], str | None]] | None = None):
        self.refs = refs
        self.skip_attributes = skip_attributes
        self.describers = describers or {}
        self._memo: dict[int, tuple[Any, bytes | None]] = {}

    def __call__(self, value: Any) -> bytes:
        key = id(value)
        found = self._memo.get(key)
        if found is not None and found[0] is value:
            if found[1] is None:  # met again while being described: a cycle
                return b"cycle"
            return found[1]
        self._memo[key] = (value, None)
        digest = blake(self.describe(value))
        self._memo[key] = (value, digest)
        return digest

    def part(self, value: Any) -> str:
        """A value inside another: plain values in full, others by their own (remembered) digest."""
        if isinstance(value, _SCALARS):
            if isinstance(value, str) and len(value) > 200:
                return f"{type(value).__qualname__}#{blake(value).hex()}"
            return f"{type(value).__qualname__}:{value!r}"
        ref = self.refs(value)
        if ref is not None:
            return f"ref:{ref}"
        return self(value).hex()

    def describe(self, value: Any) -> str:
        if isinstance(value, _SCALARS):
            return self.part(value)
        ref = self.refs(value)
        if ref is not None:
            return f"ref:{ref}"
        part = self.part
        own = self.describers.get(type(value))
        if own is not None:
            text = own(value, part)
            if text is not None:
                return text
        if isinstance(value, Mapping):
            items = sorted(f"{part(k)}={part(v)}" for k, v in value.items())
            return f"{type(value).__qualname__}{{{','.join(items)}}}"
        if isinstance(value, list | tuple):
            return f"{type(value).__qualname__}[{','.join(part(v) for v in value)}]"
        if isinstance(value, set | frozenset):
            return f"set[{','.join(sorted(part(v) for v in value))}]"
        if isinstance(value, types.FunctionType | types.BuiltinFunctionType | type |
                      types.ModuleType):
            return f"{type(value).__qualname__}:{getattr(value, '__module__', '')}." \
                   f"{getattr(value, '__qualname__', getattr(value, '__name__', ''))}"
        if isinstance(value, types.MethodType):
            return f"method:{value.__func__.__qualname__}@{part(value.__self__)}"
        if dataclasses.is_dataclass(value):
            fields = (f"{f.name}={part(getattr(value, f.name))}" for f in dataclasses.fields(value))
            return f"{type(value).__qualname__}({','.join(fields)})"
        attributes = getattr(value, "__dict__", None)
        if isinstance(attributes, dict):
            fields = sorted(f"{name}={part(v)}" for name, v in attributes.items()
                            if name not in self.skip_attributes)
            return f"{type(value).__module__}.{type(value).__qualname__}({','.join(fields)})"
        return f"unique:{next(_unique)}:{id(value)}"  # cannot be told apart from a changed value

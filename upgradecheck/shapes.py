"""Guarded reads of untrusted object shapes: a mapping, a list, a string, an integer or a
nested value, with anything of the wrong type read as absent. Every check and comparison
reads object bodies through these, so a wrong-typed field never raises."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

INT_LIMIT = 2**63
"""Integers at or beyond ±INT_LIMIT read as absent: Kubernetes counts are int32 or int64, and
a larger number (YAML and JSON allow hundreds of digits) overflows float arithmetic."""


def as_map(value: Any) -> Mapping[str, Any]:
    """`value` when it is a mapping, else an empty one."""
    # `type(...) is dict` first: JSON gives plain dicts, and the ABC check is slow at volume.
    return value if type(value) is dict or isinstance(value, Mapping) else {}


def as_maps(value: Any) -> list[Mapping[str, Any]]:
    """The mappings of a list (a missing or malformed list reads as empty)."""
    if not isinstance(value, list):
        return []
    return [item for item in value if type(item) is dict or isinstance(item, Mapping)]


def as_list(value: Any) -> list[Any]:
    """`value` when it is a list, else an empty one."""
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str | None:
    """`value` when it is a string, else None."""
    return value if isinstance(value, str) else None


def as_strs(value: Any) -> list[str]:
    """The strings of a list (other items left out; a missing or malformed list reads as
    empty)."""
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, str)]


def as_int(value: Any) -> int | None:
    """`value` when it is an integer of a size Kubernetes uses (not a bool), else None."""
    if type(value) is int and -INT_LIMIT < value < INT_LIMIT:
        return value
    return None


def dig(body: Mapping[str, Any], *keys: str) -> Any:
    """`body[k1][k2]...`, or None where a step is missing or not a mapping."""
    value: Any = body
    for key in keys:
        if type(value) is not dict and not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value

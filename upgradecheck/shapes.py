"""Guarded reads of untrusted object shapes: a mapping, a list of mappings or a nested value,
with anything of the wrong type read as absent. Every check and comparison reads object
bodies through these, so a wrong-typed field never raises."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def as_map(value: Any) -> Mapping[str, Any]:
    """`value` when it is a mapping, else an empty one."""
    # `type(...) is dict` first: JSON gives plain dicts, and the ABC check is slow at volume.
    return value if type(value) is dict or isinstance(value, Mapping) else {}


def as_maps(value: Any) -> list[Mapping[str, Any]]:
    """The mappings of a list (a missing or malformed list reads as empty)."""
    if not isinstance(value, list):
        return []
    return [item for item in value if type(item) is dict or isinstance(item, Mapping)]


def dig(body: Mapping[str, Any], *keys: str) -> Any:
    """`body[k1][k2]...`, or None where a step is missing or not a mapping."""
    value: Any = body
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value

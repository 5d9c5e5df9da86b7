"""Checked reads from a decoded JSON document: each bad field named by its path in the file."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class DecodeError(Exception):
    """A document whose field is missing or of the wrong type; the message names the field."""


class Fields:
    """Reads the fields of one document, naming its origin and the field in every error."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, where: str, problem: str) -> DecodeError:
        """The error for the field at `where`."""
        return DecodeError(f"{self.origin}: {where}: {problem}")

    def req(self, d: Mapping[str, Any], key: str, where: str, typ: type = str) -> Any:
        """The required field `key` of `d`, of type `typ`."""
        if not _is_map(d):
            raise self.fail(where, "expected an object")
        if key not in d:
            raise self.fail(where, f"missing field {key!r}")
        value = d[key]
        if type(value) is typ:  # the decoder's own types: the common case, and cheap
            return value
        if not isinstance(value, typ) or (typ is int and isinstance(value, bool)):
            raise self.fail(f"{where}.{key}", f"expected {typ.__name__}")
        return value

    def opt(self, d: Mapping[str, Any], key: str, where: str, typ: type = str) -> Any:
        """The optional field `key` of `d`, of type `typ`, or None when absent or null."""
        if not _is_map(d):
            raise self.fail(where, "expected an object")
        value = d.get(key)
        if value is None or type(value) is typ:
            return value
        if not isinstance(value, typ):
            raise self.fail(f"{where}.{key}", f"expected {typ.__name__} or null")
        return value

    def lst(self, d: Mapping[str, Any], key: str, where: str) -> list[Any]:
        """The list field `key` of `d` (empty when absent)."""
        if not _is_map(d):
            raise self.fail(where, "expected an object")
        value = d.get(key, [])
        if not isinstance(value, list):
            raise self.fail(f"{where}.{key}", "expected a list")
        return value


def _is_map(d: Any) -> bool:
    # `type(d) is dict` first: decoded JSON is plain dicts, and the ABC check is slow at
    # a snapshot's million reads.
    return type(d) is dict or isinstance(d, Mapping)

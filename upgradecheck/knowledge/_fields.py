"""Reading typed fields out of parsed YAML, with errors that name the file and the entry.

Every reader takes the mapping, the key and a `Where` (file, path inside the file, and a
short label such as `cert-manager.io/v1alpha2`), and raises `KnowledgeError` with a message
like `deprecations/addons.yaml: addons[3].apis[1] (cert-manager.io/v1alpha2): removed_in
'1.x' is not a version`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from upgradecheck.versions import Minor

_MINOR = re.compile(r"^(\d+)\.(\d+)$")
_URL = re.compile(r"^https://[^\s/]+\.[^\s/]+(/\S*)?$")


class KnowledgeError(Exception):
    """The knowledge base is missing or wrong; the message names the file and the entry."""


@dataclass(frozen=True)
class Where:
    """A place in a data file: the file, the path to the entry, and a readable label."""

    file: str
    path: str = ""
    label: str = ""

    def at(self, key: str | int, label: str = "") -> Where:
        """The place of a child: `apis` then `apis[3]`."""
        if isinstance(key, int):
            path = f"{self.path}[{key}]"
        else:
            path = f"{self.path}.{key}" if self.path else key
        return Where(self.file, path, label or self.label)

    def labelled(self, label: str) -> Where:
        """The same place with a label."""
        return Where(self.file, self.path, label)

    def error(self, message: str) -> KnowledgeError:
        """An error at this place."""
        where = self.path or "top level"
        if self.label:
            where = f"{where} ({self.label})"
        return KnowledgeError(f"{self.file}: {where}: {message}")


def as_mapping(value: Any, where: Where, what: str = "an entry") -> Mapping[str, Any]:
    """`value` as a mapping with string keys."""
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise where.error(f"{what} must be a mapping")
    return value


def as_list(value: Any, where: Where, what: str) -> list[Any]:
    """`value` as a list."""
    if not isinstance(value, list):
        raise where.error(f"{what} must be a list")
    return value


def check_keys(
    data: Mapping[str, Any], required: Iterable[str], optional: Iterable[str], where: Where
) -> None:
    """Reject unknown keys and report the first missing one."""
    req = set(required)
    allowed = req | set(optional)
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise where.error(f"unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})")
    missing = sorted(req - set(data))
    if missing:
        raise where.error(f"missing required key {missing[0]!r}")


def get_str(data: Mapping[str, Any], key: str, where: Where, *, empty_ok: bool = False) -> str:
    """A required string (non-empty unless `empty_ok`)."""
    value = data.get(key)
    if not isinstance(value, str):
        raise where.error(f"{key} must be a string, not {_shown(value)}")
    if not value.strip() and not empty_ok:
        raise where.error(f"{key} must not be empty")
    return value


def get_opt_str(data: Mapping[str, Any], key: str, where: Where) -> str | None:
    """An optional (nullable) non-empty string."""
    if data.get(key) is None:
        return None
    return get_str(data, key, where)


def get_bool(data: Mapping[str, Any], key: str, where: Where) -> bool:
    """A required boolean."""
    value = data.get(key)
    if not isinstance(value, bool):
        raise where.error(f"{key} must be true or false, not {_shown(value)}")
    return value


def get_int(data: Mapping[str, Any], key: str, where: Where, *, minimum: int = 0) -> int:
    """A required integer at or above `minimum`."""
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise where.error(f"{key} must be an integer >= {minimum}, not {_shown(value)}")
    return value


def get_str_list(
    data: Mapping[str, Any], key: str, where: Where, *, empty_ok: bool = True
) -> tuple[str, ...]:
    """A list of non-empty strings, without duplicates."""
    items = as_list(data.get(key), where, key)
    if not items and not empty_ok:
        raise where.error(f"{key} must not be empty")
    if not all(isinstance(i, str) and i.strip() for i in items):
        raise where.error(f"{key} must hold non-empty strings only")
    if len(set(items)) != len(items):
        raise where.error(f"{key} lists a value twice")
    return tuple(items)


def parse_minor_text(value: Any, key: str, where: Where) -> Minor:
    """A Kubernetes minor written as a quoted string, `"1.22"`."""
    if not isinstance(value, str):
        raise where.error(f'{key} {_shown(value)} must be a quoted string such as "1.22"')
    match = _MINOR.match(value)
    if not match:
        raise where.error(f"{key} {value!r} is not a version")
    return Minor(int(match.group(1)), int(match.group(2)))


def get_minor(data: Mapping[str, Any], key: str, where: Where) -> Minor | None:
    """An optional (nullable) Kubernetes minor."""
    value = data.get(key)
    return None if value is None else parse_minor_text(value, key, where)


def get_url(data: Mapping[str, Any], key: str, where: Where) -> str:
    """A required https URL."""
    value = get_str(data, key, where)
    if not _URL.match(value):
        raise where.error(f"{key} {value!r} is not an https:// URL")
    return value


def get_date(data: Mapping[str, Any], key: str, where: Where) -> dt.date | None:
    """An optional (nullable) ISO date."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise where.error(f"{key} {_shown(value)} is not a date (YYYY-MM-DD)")


def get_pattern(data: Mapping[str, Any], key: str, where: Where) -> str:
    """A required regular expression that compiles."""
    value = get_str(data, key, where)
    try:
        re.compile(value)
    except re.error as exc:
        raise where.error(f"{key} {value!r} is not a valid regular expression: {exc}") from None
    return value


def check_order(
    first: Any, second: Any, names: tuple[str, str], where: Where, *, strict: bool = False
) -> None:
    """`first` must not come after `second` (nor equal it when `strict`), when both are set."""
    if first is None or second is None:
        return
    if first > second or (strict and first == second):
        word = "before" if strict else "at or before"
        raise where.error(f"{names[0]} {first} must be {word} {names[1]} {second}")


def _shown(value: Any) -> str:
    """A value as it appears in an error message."""
    return "missing" if value is None else repr(value)

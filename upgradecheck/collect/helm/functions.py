"""The template functions the fallback can compute without helm: Go's built-ins and the Sprig
functions charts choose an apiVersion with, on plain values (strings, numbers, booleans,
nil, maps, lists). A function that meets something it cannot work with raises `NotKnown`;
the caller turns that into an unknown value, never a guess."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any

from upgradecheck.semver_range import (
    ConstraintError,
    PrereleaseRule,
    parse_constraint,
    parse_version,
)


class NotKnown(Exception):
    """A function cannot compute its value from these arguments."""


def truth(value: Any) -> bool:
    """Go template truth: false, 0, nil and empty strings, maps and lists are false."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str | Mapping | list | tuple):
        return len(value) > 0
    return True


def printed(value: Any) -> str | None:
    """How a value prints into the output; None when that is not known here (a map, a list).
    helm prints a missing value as nothing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value == int(value) and abs(value) < 1e21 else repr(value)
    return None


def _string(value: Any) -> str:
    text = printed(value)
    if text is None:
        raise NotKnown
    return text


def _semver_compare(args: list[Any]) -> bool:
    constraint, version = args
    allowed = _allows(_string(constraint), _string(version))
    if allowed is None:
        raise NotKnown
    return allowed


@functools.lru_cache(maxsize=4096)
def _allows(constraint: str, version: str) -> bool | None:
    # Cached: a chart's version helpers compare the same strings at every Kubernetes minor
    # of every include.
    try:
        return parse_constraint(constraint).allows(parse_version(version), PrereleaseRule.PER_GROUP)
    except ConstraintError:
        return None


def _default(args: list[Any]) -> Any:
    fallback, given = args[0], args[-1]
    return given if len(args) > 1 and truth(given) else fallback


def _and(args: list[Any]) -> Any:
    return next((value for value in args if not truth(value)), args[-1])


def _or(args: list[Any]) -> Any:
    return next((value for value in args if truth(value)), args[-1])


def _coalesce(args: list[Any]) -> Any:
    return next((value for value in args if truth(value)), None)


def _compare(op: Callable[[Any, Any], bool]) -> Callable[[list[Any]], bool]:
    def compare(args: list[Any]) -> bool:
        left, right = args
        if isinstance(left, bool) or isinstance(right, bool):
            raise NotKnown
        if isinstance(left, int | float) and isinstance(right, int | float):
            return op(left, right)
        if isinstance(left, str) and isinstance(right, str):
            return op(left, right)
        raise NotKnown

    return compare


def _eq(args: list[Any]) -> bool:
    first, *others = args
    if not others:
        raise NotKnown
    return any(
        isinstance(first, bool) == isinstance(other, bool) and first == other for other in others
    )


def _to_int(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, bool | int | float):
        return int(value)
    if isinstance(value, str):
        try:
            return int(float(value)) if value.strip() else 0
        except ValueError:
            return 0
    raise NotKnown


_PRINTF_VERB = re.compile(r"%[-+# 0]*\d*(?:\.\d+)?([svdq%])")


def _printf(args: list[Any]) -> str:
    form, *rest = args
    values = iter(rest)

    def verb(found: re.Match[str]) -> str:
        letter = found.group(1)
        if letter == "%":
            return "%"
        value = next(values)
        if letter == "q":
            return '"' + _string(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
        return str(_to_int(value)) if letter == "d" else _string(value)

    try:
        return _PRINTF_VERB.sub(verb, _string(form))
    except StopIteration:
        raise NotKnown from None


def _print(args: list[Any]) -> str:
    # Go's fmt.Sprint puts a space between two operands when neither is a string.
    out = ""
    for index, value in enumerate(args):
        if index and not isinstance(value, str) and not isinstance(args[index - 1], str):
            out += " "
        out += _string(value)
    return out


def _index(args: list[Any]) -> Any:
    value = args[0]
    for key in args[1:]:
        if isinstance(value, Mapping):
            value = value.get(key)
        elif isinstance(value, list | tuple) and isinstance(key, int):
            value = value[key]
        elif value is None:
            return None
        else:
            raise NotKnown
    return value


def _dict(args: list[Any]) -> dict[str, Any]:
    if len(args) % 2:
        args = [*args, ""]
    return {_string(k): v for k, v in zip(args[::2], args[1::2], strict=True)}


def _mapping(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise NotKnown
    return value


FUNCTIONS: dict[str, Callable[[list[Any]], Any]] = {
    "print": _print,
    "printf": _printf,
    "quote": lambda a: " ".join(f'"{_string(v)}"' for v in a if v is not None),
    "squote": lambda a: " ".join(f"'{_string(v)}'" for v in a if v is not None),
    "trim": lambda a: _string(a[0]).strip(),
    "trimSuffix": lambda a: _string(a[1]).removesuffix(_string(a[0])),
    "trimPrefix": lambda a: _string(a[1]).removeprefix(_string(a[0])),
    "nospace": lambda a: "".join(_string(a[0]).split()),
    "lower": lambda a: _string(a[0]).lower(),
    "upper": lambda a: _string(a[0]).upper(),
    "toString": lambda a: _string(a[0]),
    "replace": lambda a: _string(a[2]).replace(_string(a[0]), _string(a[1])),
    "contains": lambda a: _string(a[0]) in _string(a[1]),
    "hasPrefix": lambda a: _string(a[1]).startswith(_string(a[0])),
    "hasSuffix": lambda a: _string(a[1]).endswith(_string(a[0])),
    "int": lambda a: _to_int(a[0]),
    "int64": lambda a: _to_int(a[0]),
    "atoi": lambda a: _to_int(a[0]),
    "not": lambda a: not truth(a[0]),
    "empty": lambda a: not truth(a[0]),
    "and": _and,
    "or": _or,
    "eq": _eq,
    "ne": lambda a: not _eq(a),
    "lt": _compare(lambda x, y: x < y),
    "le": _compare(lambda x, y: x <= y),
    "gt": _compare(lambda x, y: x > y),
    "ge": _compare(lambda x, y: x >= y),
    "default": _default,
    "coalesce": _coalesce,
    "semverCompare": _semver_compare,
    "hasKey": lambda a: _string(a[1]) in _mapping(a[0]),
    "dict": _dict,
    "list": list,
    "index": _index,
    "get": lambda a: _mapping(a[0]).get(_string(a[1]), ""),
}
"""Name → the function on its arguments (a piped value comes last)."""

SHORT_CIRCUIT = frozenset({"and", "or"})
"""Functions that may be decided before an unknown argument: `and false X` is false."""

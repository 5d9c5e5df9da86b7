"""Label and field selectors, as list requests' ``labelSelector`` / ``fieldSelector`` use them.

Label selectors support the full string syntax kubectl and Helm send: ``a=b``, ``a==b``,
``a!=b``, ``a``, ``!a``, ``a in (x,y)``, ``a notin (x,y)``, comma-separated (AND). Field
selectors support ``path=value``, ``path==value`` and ``path!=value`` over dotted paths
(``metadata.name``, ``metadata.namespace``, ``spec.nodeName``, ``status.phase``, ``type``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["SelectorError", "field_matcher", "label_matcher"]

Matcher = Callable[[dict[str, Any]], bool]


class SelectorError(ValueError):
    """A selector string could not be parsed (the server answers 400 BadRequest)."""


def _split_top(text: str) -> list[str]:
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


_SET_RE = re.compile(r"^([^\s!=()]+)\s+(in|notin)\s*\(([^)]*)\)$")
_EQ_RE = re.compile(r"^([^\s!=()]+)\s*(==|=|!=)\s*([^\s!=(),]*)$")
_EXISTS_RE = re.compile(r"^(!?)([^\s!=()]+)$")


LabelTest = Callable[[Mapping[str, str]], bool]


def _in(key: str, values: set[str], negate: bool) -> LabelTest:
    return lambda labels: (labels.get(key) in values) != negate


def _equals(key: str, value: str, negate: bool) -> LabelTest:
    if negate:  # "a!=b" also matches objects without label a
        return lambda labels: labels.get(key) != value
    return lambda labels: key in labels and labels[key] == value


def _exists(key: str, negate: bool) -> LabelTest:
    return lambda labels: (key in labels) != negate


def label_matcher(selector: str) -> LabelTest:
    """A predicate over a label mapping for ``selector`` (empty: matches everything)."""
    tests: list[LabelTest] = []
    for req in _split_top(selector):
        if m := _SET_RE.match(req):
            key, op, raw = m.groups()
            values = {v.strip() for v in raw.split(",") if v.strip()}
            tests.append(_in(key, values, negate=op == "notin"))
        elif m := _EQ_RE.match(req):
            key, op, value = m.groups()
            tests.append(_equals(key, value, negate=op == "!="))
        elif m := _EXISTS_RE.match(req):
            neg, key = m.groups()
            tests.append(_exists(key, negate=bool(neg)))
        else:
            raise SelectorError(f"unable to parse requirement: {req!r}")
    return lambda labels: all(t(labels) for t in tests)


def _lookup(obj: dict[str, Any], path: str) -> str:
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, dict):
            return ""
        cur = cur.get(part)
    if cur is None:
        return ""
    if isinstance(cur, bool):
        return str(cur).lower()
    return str(cur)


def _field(path: str, value: str, negate: bool) -> Matcher:
    return lambda obj: (_lookup(obj, path) == value) != negate


def field_matcher(selector: str) -> Matcher:
    """A predicate over a whole object for a field selector (empty: matches everything)."""
    tests: list[Matcher] = []
    for req in _split_top(selector):
        m = re.match(r"^([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)$", req)
        if not m:
            raise SelectorError(f"invalid field selector: {req!r}")
        path, op, value = m.groups()
        tests.append(_field(path, value, negate=op == "!="))
    return lambda obj: all(t(obj) for t in tests)

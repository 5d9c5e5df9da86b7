"""The lexer of Go template text: where each `{{ }}` action starts and ends, and what it says.

Strings and comments inside an action may hold `}}`, so an action ends at the first `}}`
outside them. Trim markers (`{{-`, `-}}`) and the spaces around the expression are removed.
An action that is never closed stops the lexer: the text after it is not cut.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ACTION_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|`[^`]*`|\'(?:[^\'\\\n]|\\.)*\'|\}\}')
_COMMENT_START = re.compile(r"(?:-[ \t\r\n]+)?/\*")
_TRIM_SPACE = (" ", "\t", "\r", "\n")


@dataclass(frozen=True)
class ActionToken:
    """One `{{ }}` action of a template text."""

    start: int
    """The offset of its `{{`."""
    end: int
    """The offset just after its `}}`."""
    expr: str
    """What it says: trim markers and surrounding spaces removed (`if .Values.x`)."""

    @property
    def is_comment(self) -> bool:
        """`{{/* ... */}}`: renders nothing, says nothing."""
        return self.expr.startswith("/*")


@dataclass(frozen=True)
class Tokens:
    """The actions of a text, in order."""

    actions: tuple[ActionToken, ...]
    """Every action up to the end of the text, or up to one that is never closed."""
    unclosed: int | None = None
    """The offset of a `{{` that is never closed (nothing after it was cut), else None."""


def lex(text: str) -> Tokens:
    """Cut the actions out of a template text."""
    actions: list[ActionToken] = []
    pos = 0
    while True:
        start = text.find("{{", pos)
        if start < 0:
            return Tokens(tuple(actions))
        end = _action_end(text, start + 2)
        if end < 0:
            return Tokens(tuple(actions), start)
        inner = text[start + 2 : end - 2]
        if inner[:1] == "-" and inner[1:2] in _TRIM_SPACE:
            inner = inner[1:]
        if inner[-1:] == "-" and inner[-2:-1] in _TRIM_SPACE:
            inner = inner[:-1]
        actions.append(ActionToken(start, end, inner.strip()))
        pos = end


def _action_end(text: str, pos: int) -> int:
    """The offset just after the `}}` that closes an action whose body starts at pos, or -1."""
    comment = _COMMENT_START.match(text, pos)
    if comment:
        close = text.find("*/", comment.end())
        if close < 0:
            return -1
        end = text.find("}}", close + 2)
        return -1 if end < 0 else end + 2
    for token in _ACTION_TOKEN.finditer(text, pos):
        if token.group() == "}}":
            return token.end()
    return -1

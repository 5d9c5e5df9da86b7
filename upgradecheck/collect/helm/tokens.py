"""The lexers of Go template text: where each `{{ }}` action starts and ends and what it says
(`lex`), and the words of one action's expression (`lex_expression`).

Strings and comments inside an action may hold `}}`, so an action ends at the first `}}`
outside them. Trim markers (`{{- `, ` -}}`) are removed from the expression and kept as flags:
they remove the white space next to the action from the output. An action that is never
closed stops the lexer: the text after it is not cut.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ACTION_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|`[^`]*`|\'(?:[^\'\\\n]|\\.)*\'|\}\}')
_COMMENT_START = re.compile(r"(?:-[ \t\r\n]+)?/\*")
_TRIM_SPACE = (" ", "\t", "\r", "\n")

# One word of an expression. A field or a variable glued to what precedes it (`$x.a`,
# `(include "x" .).a`) is told apart by its offset.
_EXPRESSION_TOKEN = re.compile(
    r"""(?P<space>\s+)"""
    r"""|(?P<string>"(?:[^"\\\n]|\\.)*")"""
    r"""|(?P<raw>`[^`]*`)"""
    r"""|(?P<char>'(?:[^'\\\n]|\\.)+')"""
    r"""|(?P<declare>:=)|(?P<assign>=)"""
    r"""|(?P<open>\()|(?P<close>\))|(?P<pipe>\|)|(?P<comma>,)"""
    r"""|(?P<variable>\$[A-Za-z0-9_]*)"""
    r"""|(?P<field>(?:\.[A-Za-z_][A-Za-z0-9_]*)+)"""
    r"""|(?P<number>[-+]?(?:0[xX][0-9a-fA-F_]+|\d[\d_]*(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+))"""
    r"""|(?P<dot>\.)"""
    r"""|(?P<identifier>[A-Za-z_][A-Za-z0-9_]*)"""
)


@dataclass(frozen=True)
class ActionToken:
    """One `{{ }}` action of a template text."""

    start: int
    """The offset of its `{{`."""
    end: int
    """The offset just after its `}}`."""
    expr: str
    """What it says: trim markers and surrounding spaces removed (`if .Values.x`)."""
    trim_left: bool = False
    """`{{- `: the white space before it is not rendered."""
    trim_right: bool = False
    """` -}}`: the white space after it is not rendered."""

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
        end = action_end(text, start + 2)
        if end < 0:
            return Tokens(tuple(actions), start)
        inner = text[start + 2 : end - 2]
        trim_left = inner[:1] == "-" and inner[1:2] in _TRIM_SPACE
        if trim_left:
            inner = inner[1:]
        trim_right = inner[-1:] == "-" and inner[-2:-1] in _TRIM_SPACE
        if trim_right:
            inner = inner[:-1]
        actions.append(ActionToken(start, end, inner.strip(), trim_left, trim_right))
        pos = end


def action_end(text: str, pos: int) -> int:
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


@dataclass(frozen=True)
class Word:
    """One word of an action's expression."""

    kind: str
    """`string`, `raw`, `char`, `number`, `variable`, `field`, `dot`, `identifier`, `declare`,
    `assign`, `open`, `close`, `pipe` or `comma`."""
    text: str
    """As written."""
    start: int
    """Its offset in the expression."""
    end: int
    """The offset just after it."""


def lex_expression(expr: str) -> tuple[Word, ...] | None:
    """The words of an expression (`default "x" .Values.y | quote`); None when something in
    it is not Go template syntax."""
    words: list[Word] = []
    pos = 0
    while pos < len(expr):
        found = _EXPRESSION_TOKEN.match(expr, pos)
        if found is None:
            return None
        kind = found.lastgroup
        assert kind is not None
        if kind != "space":
            words.append(Word(kind, found.group(), pos, found.end()))
        pos = found.end()
    return tuple(words)

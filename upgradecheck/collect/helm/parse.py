"""The parse tree of one Go template text: text and actions, with the blocks nested.

`if`/`else`/`end`, `with`, `range`, `define` and `block` nest; comments are dropped;
`break` and `continue` are ignored; every other action is a leaf. A text node keeps its
whole span and says whether a trim marker (`{{- `, ` -}}`) next to it removes its white space
at either end. Bad nesting does not stop
the parse: an `else` or `end` with nothing to close is a problem and is skipped, and a block
left open at the end of the text is a problem too. Nodes hold offsets into the text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import count

from upgradecheck.collect.helm.tokens import lex

_KEYWORD = re.compile(r"(if|else|end|with|range|define|block|break|continue)\b\s*(.*)", re.S)
_ELSE_CHAIN = re.compile(r"(?:if|with)\b\s*(.*)", re.S)
_DEFINE_NAME = re.compile(r'"((?:[^"\\]|\\.)*)"|`([^`]*)`')
_SPACE = re.compile(r"\s+")
_HEAD_LIMIT = 160


@dataclass
class Text:
    """Literal text between actions."""

    start: int
    end: int
    trim_start: bool = False
    """The action before it ends with ` -}}`: its leading white space is not rendered."""
    trim_end: bool = False
    """The action after it starts with `{{- `: its trailing white space is not rendered."""

    def rendered(self, text: str) -> str:
        """What it renders, trim markers applied."""
        piece = text[self.start : self.end]
        if self.trim_start:
            piece = piece.lstrip(" \t\r\n")
        if self.trim_end:
            piece = piece.rstrip(" \t\r\n")
        return piece


@dataclass
class Action:
    """An action that is not a block keyword: prints something, or assigns."""

    start: int
    end: int
    expr: str
    """Its expression, trim markers removed."""


@dataclass
class Branch:
    """One branch of a block: the nodes between its opening and the next else or end."""

    label: str
    """`{{ if COND }}`, `{{ if COND }} (else)`, `{{ if COND }} (else if OTHER)`."""
    cond: str | None = None
    """The condition that opens it (`.Values.x`; `$i, $v := .Values.list` for a range); None
    for a plain `{{ else }}`."""
    children: list[Node] = field(default_factory=list)


@dataclass
class Block:
    """An `if`, `with` or `range` and its branches."""

    start: int
    keyword: str
    head: str
    """`{{ if COND }}`: the opening action, whitespace collapsed."""
    ident: int
    """Unique across parses: tells two blocks apart when their branches are compared."""
    branches: list[Branch] = field(default_factory=list)

    @property
    def exhaustive(self) -> bool:
        """Whether one of its branches always renders (it ends with a plain `{{ else }}`)."""
        return len(self.branches) > 1 and self.branches[-1].cond is None


@dataclass
class Define:
    """A named template (`define`), or a `block` (defined and rendered in place)."""

    start: int
    name: str
    inline: bool
    """A `block`: defined and rendered in place."""
    children: list[Node] = field(default_factory=list)
    arg: str = ""
    """A `block`'s pipeline: the dot of its body."""


Node = Text | Action | Block | Define


@dataclass
class Tree:
    """One template text, parsed."""

    text: str
    """The text the offsets point into."""
    nodes: list[Node]
    """The top-level nodes, in text order."""
    defines: dict[str, Define]
    """Named templates by name (the first of a name wins)."""
    problems: list[tuple[int, str]]
    """(offset, message) of bad nesting and unclosed actions, in text order of discovery."""
    line_starts: list[int]
    """The offset of each line's start."""

    def line(self, pos: int) -> int:
        """The 1-based line of a text offset."""
        return bisect.bisect_right(self.line_starts, pos)

    def starts_between(self, start: int, end: int) -> Iterator[int]:
        """The line starts in [start, end)."""
        index = bisect.bisect_left(self.line_starts, start)
        while index < len(self.line_starts) and self.line_starts[index] < end:
            yield self.line_starts[index]
            index += 1


_IDENTS = count(1)


def parse(text: str) -> Tree:
    """Cut a template into text and actions and nest its blocks; lenient on bad nesting."""
    root: list[Node] = []
    open_blocks: list[Block | Define] = []
    current = root
    problems: list[tuple[int, str]] = []
    defines: dict[str, Define] = {}
    pos = 0
    trim_next = False
    tokens = lex(text)
    for token in tokens.actions:
        start, end, expr = token.start, token.end, token.expr
        if start > pos:
            current.append(Text(pos, start, trim_next, token.trim_left))
        pos, trim_next = end, token.trim_right
        if token.is_comment:
            continue
        found = _KEYWORD.fullmatch(expr)
        word = found.group(1) if found else ""
        rest = found.group(2).strip() if found else ""
        if word in ("if", "with", "range"):
            block = Block(start, word, head(f"{word} {rest}"), next(_IDENTS))
            block.branches.append(Branch(block.head, rest))
            current.append(block)
            open_blocks.append(block)
            current = block.branches[0].children
        elif word == "else":
            top = open_blocks[-1] if open_blocks else None
            if not isinstance(top, Block):
                problems.append((start, "{{ else }} outside {{ if }}, {{ with }} or {{ range }}"))
                continue
            shown = _SPACE.sub(" ", rest)
            label = f"{top.head} (else {shown})" if rest else f"{top.head} (else)"
            chain = _ELSE_CHAIN.fullmatch(rest)
            # `else if COND` and `else with COND` open a branch on COND.
            cond = chain.group(1).strip() if chain else (rest or None)
            top.branches.append(Branch(label, cond))
            current = top.branches[-1].children
        elif word in ("define", "block"):
            name = _DEFINE_NAME.match(rest)
            define = Define(start, (name.group(1) or name.group(2) or "") if name else rest,
                            inline=word == "block",
                            arg=rest[name.end() :].strip() if name else "")
            current.append(define)
            defines.setdefault(define.name, define)
            open_blocks.append(define)
            current = define.children
        elif word == "end":
            if not open_blocks:
                problems.append((start, "{{ end }} without an opening block"))
                continue
            open_blocks.pop()
            current = _children_of(open_blocks[-1]) if open_blocks else root
        elif word not in ("break", "continue"):
            current.append(Action(start, end, expr))
    if tokens.unclosed is not None:
        problems.append((tokens.unclosed, "a {{ action is never closed"))
    if pos < len(text):
        current.append(Text(pos, len(text), trim_next))
    for unclosed in open_blocks:
        if isinstance(unclosed, Block):
            opening = unclosed.head
        else:
            opening = f'{{{{ define "{unclosed.name}" }}}}'
        problems.append((unclosed.start, f"{opening} has no {{{{ end }}}}"))
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    return Tree(text, root, defines, problems, starts)


def _children_of(block: Block | Define) -> list[Node]:
    return block.branches[-1].children if isinstance(block, Block) else block.children


def head(expr: str) -> str:
    """An action as a reader sees it: `{{ if .Values.x }}`, whitespace collapsed, shortened."""
    expr = _SPACE.sub(" ", expr).strip()
    if len(expr) > _HEAD_LIMIT:
        expr = expr[: _HEAD_LIMIT - 3] + "..."
    return f"{{{{ {expr} }}}}"

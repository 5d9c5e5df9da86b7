"""The branch reader: walks the parse trees of a chart's templates and finds each column-0
`apiVersion:`, `kind:` and `---` line, with the block branches it sits in and every value
the rest of its line may render.

A value is resolved where that is cheap: text, string literals (`print "..."`), inline
`{{ if }}a{{ else }}b{{ end }}` (one value per branch), `.Values.a.b` (with or without
`default "..."`) from the chart's values, and `include`/`template` of a named template
(`define`, in any file of the chart) whose body does the same. Anything else is an
unresolved value naming the action, never a guess. A column-0 `include` whose define writes
whole documents is walked as if its body stood there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import count
from typing import Any

from upgradecheck.collect.helm.chart import TemplateFile
from upgradecheck.collect.helm.parse import Action, Block, Define, Node, Text, Tree, parse

MAX_ALTERNATIVES = 32
"""Most values one line may take across its inline branches (beyond: first ones kept)."""

MAX_INCLUDE_DEPTH = 4
"""How deep `include` of `include` is followed."""

_KEY = re.compile(r"""["']?(apiVersion|kind)["']?[ \t]*:(?=[ \t\r\n]|\{\{|$)""")
_SEPARATOR = re.compile(r"---(?=[ \t\r\n]|$)")
_INCLUDE = re.compile(
    r"""(?:include|template)\s+(?:"((?:[^"\\]|\\.)*)"|`([^`]*)`)(?:\s+[^|]*?)?"""
    r"""(?:\s*\|\s*(?:trim|quote|squote|nospace))*"""
)
_LITERAL = re.compile(r"""(?:(?:print|printf)\s+)?(?:"((?:[^"\\]|\\.)*)"|`([^`]*)`)""")
_PIPES = r"""(?:\s*\|\s*(?:trim|quote|squote|nospace))*"""
_VALUES_DEFAULT_AFTER = re.compile(
    r"""\$?\.Values((?:\.[A-Za-z_][\w-]*)+)(?:\s*\|\s*default\s+"((?:[^"\\]|\\.)*)")?"""
    + _PIPES
)
_VALUES_DEFAULT_BEFORE = re.compile(
    r"""default\s+"((?:[^"\\]|\\.)*)"\s+\$?\.Values((?:\.[A-Za-z_][\w-]*)+)""" + _PIPES
)
_API_VERSION_KEY_LINE = re.compile(r"^apiVersion[ \t]*:", re.M)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Template:
    """One template file and its parse tree."""

    file: TemplateFile
    tree: Tree


def parse_template(file: TemplateFile) -> Template:
    """Parse one template file."""
    return Template(file, parse(file.text))


@dataclass(frozen=True)
class Step:
    """One block branch (or include) on the way to a line."""

    block: tuple[int, ...]
    """The block's identity; an include's expansions get their own."""
    branch: int
    """Which of its branches (-1: an include, not a condition)."""
    label: str
    """How a reader sees it."""


Steps = tuple[Step, ...]
"""The branches (and includes) a line sits in, outermost first."""


@dataclass(frozen=True)
class Alt:
    """One value a line may render."""

    value: str | None
    """The value, or None when an action in it cannot be resolved."""
    steps: Steps = ()
    """The inline branches that give it."""
    unresolved: str = ""
    """The action that could not be resolved."""


@dataclass
class KeyLine:
    """A column-0 `apiVersion:`, `kind:` or `---` line, in the branch it sits in."""

    what: str
    """`apiVersion`, `kind` or `---`."""
    path: Steps
    """The branches it sits in."""
    template: Template
    """The file it is written in (a define's file, for an included document)."""
    pos: int
    """Its offset in that file."""
    line: int
    """The line findings show: its own, or the line of the include that wrote it."""
    alts: list[Alt]
    """The values the rest of the line may render (none for `---`)."""


def compatible(a: Steps, b: Steps) -> bool:
    """False when the two lines sit in different branches of one block (never together)."""
    chosen = {step.block: step.branch for step in a}
    return all(chosen.get(step.block, step.branch) == step.branch for step in b)


def merge(*paths: Sequence[Step]) -> Steps:
    """The steps of several paths, each once, in order."""
    seen: set[tuple[tuple[int, ...], int]] = set()
    merged: list[Step] = []
    for path in paths:
        for step in path:
            key = (step.block, step.branch)
            if key not in seen:
                seen.add(key)
                merged.append(step)
    return tuple(merged)


def at_line_start(text: str, pos: int) -> bool:
    """Whether pos starts a line."""
    return pos == 0 or text[pos - 1] == "\n"


def action_label(expr: str) -> str:
    """An action as written, whitespace collapsed: `{{ include "x" . }}`."""
    return f"{{{{ {_SPACE.sub(' ', expr)} }}}}"


class BranchReader:
    """Walks the templates of one chart with the named templates of all of them at hand."""

    def __init__(self, templates: Sequence[Template]) -> None:
        self.defines: dict[str, tuple[Template, Define]] = {}
        for one in templates:
            for name, define in one.tree.defines.items():
                self.defines.setdefault(name, (one, define))
        self.expansions = count(1)

    def lines(self, template: Template) -> list[KeyLine]:
        """The key lines of one file, in text order (included documents where included)."""
        found: list[KeyLine] = []
        self._walk(template, template.tree.nodes, (), (), None, 0, found)
        return found

    def _walk(
        self,
        template: Template,
        nodes: list[Node],
        path: Steps,
        prefix: tuple[int, ...],
        shown_line: int | None,
        depth: int,
        found: list[KeyLine],
    ) -> None:
        tree = template.tree
        for index, node in enumerate(nodes):
            if isinstance(node, Text):
                for start in tree.starts_between(node.start, node.end):
                    item = self._key_line(template, nodes, index, start, path, prefix, depth)
                    if item is not None:
                        if shown_line is not None:
                            item.line = shown_line
                        found.append(item)
            elif isinstance(node, Block):
                for number, branch in enumerate(node.branches):
                    step = Step((*prefix, node.ident), number, branch.label)
                    self._walk(template, branch.children, (*path, step), prefix, shown_line,
                               depth, found)
            elif isinstance(node, Define):
                if node.inline:
                    self._walk(template, node.children, path, prefix, shown_line, depth, found)
            elif at_line_start(tree.text, node.start) and depth < MAX_INCLUDE_DEPTH:
                # A column-0 `{{ include "x.pdb" . }}` may render whole documents.
                name = included_name(node.expr)
                target = self.defines.get(name) if name else None
                if target is not None and _writes_api_version(*target):
                    expansion = (*prefix, -next(self.expansions))
                    step = Step(expansion, -1, action_label(node.expr))
                    line = shown_line if shown_line is not None else tree.line(node.start)
                    self._walk(target[0], target[1].children, (*path, step), expansion, line,
                               depth + 1, found)

    def _key_line(
        self,
        template: Template,
        nodes: list[Node],
        index: int,
        start: int,
        path: Steps,
        prefix: tuple[int, ...],
        depth: int,
    ) -> KeyLine | None:
        tree = template.tree
        node = nodes[index]
        assert isinstance(node, Text)
        if _SEPARATOR.match(tree.text, start, node.end):
            return KeyLine("---", path, template, start, tree.line(start), [])
        key = _KEY.match(tree.text, start, node.end)
        if key is None:
            return None
        alts = self._value(template, nodes, index, key.end(), prefix, depth)
        return KeyLine(key.group(1), path, template, start, tree.line(start), alts)

    def _value(
        self,
        template: Template,
        nodes: list[Node],
        index: int,
        value_start: int,
        prefix: tuple[int, ...],
        depth: int,
    ) -> list[Alt]:
        """The values the rest of this line may render, one per inline branch."""
        text = template.tree.text
        node = nodes[index]
        assert isinstance(node, Text)
        newline = text.find("\n", value_start, node.end)
        if newline >= 0:
            return [Alt(text[value_start:newline])]
        pieces: list[str | Node] = [text[value_start : node.end]]
        for later in nodes[index + 1 :]:
            if isinstance(later, Text):
                newline = text.find("\n", later.start, later.end)
                if newline >= 0:
                    pieces.append(text[later.start : newline])
                    break
            pieces.append(later)
        return self._expand(template, pieces, prefix, depth)

    def _expand(
        self,
        template: Template,
        pieces: Sequence[str | Node],
        prefix: tuple[int, ...],
        depth: int,
    ) -> list[Alt]:
        alts = [Alt("")]
        for piece in pieces:
            options = self._expand_piece(template, piece, prefix, depth)
            joined: list[Alt] = []
            for left in alts:
                for right in options:
                    if left.value is None or right.value is None:
                        unresolved = left.unresolved or right.unresolved
                        joined.append(Alt(None, left.steps + right.steps, unresolved))
                    else:
                        joined.append(Alt(left.value + right.value, left.steps + right.steps))
            alts = joined[:MAX_ALTERNATIVES]
        return alts

    def _expand_piece(
        self, template: Template, piece: str | Node, prefix: tuple[int, ...], depth: int
    ) -> list[Alt]:
        if isinstance(piece, str):
            return [Alt(piece)]
        if isinstance(piece, Text):
            return [Alt(template.tree.text[piece.start : piece.end])]
        if isinstance(piece, Define):
            return [Alt("")]
        if isinstance(piece, Block):
            options: list[Alt] = []
            for number, branch in enumerate(piece.branches):
                step = Step((*prefix, piece.ident), number, branch.label)
                for alt in self._expand(template, branch.children, prefix, depth):
                    options.append(Alt(alt.value, (step, *alt.steps), alt.unresolved))
            if piece.keyword != "range" and not piece.branches[-1].label.endswith("(else)"):
                skipped = Step((*prefix, piece.ident), len(piece.branches),
                               f"{piece.head} (not taken)")
                options.append(Alt("", (skipped,)))
            return options
        literal = _LITERAL.fullmatch(piece.expr)
        if literal:
            return [Alt(unquote(literal.group(1), literal.group(2)))]
        from_values = _from_values(piece.expr, template.file.values)
        if from_values is not None:
            return [from_values]
        name = included_name(piece.expr)
        target = self.defines.get(name) if name else None
        if target is None or depth >= MAX_INCLUDE_DEPTH:
            return [Alt(None, (), action_label(piece.expr))]
        expansion = (*prefix, -next(self.expansions))
        via = Step(expansion, -1, action_label(piece.expr))
        body = self._expand(target[0], target[1].children, expansion, depth + 1)
        return [
            Alt(a.value.strip() if a.value is not None else None, (via, *a.steps), a.unresolved)
            for a in body
        ]


def _from_values(expr: str, values: Mapping[str, Any]) -> Alt | None:
    """`.Values.a.b` (or `.Values.a.b | default "x"`, `default "x" .Values.a.b`) resolved
    from the chart's values; None when the action is not such a lookup."""
    after = _VALUES_DEFAULT_AFTER.fullmatch(expr)
    before = None if after else _VALUES_DEFAULT_BEFORE.fullmatch(expr)
    if after:
        path, default = after.group(1), after.group(2)
    elif before:
        path, default = before.group(2), before.group(1)
    else:
        return None
    found: Any = values
    for key in path.strip(".").split("."):
        found = found.get(key) if isinstance(found, Mapping) else None
    label = action_label(expr)
    if isinstance(found, str) and found:
        return Alt(found, (Step((-1,), -1, f"{label} = {found} (chart values)"),))
    if default is not None and (found is None or found == ""):
        return Alt(default, (Step((-1,), -1, f"{label} (default)"),))
    return Alt(None, (), label)


def included_name(expr: str) -> str | None:
    """The template an `include "x" .` (or `template "x" .`) action names, else None."""
    found = _INCLUDE.fullmatch(expr)
    if not found:
        return None
    return unquote(found.group(1), found.group(2))


def unquote(double: str | None, raw: str | None) -> str:
    """The value of a Go string literal: `"..."` (escapes read) or `` `...` `` (as is)."""
    if double is not None:
        return double.replace('\\"', '"').replace("\\\\", "\\")
    return raw or ""


def _writes_api_version(template: Template, define: Define) -> bool:
    body = template.tree.text[define.start : _end_of(define, template.tree)]
    return _API_VERSION_KEY_LINE.search(body) is not None


def _end_of(define: Define, tree: Tree) -> int:
    last: Node | None = define.children[-1] if define.children else None
    while isinstance(last, Block | Define):
        children = last.branches[-1].children if isinstance(last, Block) else last.children
        last = children[-1] if children else None
    if isinstance(last, Text | Action):
        return last.end
    return len(tree.text)

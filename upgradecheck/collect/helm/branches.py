"""The branch reader: walks the parse trees of a chart's templates and finds each column-0
`apiVersion:`, `kind:` and `---` line, with the block branches it sits in and every value
the rest of its line may render.

Every branch is walked, whatever its condition. A condition is evaluated only to say whether
the chart's values rule a branch out (`Step.off`) and, when it asks `.Capabilities` and a
capability table is given, at which Kubernetes versions the branch is taken (`Step.taken`):
a branch is reported either way, and what renders it is said. Variables are
followed as they are set (`$v := default .Capabilities.KubeVersion.GitVersion .Values.x`),
and values are computed by `expressions`: text, literals, `.Values`, `include` of named
templates (in any file of the chart), `default`, `ternary`, `print`, ... Trim markers are
applied, so a value written across lines (`{{- if }}` eating the newline) is read whole.
A column-0 `include` whose define writes whole documents is walked as if its body stood
there. What cannot be resolved is an `Unknown` naming the action, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import count

from upgradecheck.collect.helm.api_versions import CapabilityTable
from upgradecheck.collect.helm.chart import TemplateFile
from upgradecheck.collect.helm.expressions import (
    MAX_ALTERNATIVES,
    Alt,
    Evaluator,
    PerVersion,
    Scope,
    Site,
    Step,
    Steps,
    Unknown,
    root_context,
    shown,
)
from upgradecheck.collect.helm.parse import Action, Block, Define, Node, Text, Tree, head, parse
from upgradecheck.collect.helm.pipeline import Function, Literal, Pipeline, parse_pipeline
from upgradecheck.collect.helm.tokens import lex

MAX_INCLUDE_DEPTH = 6
"""How deep `include` of `include` is followed."""

_KEY = re.compile(r"""["']?(apiVersion|kind)["']?[ \t]*:(?=[ \t\r\n]|\{\{|$)""")
_SEPARATOR = re.compile(r"---(?=[ \t\r\n]|$)")
_BLOCK_KEYWORD = re.compile(r"(?:if|else|end|with|range|define|block|break|continue)\b")
_API_VERSION_KEY_LINE = re.compile(r"^apiVersion[ \t]*:", re.M)

__all__ = ["Alt", "BranchReader", "KeyLine", "Step", "Steps", "Template", "Unknown"]


@dataclass(frozen=True)
class Template:
    """One template file and its parse tree."""

    file: TemplateFile
    tree: Tree


def parse_template(file: TemplateFile) -> Template:
    """Parse one template file."""
    return Template(file, parse(file.text))


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
    """False when the two sit in different branches of one block (never together)."""
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


@dataclass(frozen=True)
class _Where:
    """Where a list of nodes is walked: its file, its include expansion and depth."""

    template: Template
    prefix: tuple[int, ...]
    """The include expansions it is in: part of every block's identity."""
    depth: int

    def site(self, pos: int, expr: str) -> Site:
        tree = self.template.tree
        return Site(head(expr), f"{self.template.file.display}:{tree.line(pos)}",
                    (*self.prefix, pos), self.depth)


@dataclass(frozen=True)
class _Part:
    """What a stretch of template renders on one line, so far."""

    alt: Alt
    done: bool = False
    """The line ended in it (a newline was rendered): nothing after it counts."""


class BranchReader:
    """Walks the templates of one chart with the named templates of all of them at hand."""

    def __init__(
        self, templates: Sequence[Template], table: CapabilityTable | None = None
    ) -> None:
        self.table = table
        """What `.Capabilities` answers at each Kubernetes minor (None: not known)."""
        self.defines: dict[str, tuple[Template, Define]] = {}
        for one in templates:
            for name, define in one.tree.defines.items():
                self.defines.setdefault(name, (one, define))
        self.expansions = count(1)
        self.evaluator = Evaluator(self._include)

    def lines(self, template: Template) -> list[KeyLine]:
        """The key lines of one file, in text order (included documents where included)."""
        found: list[KeyLine] = []
        root = [Alt(root_context(template.file.values, template.file.helm_path, self.table))]
        self._walk(_Where(template, (), 0), template.tree.nodes, (), Scope(root, root), None,
                   found)
        return found

    # -- whole lines --

    def _walk(
        self,
        where: _Where,
        nodes: list[Node],
        path: Steps,
        scope: Scope,
        shown_line: int | None,
        found: list[KeyLine],
    ) -> None:
        tree = where.template.tree
        for index, node in enumerate(nodes):
            if isinstance(node, Text):
                starts = list(tree.starts_between(node.start, node.end))
                if node.start not in starts and _after_silent_actions(tree.text, node.start):
                    starts.insert(0, node.start)
                for start in starts:
                    item = self._key_line(where, nodes, index, start, path, scope)
                    if item is not None:
                        if shown_line is not None:
                            item.line = shown_line
                        found.append(item)
            elif isinstance(node, Block):
                branches = []
                for step, children, inner in self._branches(where, node, scope):
                    if children is not None:
                        self._walk(where, children, (*path, step), inner, shown_line, found)
                    branches.append((step, inner))
                _carry_assignments(scope, branches, node)
            elif isinstance(node, Define):
                if node.inline:
                    self._walk(where, node.children, path, self._block_scope(where, node, scope),
                               shown_line, found)
            else:
                if "=" in node.expr:  # `$v := ...` or `$v = ...` (a cheap first test)
                    self._action(where, node, scope, prints=False)
                if at_line_start(tree.text, node.start) and where.depth < MAX_INCLUDE_DEPTH:
                    self._document_include(where, node, path, scope, shown_line, found)

    def _document_include(
        self,
        where: _Where,
        node: Action,
        path: Steps,
        scope: Scope,
        shown_line: int | None,
        found: list[KeyLine],
    ) -> None:
        """A column-0 `{{ include "x.pdb" . }}` may render whole documents: walk its body."""
        pipe = parse_pipeline(node.expr)
        name = _included_name(pipe)
        target = self.defines.get(name) if name else None
        if pipe is None or target is None or not _writes_api_version(*target):
            return
        site = where.site(node.start, node.expr)
        operands = pipe.commands[0].operands
        dot = (self.evaluator.operand(operands[2], scope, site) if len(operands) > 2
               else [Alt(None)])
        expansion = (*where.prefix, -next(self.expansions))
        step = Step(expansion, -1, site.label)
        line = shown_line if shown_line is not None else where.template.tree.line(node.start)
        inner = _Where(target[0], expansion, where.depth + 1)
        self._walk(inner, target[1].children, (*path, step), Scope(dot, dot), line, found)

    def _key_line(
        self,
        where: _Where,
        nodes: list[Node],
        index: int,
        start: int,
        path: Steps,
        scope: Scope,
    ) -> KeyLine | None:
        tree = where.template.tree
        node = nodes[index]
        assert isinstance(node, Text)
        if _SEPARATOR.match(tree.text, start, node.end):
            return KeyLine("---", path, where.template, start, tree.line(start), [])
        key = _KEY.match(tree.text, start, node.end)
        if key is None:
            return None
        alts = self._value(where, nodes, index, key.end(), scope)
        return KeyLine(key.group(1), path, where.template, start, tree.line(start),
                       _by_version(alts, where.site(start, tree.text[start:key.end()])))

    def _value(
        self, where: _Where, nodes: list[Node], index: int, value_start: int, scope: Scope
    ) -> list[Alt]:
        """The values the rest of this line may render, one per choice that changes it."""
        node = nodes[index]
        assert isinstance(node, Text)
        rest = Text(value_start, node.end, False, node.trim_end)
        first = _text_part(rest.rendered(where.template.tree.text), cut=True)
        parts = self._join([first], nodes[index + 1 :], where, scope.inner(), cut=True)
        return [part.alt for part in parts]

    # -- rendering stretches of template --

    def _join(
        self,
        parts: list[_Part],
        nodes: Sequence[Node],
        where: _Where,
        scope: Scope,
        cut: bool,
    ) -> list[_Part]:
        """`parts` followed by what each node renders, until every part's line has ended
        (`cut`) or the nodes run out."""
        for node in nodes:
            if all(part.done for part in parts):
                break
            options = self._render(node, where, scope, cut)
            joined: dict[tuple[object, ...], _Part] = {}
            for left in parts:
                for right in [None] if left.done else options:
                    part = left if right is None else _concat(left, right, cut)
                    key = (_key(part.alt.value), tuple((s.block, s.branch) for s in
                                                       part.alt.steps), part.done)
                    joined.setdefault(key, part)
            parts = list(joined.values())[:MAX_ALTERNATIVES]
        return parts

    def _render(self, node: Node, where: _Where, scope: Scope, cut: bool) -> list[_Part]:
        """What one node may render (scope: updated by assignments)."""
        text = where.template.tree.text
        if isinstance(node, Text):
            return [_text_part(node.rendered(text), cut)]
        if isinstance(node, Action):
            return [_value_part(a, cut) for a in self._action(where, node, scope)]
        if isinstance(node, Define):
            if not node.inline:
                return [_Part(Alt(""))]
            inner = self._block_scope(where, node, scope)
            return self._join([_Part(Alt(""))], node.children, where, inner, cut)
        options: list[_Part] = []
        branches = []
        for step, children, inner in self._branches(where, node, scope):
            branches.append((step, inner))
            rendered = self._join([_Part(Alt(""))], children or [], where, inner, cut)
            for part in rendered:
                if part.done and part.alt.value == "":
                    # The line ended before this branch wrote anything: its choice does not
                    # change the value.
                    options.append(part)
                else:
                    options.append(_Part(Alt(part.alt.value, (step, *part.alt.steps)),
                                         part.done))
        _carry_assignments(scope, branches, node)
        return options

    def _action(
        self, where: _Where, node: Action, scope: Scope, prints: bool = True
    ) -> list[Alt]:
        """What an action prints; one that sets a variable prints nothing and sets it
        (`prints` False: only set variables, print nothing)."""
        site = where.site(node.start, node.expr)
        pipe = parse_pipeline(node.expr)
        if pipe is None or (not prints and not pipe.variables):
            return [Alt(Unknown(site.label, site.where))]
        values = self.evaluator.pipeline(pipe, scope, site)
        if pipe.variables:
            for name in pipe.variables:
                scope.variables[name] = values
            return [Alt("")]
        return [Alt(shown(a.value, site), a.steps) for a in values]

    def _include(self, name: str, dot: list[Alt], site: Site) -> list[Alt] | None:
        """A named template rendered with a dot (its text stripped, as charts trim it)."""
        target = self.defines.get(name)
        if target is None:
            return None
        if site.depth >= MAX_INCLUDE_DEPTH:
            return [Alt(Unknown(site.label, site.where))]
        expansion = (*site.ident, -next(self.expansions))
        via = Step(expansion, -1, site.label)
        where = _Where(target[0], expansion, site.depth + 1)
        body = self._join([_Part(Alt(""))], target[1].children, where, Scope(dot, dot),
                          cut=False)
        return [Alt(_stripped(p.alt.value), (via, *p.alt.steps)) for p in body]

    # -- blocks --

    def _branches(
        self, where: _Where, node: Block, scope: Scope
    ) -> Iterator[tuple[Step, list[Node] | None, Scope]]:
        """(step, children, scope) of every branch, and of none taken (children None) when
        the block may render nothing. A branch is `off` when the chart's values take an
        earlier one or fail its own condition."""
        site = where.site(node.start, node.head.removeprefix("{{ ").removesuffix(" }}"))
        ident = (*where.prefix, node.ident)
        taken_before = False
        # Per Kubernetes minor, whether an earlier branch is taken there (once a condition
        # depends on the cluster; None: not known).
        before: list[bool | None] | None = None
        for number, branch in enumerate(node.branches):
            pipe = parse_pipeline(branch.cond) if branch.cond is not None else None
            decided: bool | None
            by_version: tuple[bool | None, ...]
            if branch.cond is None:
                decided, by_version = True, ()
            elif pipe is None:
                decided, by_version = None, ()
            else:
                cond = self.evaluator.decide(Pipeline(pipe.commands), scope, site)
                decided, by_version = cond.by_values, cond.by_version
            if by_version and before is None:
                before = [False] * len(by_version)
            taken: tuple[bool | None, ...] = ()
            if before is not None:
                truths = by_version or (decided,) * len(before)
                taken = tuple(_and(_not(b), t) for b, t in zip(before, truths, strict=True))
                before = [_or(b, t) for b, t in zip(before, truths, strict=True)]
            step = Step(ident, number, branch.label, off=taken_before or decided is False,
                        taken=taken)
            yield step, branch.children, self._branch_scope(node, number, pipe, scope, site)
            taken_before = taken_before or decided is True
        if node.keyword != "range" and not node.exhaustive:
            none = tuple(_not(b) for b in before) if before is not None else ()
            step = Step(ident, len(node.branches), f"{node.head} (not taken)",
                        off=taken_before, none_taken=True, taken=none)
            yield step, None, scope.inner()

    def _branch_scope(
        self, node: Block, number: int, pipe: Pipeline | None, scope: Scope, site: Site
    ) -> Scope:
        """`with` sets the dot of its first branch; `range` sets its variables and dot to
        each element (not known); `if` sets nothing."""
        if node.keyword == "if" or number > 0 or pipe is None:
            return scope.inner()
        if node.keyword == "with":
            inner = scope.inner(self.evaluator.pipeline(Pipeline(pipe.commands), scope, site))
            for name in pipe.variables:
                inner.variables[name] = inner.dot
            return inner
        element = [Alt(Unknown(site.label, site.where))]
        inner = scope.inner(element)
        for name in pipe.variables:
            inner.variables[name] = element
        return inner

    def _block_scope(self, where: _Where, node: Define, scope: Scope) -> Scope:
        """A `block`'s body runs with its pipeline as the dot."""
        pipe = parse_pipeline(node.arg) if node.arg else None
        if pipe is None:
            return scope.inner()
        return scope.inner(self.evaluator.pipeline(pipe, scope, where.site(node.start, node.arg)))


def _not(a: bool | None) -> bool | None:
    return None if a is None else not a


def _and(a: bool | None, b: bool | None) -> bool | None:
    """Three-valued `and`: false wins over unknown."""
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def _or(a: bool | None, b: bool | None) -> bool | None:
    """Three-valued `or`: true wins over unknown."""
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


def _stripped(value: object) -> object:
    """A named template's output as charts use it: surrounding space stripped."""
    if isinstance(value, PerVersion):
        return PerVersion(tuple(_stripped(v) for v in value.values))
    return value.strip() if isinstance(value, str) else value


def _by_version(alts: list[Alt], site: Site) -> list[Alt]:
    """A line's values with those that differ by Kubernetes version (printed straight from
    `.Capabilities`, or from `and`/`or` of it) split into one value each, with the versions
    that print it."""
    out: list[Alt] = []
    for alt in alts:
        if not isinstance(alt.value, PerVersion):
            out.append(alt)
            continue
        distinct = list(dict.fromkeys(alt.value.values))
        for number, value in enumerate(distinct):
            taken = tuple(v == value for v in alt.value.values)
            step = Step((*site.ident, -2), number, f"{site.label} = {value}", taken=taken)
            out.append(Alt(value, (*alt.steps, step)))
    return out


def _carry_assignments(
    scope: Scope, branches: list[tuple[Step, Scope]], node: Block
) -> None:
    """After a block, a variable set with `=` in some branches may hold any of their values,
    or its old one when a branch (or none taken) leaves it alone."""
    for name, old in list(scope.variables.items()):
        if all(inner.variables.get(name) is old for _, inner in branches):
            continue
        values: list[Alt] = []
        for step, inner in branches:
            new = inner.variables.get(name, old)
            values += [Alt(a.value, (step, *a.steps)) for a in new]
        if node.keyword == "range":
            values += old
        scope.variables[name] = values[:MAX_ALTERNATIVES]


def _value_part(alt: Alt, cut: bool) -> _Part:
    if cut and isinstance(alt.value, PerVersion):
        cuts = [_value_part(Alt(v), cut) for v in alt.value.values]
        joined = PerVersion(tuple(c.alt.value for c in cuts))
        return _Part(Alt(joined, alt.steps), any(c.done for c in cuts))
    newline = alt.value.find("\n") if cut and isinstance(alt.value, str) else -1
    if newline >= 0:
        return _Part(Alt(alt.value[:newline], alt.steps), True)
    return _Part(alt)


def _text_part(text: str, cut: bool) -> _Part:
    newline = text.find("\n") if cut else -1
    return _Part(Alt(text[:newline]), True) if newline >= 0 else _Part(Alt(text))


def _concat(left: _Part, right: _Part, cut: bool) -> _Part:
    """Left's text followed by right's; an unknown part makes the whole unknown (and, on a
    line, ends it: nothing after it can make it known)."""
    a, b = left.alt, right.alt
    steps = a.steps + b.steps
    for value in (a.value, b.value):
        if isinstance(value, Unknown):
            return _Part(Alt(value, steps), cut)
    if isinstance(a.value, PerVersion) or isinstance(b.value, PerVersion):
        size = len((a.value if isinstance(a.value, PerVersion) else b.value).values)
        lefts = a.value.values if isinstance(a.value, PerVersion) else (a.value,) * size
        rights = b.value.values if isinstance(b.value, PerVersion) else (b.value,) * size
        joined = tuple(
            x if isinstance(x, Unknown) else y if isinstance(y, Unknown) else str(x) + str(y)
            for x, y in zip(lefts, rights, strict=True)
        )
        return _Part(Alt(PerVersion(joined), steps), right.done)
    return _Part(Alt(str(a.value) + str(b.value), steps), right.done)


def _key(value: object) -> object:
    return value if isinstance(value, str | Unknown) else repr(value)


def _after_silent_actions(text: str, pos: int) -> bool:
    """Whether only actions that print nothing stand between the start of pos's line and
    pos (`{{- end }}apiVersion: v1`): the text at pos then starts a line of the output."""
    line_start = text.rfind("\n", 0, pos) + 1
    if not text.startswith("{{", line_start):
        return False
    tokens = lex(text[line_start:pos])
    if not tokens.actions or tokens.unclosed is not None:
        return False
    if sum(a.end - a.start for a in tokens.actions) != pos - line_start:
        return False  # some text of its own stands before pos
    for action in tokens.actions:
        pipe = parse_pipeline(action.expr)
        if not (action.is_comment or _BLOCK_KEYWORD.match(action.expr)
                or (pipe is not None and pipe.variables)):
            return False
    return True


def _included_name(pipe: Pipeline | None) -> str | None:
    """The template a column-0 `include "x" .` (or `template "x" .`) names, else None."""
    if pipe is None or len(pipe.commands) != 1 or pipe.variables:
        return None
    operands = pipe.commands[0].operands
    if (
        len(operands) >= 2
        and isinstance(operands[0], Function)
        and operands[0].name in ("include", "template")
        and isinstance(operands[1], Literal)
        and isinstance(operands[1].value, str)
    ):
        return operands[1].value
    return None


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

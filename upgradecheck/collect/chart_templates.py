"""The fallback for a chart that cannot be rendered: the `apiVersion:`/`kind:` lines of its
Helm templates, read with every branch of their `{{ if }}`/`{{ else }}` blocks.

A template is not YAML until rendered, so it is read as Go template text: its actions are
cut out and nested (`if`/`else`/`end`, `with`, `range`, `define`, `block`), and each
column-0 `apiVersion:` line is paired with the `kind:` line of the same document, in the
same branch or an enclosing one. Each pair becomes an object whose evidence (source
`template`) names the file, the line and the branch condition, so that a removed API kept
in an `{{ else }}` branch for old clusters is reported with the condition that selects it.

Values computed by the template are resolved where that is cheap: inline
`{{ if }}policy/v1{{ else }}policy/v1beta1{{ end }}`; `include`/`template` of a named
template (`define`) whose body prints a literal, in either branch of its own conditionals;
and `.Values.a.b` (with or without `default "..."`) from the chart's values. Anything else
(loop variables, functions) is a coverage note: never a guess, never silence.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from upgradecheck.model import CoverageNote, Evidence, EvidenceSource, ObjectRef, ObservedObject

MAX_ALTERNATIVES = 32
"""Most values one line may take across its inline branches (beyond: first ones kept)."""

MAX_INCLUDE_DEPTH = 4
"""How deep `include` of `include` is followed."""

_KEYWORD = re.compile(r"(if|else|end|with|range|define|block|break|continue)\b\s*(.*)", re.S)
_ACTION_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|`[^`]*`|\'(?:[^\'\\\n]|\\.)*\'|\}\}')
_COMMENT_START = re.compile(r"(?:-[ \t\r\n]+)?/\*")
_DEFINE_NAME = re.compile(r'"((?:[^"\\]|\\.)*)"|`([^`]*)`')
_KEY = re.compile(r"""["']?(apiVersion|kind)["']?[ \t]*:(?=[ \t\r\n]|\{\{|$)""")
_SEPARATOR = re.compile(r"---(?=[ \t\r\n]|$)")
_SEPARATOR_LINE = re.compile(r"^---(?=[ \t\r\n]|$)", re.M)
_METADATA_LINE = re.compile(r"^metadata:[ \t]*(?:#.*)?$", re.M)
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
_OUTPUT_ACTION = re.compile(r"(?:include|template|tpl|toYaml|\.Files)\b|^\.Values\b|\|")
_API_VERSION = re.compile(
    r"(?:[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?/)?v[0-9]+(?:(?:alpha|beta)[0-9]+)?"
)
_KIND = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class TemplateFile:
    """One file of a chart's `templates/` (or a subchart's), as text."""

    helm_path: str
    """The path helm gives it in `# Source:` lines: `mychart/templates/pdb.yaml`."""
    display: str
    """Where findings point: the path as the scan names it."""
    text: str
    """Its content."""
    renders: bool = True
    """False for partials (`_helpers.tpl`) and library charts: only their defines count."""
    values: Mapping[str, Any] = field(default_factory=dict)
    """The values of its chart (`values.yaml`, with `--values` over it), for `.Values.x`."""


@dataclass
class TemplateReading:
    """What the fallback read from a chart's templates."""

    objects: list[ObservedObject] = field(default_factory=list)
    """One object per apiVersion/kind pair and branch."""
    notes: list[CoverageNote] = field(default_factory=list)
    """What could not be read: computed apiVersions, missing kinds, unbalanced blocks, ..."""
    files: int = 0
    """Template files read for objects."""


# ---- the parse tree of one template ----------------------------------------------------


@dataclass
class _Text:
    start: int
    end: int


@dataclass
class _Action:
    start: int
    end: int
    expr: str


@dataclass
class _Branch:
    label: str
    """`{{ if COND }}`, `{{ if COND }} (else)`, `{{ if COND }} (else if OTHER)`."""
    children: list[_Node] = field(default_factory=list)


@dataclass
class _Block:
    start: int
    keyword: str
    head: str
    """`{{ if COND }}`: the opening action, whitespace collapsed."""
    ident: int
    branches: list[_Branch] = field(default_factory=list)


@dataclass
class _Define:
    start: int
    name: str
    inline: bool
    """A `block`: defined and rendered in place."""
    children: list[_Node] = field(default_factory=list)


_Node = _Text | _Action | _Block | _Define


@dataclass
class _Parsed:
    """One template file, parsed."""

    file: TemplateFile
    nodes: list[_Node]
    defines: dict[str, _Define]
    problems: list[tuple[int, str]]
    line_starts: list[int]

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


def parse(file: TemplateFile) -> _Parsed:
    """Cut a template into text and actions and nest its blocks; lenient on bad nesting."""
    text = file.text
    root: list[_Node] = []
    open_blocks: list[_Block | _Define] = []
    current = root
    problems: list[tuple[int, str]] = []
    defines: dict[str, _Define] = {}
    pos = 0
    for start, end, expr in _actions(text, problems):
        if start > pos:
            current.append(_Text(pos, start))
        pos = end
        if expr.startswith("/*"):
            continue
        found = _KEYWORD.fullmatch(expr)
        word = found.group(1) if found else ""
        rest = _SPACE.sub(" ", found.group(2)).strip() if found else ""
        if word in ("if", "with", "range"):
            block = _Block(start, word, _head(f"{word} {rest}"), next(_IDENTS))
            block.branches.append(_Branch(block.head))
            current.append(block)
            open_blocks.append(block)
            current = block.branches[0].children
        elif word == "else":
            top = open_blocks[-1] if open_blocks else None
            if not isinstance(top, _Block):
                problems.append((start, "{{ else }} outside {{ if }}, {{ with }} or {{ range }}"))
                continue
            label = f"{top.head} (else {rest})" if rest else f"{top.head} (else)"
            top.branches.append(_Branch(label))
            current = top.branches[-1].children
        elif word in ("define", "block"):
            name = _DEFINE_NAME.match(rest)
            define = _Define(start, (name.group(1) or name.group(2) or "") if name else rest,
                             inline=word == "block")
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
            current.append(_Action(start, end, expr))
    if pos < len(text):
        current.append(_Text(pos, len(text)))
    for unclosed in open_blocks:
        if isinstance(unclosed, _Block):
            head = unclosed.head
        else:
            head = f'{{{{ define "{unclosed.name}" }}}}'
        problems.append((unclosed.start, f"{head} has no {{{{ end }}}}"))
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    return _Parsed(file, root, defines, problems, starts)


def _children_of(block: _Block | _Define) -> list[_Node]:
    return block.branches[-1].children if isinstance(block, _Block) else block.children


def _head(expr: str) -> str:
    expr = _SPACE.sub(" ", expr).strip()
    if len(expr) > 160:
        expr = expr[:157] + "..."
    return f"{{{{ {expr} }}}}"


def _actions(text: str, problems: list[tuple[int, str]]) -> Iterator[tuple[int, int, str]]:
    """(start, end, expression) of each `{{ }}` action, trim markers and spaces removed."""
    pos = 0
    while True:
        start = text.find("{{", pos)
        if start < 0:
            return
        end = _action_end(text, start + 2)
        if end < 0:
            problems.append((start, "a {{ action is never closed"))
            return
        inner = text[start + 2 : end - 2]
        if inner[:1] == "-" and inner[1:2] in (" ", "\t", "\r", "\n"):
            inner = inner[1:]
        if inner[-1:] == "-" and inner[-2:-1] in (" ", "\t", "\r", "\n"):
            inner = inner[:-1]
        yield start, end, inner.strip()
        pos = end


def _action_end(text: str, pos: int) -> int:
    """The offset just after the `}}` that closes an action whose body starts at pos, or -1.
    Strings and comments may hold `}}`."""
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


# ---- reading objects out of the trees --------------------------------------------------


@dataclass(frozen=True)
class _Step:
    """One block branch (or include) on the way to a line."""

    block: tuple[int, ...]
    """The block's identity; an include's expansions get their own."""
    branch: int
    """Which of its branches (-1: an include, not a condition)."""
    label: str
    """How a reader sees it."""


@dataclass(frozen=True)
class _Alt:
    """One value a line may render."""

    value: str | None
    """The value, or None when an action in it cannot be resolved."""
    steps: tuple[_Step, ...] = ()
    """The inline branches that give it."""
    unresolved: str = ""
    """The action that could not be resolved."""


@dataclass
class _Item:
    """A column-0 `apiVersion:`, `kind:` or `---` line, in the branch it sits in."""

    what: str
    path: tuple[_Step, ...]
    parsed: _Parsed
    pos: int
    line: int
    alts: list[_Alt]


class _Reader:
    """Walks the templates of one chart with the named templates of all of them at hand."""

    def __init__(self, parsed: Sequence[_Parsed]) -> None:
        self.defines: dict[str, tuple[_Parsed, _Define]] = {}
        for one in parsed:
            for name, define in one.defines.items():
                self.defines.setdefault(name, (one, define))
        self.expansions = count(1)

    # Items of one file, in text order.
    def items(self, parsed: _Parsed) -> list[_Item]:
        found: list[_Item] = []
        self._walk(parsed, parsed.nodes, (), (), None, 0, found)
        return found

    def _walk(
        self,
        parsed: _Parsed,
        nodes: list[_Node],
        path: tuple[_Step, ...],
        prefix: tuple[int, ...],
        shown_line: int | None,
        depth: int,
        found: list[_Item],
    ) -> None:
        text = parsed.file.text
        for index, node in enumerate(nodes):
            if isinstance(node, _Text):
                for start in parsed.starts_between(node.start, node.end):
                    item = self._line_item(parsed, nodes, index, start, path, prefix, depth)
                    if item is not None:
                        if shown_line is not None:
                            item.line = shown_line
                        found.append(item)
            elif isinstance(node, _Block):
                for number, branch in enumerate(node.branches):
                    step = _Step((*prefix, node.ident), number, branch.label)
                    self._walk(parsed, branch.children, (*path, step), prefix, shown_line,
                               depth, found)
            elif isinstance(node, _Define):
                if node.inline:
                    self._walk(parsed, node.children, path, prefix, shown_line, depth, found)
            elif _at_line_start(text, node.start) and depth < MAX_INCLUDE_DEPTH:
                # A column-0 `{{ include "x.pdb" . }}` may render whole documents.
                name = _included_name(node.expr)
                target = self.defines.get(name) if name else None
                if target is not None and _writes_api_version(target[0], target[1]):
                    expansion = (*prefix, -next(self.expansions))
                    step = _Step(expansion, -1, f"{{{{ {_SPACE.sub(' ', node.expr)} }}}}")
                    line = shown_line if shown_line is not None else parsed.line(node.start)
                    self._walk(target[0], target[1].children, (*path, step), expansion, line,
                               depth + 1, found)

    def _line_item(
        self,
        parsed: _Parsed,
        nodes: list[_Node],
        index: int,
        start: int,
        path: tuple[_Step, ...],
        prefix: tuple[int, ...],
        depth: int,
    ) -> _Item | None:
        text = parsed.file.text
        node = nodes[index]
        assert isinstance(node, _Text)
        if _SEPARATOR.match(text, start, node.end):
            return _Item("---", path, parsed, start, parsed.line(start), [])
        key = _KEY.match(text, start, node.end)
        if key is None:
            return None
        alts = self._value(parsed, nodes, index, key.end(), prefix, depth)
        return _Item(key.group(1), path, parsed, start, parsed.line(start), alts)

    def _value(
        self,
        parsed: _Parsed,
        nodes: list[_Node],
        index: int,
        value_start: int,
        prefix: tuple[int, ...],
        depth: int,
    ) -> list[_Alt]:
        """The values the rest of this line may render, one per inline branch."""
        text = parsed.file.text
        node = nodes[index]
        assert isinstance(node, _Text)
        newline = text.find("\n", value_start, node.end)
        if newline >= 0:
            return [_Alt(text[value_start:newline])]
        pieces: list[str | _Node] = [text[value_start : node.end]]
        for later in nodes[index + 1 :]:
            if isinstance(later, _Text):
                newline = text.find("\n", later.start, later.end)
                if newline >= 0:
                    pieces.append(text[later.start : newline])
                    break
            pieces.append(later)
        return self._expand(parsed, pieces, prefix, depth)

    def _expand(
        self,
        parsed: _Parsed,
        pieces: Sequence[str | _Node],
        prefix: tuple[int, ...],
        depth: int,
    ) -> list[_Alt]:
        alts = [_Alt("")]
        for piece in pieces:
            options = self._expand_piece(parsed, piece, prefix, depth)
            joined: list[_Alt] = []
            for left in alts:
                for right in options:
                    if left.value is None or right.value is None:
                        unresolved = left.unresolved or right.unresolved
                        joined.append(_Alt(None, left.steps + right.steps, unresolved))
                    else:
                        joined.append(_Alt(left.value + right.value, left.steps + right.steps))
            alts = joined[:MAX_ALTERNATIVES]
        return alts

    def _expand_piece(
        self, parsed: _Parsed, piece: str | _Node, prefix: tuple[int, ...], depth: int
    ) -> list[_Alt]:
        if isinstance(piece, str):
            return [_Alt(piece)]
        if isinstance(piece, _Text):
            return [_Alt(parsed.file.text[piece.start : piece.end])]
        if isinstance(piece, _Define):
            return [_Alt("")]
        if isinstance(piece, _Block):
            options: list[_Alt] = []
            for number, branch in enumerate(piece.branches):
                step = _Step((*prefix, piece.ident), number, branch.label)
                for alt in self._expand(parsed, branch.children, prefix, depth):
                    options.append(_Alt(alt.value, (step, *alt.steps), alt.unresolved))
            if piece.keyword != "range" and not piece.branches[-1].label.endswith("(else)"):
                skipped = _Step((*prefix, piece.ident), len(piece.branches),
                                f"{piece.head} (not taken)")
                options.append(_Alt("", (skipped,)))
            return options
        literal = _LITERAL.fullmatch(piece.expr)
        if literal:
            return [_Alt(_unquote(literal.group(1), literal.group(2)))]
        from_values = _from_values(piece.expr, parsed.file.values)
        if from_values is not None:
            return [from_values]
        name = _included_name(piece.expr)
        target = self.defines.get(name) if name else None
        if target is None or depth >= MAX_INCLUDE_DEPTH:
            return [_Alt(None, (), f"{{{{ {_SPACE.sub(' ', piece.expr)} }}}}")]
        expansion = (*prefix, -next(self.expansions))
        via = _Step(expansion, -1, f"{{{{ {_SPACE.sub(' ', piece.expr)} }}}}")
        body = self._expand(target[0], target[1].children, expansion, depth + 1)
        return [
            _Alt(a.value.strip() if a.value is not None else None, (via, *a.steps), a.unresolved)
            for a in body
        ]


def _from_values(expr: str, values: Mapping[str, Any]) -> _Alt | None:
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
    label = f"{{{{ {_SPACE.sub(' ', expr)} }}}}"
    if isinstance(found, str) and found:
        return _Alt(found, (_Step((-1,), -1, f"{label} = {found} (chart values)"),))
    if default is not None and (found is None or found == ""):
        return _Alt(default, (_Step((-1,), -1, f"{label} (default)"),))
    return _Alt(None, (), label)


def _at_line_start(text: str, pos: int) -> bool:
    return pos == 0 or text[pos - 1] == "\n"


def _included_name(expr: str) -> str | None:
    found = _INCLUDE.fullmatch(expr)
    if not found:
        return None
    return _unquote(found.group(1), found.group(2))


def _unquote(double: str | None, raw: str | None) -> str:
    if double is not None:
        return double.replace('\\"', '"').replace("\\\\", "\\")
    return raw or ""


def _writes_api_version(parsed: _Parsed, define: _Define) -> bool:
    body = parsed.file.text[define.start : _end_of(define, parsed)]
    return re.search(r"^apiVersion[ \t]*:", body, re.M) is not None


def _end_of(define: _Define, parsed: _Parsed) -> int:
    last: _Node | None = define.children[-1] if define.children else None
    while isinstance(last, _Block | _Define):
        children = last.branches[-1].children if isinstance(last, _Block) else last.children
        last = children[-1] if children else None
    if isinstance(last, _Text | _Action):
        return last.end
    return len(parsed.file.text)


def _clean(value: str) -> str:
    value = value.strip()
    value = re.sub(r"[ \t]+#.*$", "", value)
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1].strip()
    return value


def _compatible(a: tuple[_Step, ...], b: tuple[_Step, ...]) -> bool:
    """False when the two lines sit in different branches of one block (never together)."""
    chosen = {step.block: step.branch for step in a}
    return all(chosen.get(step.block, step.branch) == step.branch for step in b)


def _object_name(parsed: _Parsed, pos: int) -> str:
    """`metadata.name` of the document at pos as written (an action stays as its text)."""
    text = parsed.file.text
    separator = _SEPARATOR_LINE.search(text, pos + 1)
    end = separator.start() if separator else len(text)
    metadata = _METADATA_LINE.search(text, pos, end)
    if metadata is None:
        return "<unnamed>"
    indent: int | None = None
    for line in text[metadata.end() : end].splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "{{")):
            continue
        if line[0] not in " \t":
            break
        here = len(line) - len(line.lstrip())
        indent = here if indent is None else indent
        if here == indent and stripped.startswith("name:"):
            name = _clean(stripped[len("name:") :])
            return _SPACE.sub(" ", name)[:120] or "<unnamed>"
    return "<unnamed>"


def _detail(steps: Sequence[_Step]) -> str:
    conditions = [s.label for s in steps if s.branch >= 0]
    via = [s.label for s in steps if s.branch < 0]
    parts = [f"branch: {' > '.join(conditions)}"] if conditions else ["unconditional"]
    if via:
        parts.append(f"via {', '.join(via)}")
    return "; ".join(parts)


def _merge(*paths: Sequence[_Step]) -> tuple[_Step, ...]:
    seen: set[tuple[tuple[int, ...], int]] = set()
    merged: list[_Step] = []
    for path in paths:
        for step in path:
            key = (step.block, step.branch)
            if key not in seen:
                seen.add(key)
                merged.append(step)
    return tuple(merged)


def _pair_kind(items: list[_Item], index: int) -> _Item | None:
    """The `kind:` line of the document of items[index], in a compatible branch."""
    api = items[index]
    for item in items[index + 1 :]:
        if not _compatible(api.path, item.path):
            continue
        if item.what == "---":
            break
        if item.what == "kind":
            return item
    for item in reversed(items[:index]):
        if not _compatible(api.path, item.path):
            continue
        if item.what == "---":
            break
        if item.what == "kind":
            return item
    return None


def read_templates(files: Sequence[TemplateFile]) -> TemplateReading:
    """The objects the templates of one chart (with its subcharts) may render, every branch.

    All files are parsed for their named templates; objects are read from those whose
    `renders` is true.
    """
    reading = TemplateReading()
    parsed = [parse(file) for file in files]
    reader = _Reader(parsed)
    for one in parsed:
        if not one.file.renders:
            continue
        reading.files += 1
        before = (len(reading.objects), len(reading.notes))
        _read_file(reader, one, reading)
        if (len(reading.objects), len(reading.notes)) == before:
            note = _empty_file_note(one)
            if note is not None:
                reading.notes.append(note)
    return reading


def _read_file(reader: _Reader, parsed: _Parsed, reading: TemplateReading) -> None:
    display = parsed.file.display
    for pos, message in parsed.problems:
        reading.notes.append(CoverageNote(
            display, f"{display}:{parsed.line(pos)}: {message}; read as far as possible", "gap"
        ))
    items = reader.items(parsed)
    seen: set[tuple[str, str, str, str]] = set()
    for index, item in enumerate(items):
        if item.what != "apiVersion":
            continue
        location = f"{display}:{item.line}"
        resolved = [a for a in item.alts if a.value is not None and _clean(a.value)]
        for alt in item.alts:
            if alt.value is None:
                reading.notes.append(CoverageNote(
                    display,
                    f"{location}: apiVersion comes from {alt.unresolved}, which cannot be "
                    "resolved without rendering the chart",
                    "gap",
                ))
            elif alt.value.strip() and not _API_VERSION.fullmatch(_clean(alt.value)):
                reading.notes.append(CoverageNote(
                    display, f"{location}: apiVersion {_clean(alt.value)!r} cannot be read", "gap"
                ))
        api_alts = [a for a in resolved if _API_VERSION.fullmatch(_clean(a.value or ""))]
        if not api_alts:
            continue
        kind_item = _pair_kind(items, index)
        kind_alts = [
            a for a in (kind_item.alts if kind_item else [])
            if a.value is not None and _KIND.fullmatch(_clean(a.value))
        ]
        if not kind_alts:
            reading.notes.append(CoverageNote(
                display,
                f"{location}: the kind of this {_clean(api_alts[0].value or '')} object cannot "
                "be read without rendering the chart",
                "gap",
            ))
            continue
        name = _object_name(item.parsed, item.pos)
        for api in api_alts:
            for kind in kind_alts:
                assert kind_item is not None
                steps = _merge(item.path, api.steps, kind_item.path, kind.steps)
                api_version, kind_name = _clean(api.value or ""), _clean(kind.value or "")
                detail = _detail(steps)
                key = (api_version, kind_name, location, detail)
                if key in seen:
                    continue
                seen.add(key)
                evidence = Evidence(EvidenceSource.TEMPLATE, location, api_version, detail)
                ref = ObjectRef(api_version, kind_name, None, name)
                reading.objects.append(ObservedObject(ref, (evidence,), {}))


def _empty_file_note(parsed: _Parsed) -> CoverageNote | None:
    """Why a rendering template gave no object; None when it holds nothing to render."""
    display = parsed.file.display
    text = parsed.file.text
    output: _Action | None = None
    content_line: int | None = None
    for node in _outside_defines(parsed.nodes):
        if isinstance(node, _Action):
            # Whole documents come from column-0 actions (`{{ toYaml .Values.extra }}`);
            # an action inside a line is a value, and an assignment prints nothing.
            if (
                output is None
                and _at_line_start(text, node.start)
                and _OUTPUT_ACTION.search(node.expr)
                and ":=" not in node.expr
                and "=" not in node.expr.split(" ", 2)[:2]
            ):
                output = node
        elif isinstance(node, _Text) and content_line is None:
            for line_start in parsed.starts_between(node.start, node.end):
                newline = text.find("\n", line_start, node.end)
                line = text[line_start : newline if newline >= 0 else node.end]
                if line.strip() and not line.lstrip().startswith(("#", "---")):
                    content_line = parsed.line(line_start)
                    break
    if output is not None:
        return CoverageNote(
            display,
            f"{display}:{parsed.line(output.start)}: no apiVersion line; what it renders comes "
            f"from {{{{ {_SPACE.sub(' ', output.expr)[:120]} }}}}, not known without rendering",
            "gap",
        )
    if content_line is not None:
        return CoverageNote(
            display,
            f"{display}:{content_line}: no apiVersion line: not read as a Kubernetes object",
            "skipped",
        )
    return None


def _outside_defines(nodes: list[_Node]) -> Iterator[_Text | _Action]:
    for node in nodes:
        if isinstance(node, _Block):
            for branch in node.branches:
                yield from _outside_defines(branch.children)
        elif isinstance(node, _Define):
            if node.inline:
                yield from _outside_defines(node.children)
        else:
            yield node

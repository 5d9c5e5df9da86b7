"""The fallback for a chart that cannot be rendered: the `apiVersion:`/`kind:` lines of its
templates, read with every branch of their `{{ if }}`/`{{ else }}` blocks.

The branch reader gives each column-0 `apiVersion:` line with the branches it sits in and
the values it may take; here each is paired with the `kind:` line of the same document, in
the same branch or an enclosing one (never a sibling branch of the same block). Each pair
becomes an object whose evidence (source `template`) names the file, the line and the
branch condition, so that a removed API kept in an `{{ else }}` branch for old clusters is
reported with the condition that selects it. A branch chosen by the cluster's version or
APIs also says for which Kubernetes versions the chart leaves it out (and what it writes at
the target instead), so that the checks do not hold it against the target. What cannot be
read is a coverage note: never a guess, never silence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from upgradecheck.collect.binaries import FolderOutput, Placement, Stream
from upgradecheck.collect.helm.api_versions import CapabilityTable
from upgradecheck.collect.helm.branches import (
    Alt,
    BranchReader,
    KeyLine,
    Step,
    Template,
    Unknown,
    at_line_start,
    compatible,
    merge,
    parse_template,
)
from upgradecheck.collect.helm.chart import Chart, TemplateFile
from upgradecheck.collect.helm.expressions import rendered_at
from upgradecheck.collect.helm.parse import Action, Block, Define, Node, Text
from upgradecheck.collect.helm.tokens import action_end
from upgradecheck.model import CoverageNote, Evidence, EvidenceSource, ObjectRef, ObservedObject
from upgradecheck.versions import Minor

_SEPARATOR_LINE = re.compile(r"^---(?=[ \t\r\n]|$)", re.M)
_METADATA_LINE = re.compile(r"^metadata:[ \t]*(?:#.*)?$", re.M)
_METADATA_FLOW = re.compile(r"^metadata:[ \t]*\{", re.M)
_OUTPUT_ACTION = re.compile(r"(?:include|template|tpl|toYaml|\.Files)\b|^\.Values\b|\|")
_API_VERSION = re.compile(
    r"(?:[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?/)?v[0-9]+(?:(?:alpha|beta)[0-9]+)?"
)
_KIND = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_SPACE = re.compile(r"\s+")


def unrendered(
    chart: Chart, reason: str, notes: list[CoverageNote], table: CapabilityTable | None = None
) -> FolderOutput:
    """What a chart yields without helm: its templates read with every branch, its CRDs as
    plain files, and notes saying so (`reason`: why helm did not render it), after `notes`.
    `table`: what `.Capabilities` answers at each Kubernetes version."""
    out = FolderOutput(notes=[*notes, *chart.values_notes])
    reading = read_templates(chart.templates, table)
    out.objects.extend(reading.objects)
    out.notes.extend(reading.notes)
    out.files.extend(chart.crd_files)
    for where, text in chart.crd_streams:
        out.streams.append(Stream(where, text, _plain_placer(where)))
    for name in chart.missing:
        out.notes.append(CoverageNote(
            chart.display,
            f"{chart.display}: dependency {name} is not in charts/ (run helm dependency "
            "build): its templates are not read",
            "gap",
        ))
    out.notes.append(CoverageNote(
        chart.display,
        f"chart {chart.display} not rendered: {reason}; apiVersions read from its templates, "
        "both branches of conditionals",
        "gap",
    ))
    out.stats["charts_not_rendered"] = 1
    out.stats["files"] = reading.files
    return out


def _plain_placer(display: str) -> Callable[[str | None, Any, int], Placement]:
    def place(source: str | None, data: Any, line: int) -> Placement:
        return Placement(f"{display}:{line}", "", data)

    return place


@dataclass
class TemplateReading:
    """What the fallback read from a chart's templates."""

    objects: list[ObservedObject] = field(default_factory=list)
    """One object per apiVersion/kind pair and branch."""
    notes: list[CoverageNote] = field(default_factory=list)
    """What could not be read: computed apiVersions, missing kinds, unbalanced blocks, ..."""
    files: int = 0
    """Template files read for objects."""


def read_templates(
    files: Sequence[TemplateFile], table: CapabilityTable | None = None
) -> TemplateReading:
    """The objects the templates of one chart (with its subcharts) may render, every branch.

    All files are parsed for their named templates; objects are read from those whose
    `renders` is true. With `table`, conditions on `.Capabilities` are answered for every
    Kubernetes version in it.
    """
    reading = TemplateReading()
    templates = [parse_template(file) for file in files]
    reader = BranchReader(templates, table)
    for one in templates:
        if not one.file.renders:
            continue
        reading.files += 1
        before = (len(reading.objects), len(reading.notes))
        _read_file(reader, one, reading, table)
        if (len(reading.objects), len(reading.notes)) == before:
            note = _empty_file_note(one)
            if note is not None:
                reading.notes.append(note)
    return reading


@dataclass(frozen=True)
class _Found:
    """One apiVersion/kind pair of a branch, before its evidence is written."""

    ref: ObjectRef
    location: str
    steps: tuple[Step, ...]
    rendered: tuple[bool | None, ...]
    """Whether the chart renders it at each minor of the capability table (empty: the same
    at every version)."""


def _read_file(
    reader: BranchReader,
    template: Template,
    reading: TemplateReading,
    table: CapabilityTable | None,
) -> None:
    display = template.file.display
    for pos, message in template.tree.problems:
        reading.notes.append(CoverageNote(
            display,
            f"{display}:{template.tree.line(pos)}: {message}; read as far as possible",
            "gap",
        ))
    items = reader.lines(template)
    # A subchart's dependency switches come first: each a branch the parent's values take,
    # or rule out (block -1-i: no template's block is numbered so).
    gates = tuple(
        Step((-1 - i,), 0, g.label, off=g.off) for i, g in enumerate(template.file.gates)
    )
    seen: set[tuple[str, str, str, str]] = set()
    found: list[_Found] = []
    for index, item in enumerate(items):
        if item.what != "apiVersion":
            continue
        location = f"{display}:{item.line}"
        api_alts = _readable(item, location, _API_VERSION, reading.notes)
        if not api_alts:
            continue
        kinds = [(k, _readable(k, location, _KIND, None)) for k in _pair_kinds(items, index)]
        if not any(alts for _, alts in kinds):
            reading.notes.append(CoverageNote(
                display,
                f"{location}: the kind of this {_clean(api_alts[0].value)} object cannot "
                "be read without rendering the chart",
                "gap",
            ))
            continue
        name = _object_name(item.template.tree.text, item.pos)
        for api in api_alts:
            for kind_item, kind_alts in kinds:
                for kind in kind_alts:
                    api_steps = merge(item.path, api.steps)
                    kind_steps = merge(kind_item.path, kind.steps)
                    if not compatible(api_steps, kind_steps):
                        continue
                    steps = gates + merge(api_steps, kind_steps)
                    api_version, kind_name = _clean(api.value), _clean(kind.value)
                    key = (api_version, kind_name, location, _detail(steps))
                    if key in seen:
                        continue
                    seen.add(key)
                    ref = ObjectRef(api_version, kind_name, None, name)
                    found.append(_Found(ref, location, steps, rendered_at(steps)))
    for one in found:
        detail, absent = _detail(one.steps), ""
        if one.rendered and not any(s.off for s in one.steps) and table is not None:
            absent = _constraint([not r if r is not None else None for r in one.rendered],
                                 table.minors)
            detail += _version_detail(one, found, table)
        evidence = Evidence(EvidenceSource.TEMPLATE, one.location, one.ref.api_version, detail,
                            not_rendered_for=absent)
        reading.objects.append(ObservedObject(one.ref, (evidence,), {}))


def _version_detail(one: _Found, found: Sequence[_Found], table: CapabilityTable) -> str:
    """What the detail adds about the versions that render a branch: where it renders and,
    when the target is not one of them, what the chart writes there instead."""
    at = table.index(table.target)
    if False not in one.rendered:
        return ""  # every version renders it, as far as is known
    if None in one.rendered:
        shown = "not rendered for Kubernetes " + _human(
            [r is False for r in one.rendered], table.minors)
    elif any(one.rendered):
        shown = "rendered only for Kubernetes " + _human(
            [r is True for r in one.rendered], table.minors)
    else:
        shown = "rendered for no Kubernetes version"
    if one.rendered[at] is not False:
        return f"; {shown}"
    same = [f for f in found if (f.ref.kind, f.ref.name) == (one.ref.kind, one.ref.name)
            and f.location.rpartition(":")[0] == one.location.rpartition(":")[0]]
    # What may render at the target instead: branches not ruled out there (nor by values).
    instead = sorted({f.ref.api_version for f in same if not any(s.off for s in f.steps)
                      and (not f.rendered or f.rendered[at] is not False)})
    if instead:
        return f"; {shown}; at {table.target} the chart writes {', '.join(instead)}"
    if all(f.rendered and f.rendered[at] is False for f in same):
        return f"; {shown}; at {table.target} the chart writes no {one.ref.kind} here"
    return f"; {shown}"


def _runs(
    flags: Sequence[bool], minors: Sequence[Minor]
) -> list[tuple[Minor | None, Minor | None]]:
    """The runs of minors whose flag is true, each as (from, before); None where the run
    reaches the first or the last minor (the versions beyond it are taken to behave alike)."""
    runs: list[tuple[int, int]] = []
    for index, flag in enumerate(flags):
        if flag and runs and runs[-1][1] == index - 1:
            runs[-1] = (runs[-1][0], index)
        elif flag:
            runs.append((index, index))
    return [(None if first == 0 else minors[first],
             None if last == len(minors) - 1 else minors[last + 1]) for first, last in runs]


def _constraint(flags: Sequence[bool | None], minors: Sequence[Minor]) -> str:
    """The minors whose flag is true, as a version constraint (`<1.21 || >=1.25`)."""
    parts = []
    for low, high in _runs([f is True for f in flags], minors):
        words = ([f">={low}"] if low else []) + ([f"<{high}"] if high else [])
        parts.append(" ".join(words) or f">={minors[0]}")
    return " || ".join(parts)


def _human(flags: Sequence[bool], minors: Sequence[Minor]) -> str:
    """The minors whose flag is true, for people: `< 1.21`, `>= 1.25`, `1.16 to 1.20`."""
    parts = []
    for low, high in _runs(flags, minors):
        if low and high:
            parts.append(f"{low} to {high.previous()}")
        else:
            parts.append(f">= {low}" if low else f"< {high}" if high else "any version")
    return " and ".join(parts)


def _readable(
    item: KeyLine, location: str, pattern: re.Pattern[str], notes: list[CoverageNote] | None
) -> list[Alt]:
    """The values of a key line that read as an apiVersion (or kind); with `notes`, the
    others are noted. A value made only by an `if` none of whose branches is taken
    (`scheduling.k8s.io/{{ if A }}v1{{ else if B }}v1beta1{{ end }}` with neither) is not
    a shape anyone deploys: it is dropped when the line has readable values."""
    display = item.template.file.display
    readable = [a for a in item.alts if isinstance(a.value, str)
                and pattern.fullmatch(_clean(a.value))]
    said: set[str] = set()
    for alt in item.alts:
        if notes is None or alt in readable:
            continue
        if isinstance(alt.value, Unknown):
            elsewhere = "" if alt.value.where.startswith(f"{display}:") else (
                f" (at {alt.value.where})" if alt.value.where else "")
            reason = (f"{location}: {item.what} comes from {alt.value.label}{elsewhere}, which "
                      "cannot be resolved without rendering the chart")
        elif _clean(str(alt.value)) and not (readable and any(s.none_taken for s in alt.steps)):
            reason = f"{location}: {item.what} {_clean(str(alt.value))!r} cannot be read"
        else:
            continue
        # Several branches may lead to the same unresolved action: one note says it.
        if reason not in said:
            said.add(reason)
            notes.append(CoverageNote(display, reason, "gap"))
    return readable


def _pair_kinds(items: list[KeyLine], index: int) -> list[KeyLine]:
    """The `kind:` lines of the document of items[index], in branches compatible with it:
    after it up to the next `---`, else before it back to the previous one. A kind line in
    a branch of its own (`{{ if }}kind: Role{{ else }}kind: ClusterRole{{ end }}`) is one
    more choice; one compatible with a kind already found is a later line of the same
    choice, not taken."""
    api = items[index]
    for direction in (items[index + 1 :], list(reversed(items[:index]))):
        kinds: list[KeyLine] = []
        for item in direction:
            if not compatible(api.path, item.path):
                continue
            if item.what == "---":
                break
            if item.what == "kind" and not any(compatible(k.path, item.path) for k in kinds):
                kinds.append(item)
        if kinds:
            return kinds
    return []


def _clean(value: str) -> str:
    value = value.strip()
    value = re.sub(r"[ \t]+#.*$", "", value)
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1].strip()
    return value


def _object_name(text: str, pos: int) -> str:
    """`metadata.name` of the document at pos as written (an action stays as its text)."""
    separator = _SEPARATOR_LINE.search(text, pos + 1)
    end = separator.start() if separator else len(text)
    metadata = _METADATA_LINE.search(text, pos, end)
    if metadata is None:
        flow = _METADATA_FLOW.search(text, pos, end)
        name = _flow_name(text[flow.end() : end]) if flow else None
        return _SPACE.sub(" ", name or "")[:120] or "<unnamed>"
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


def _flow_name(text: str) -> str | None:
    """`name` of a flow mapping (`metadata: {name: x, labels: {...}}`), text after its `{`;
    template actions and quoted strings are kept whole, nested collections skipped."""
    entries: list[str] = []
    entry: list[str] = []
    depth, i = 0, 0
    while i < len(text):
        if text.startswith("{{", i):
            close = action_end(text, i + 2)
            stop = len(text) if close < 0 else close
        elif text[i] in "\"'":
            close = text.find(text[i], i + 1)
            stop = len(text) if close < 0 else close + 1
        else:
            char, stop = text[i], i + 1
            if char in "{[":
                depth += 1
            elif char in "}]" and depth == 0:
                break
            elif char in "}]":
                depth -= 1
            elif char == "," and depth == 0:
                entries.append("".join(entry))
                entry, i = [], stop
                continue
        entry.append(text[i:stop])
        i = stop
    entries.append("".join(entry))
    for item in entries:
        key, colon, value = item.partition(":")
        if colon and key.strip() == "name":
            return _clean(value)
    return None


def _detail(steps: Sequence[Step]) -> str:
    conditions = [s.label for s in steps if s.branch >= 0]
    via = [s.label for s in steps if s.branch < 0]
    off = [s.label for s in steps if s.off]
    parts = [f"branch: {' > '.join(conditions)}"] if conditions else ["unconditional"]
    if via:
        parts.append(f"via {', '.join(via)}")
    if off:
        parts.append(f"not rendered with the chart's values: needs {' > '.join(off)}")
    return "; ".join(parts)


def _empty_file_note(template: Template) -> CoverageNote | None:
    """Why a rendering template gave no object; None when it holds nothing to render."""
    display = template.file.display
    tree = template.tree
    text = tree.text
    output: Action | None = None
    content_line: int | None = None
    for node in _outside_defines(tree.nodes):
        if isinstance(node, Action):
            # Whole documents come from column-0 actions (`{{ toYaml .Values.extra }}`);
            # an action inside a line is a value, and an assignment prints nothing.
            if (
                output is None
                and at_line_start(text, node.start)
                and _OUTPUT_ACTION.search(node.expr)
                and ":=" not in node.expr
                and "=" not in node.expr.split(" ", 2)[:2]
            ):
                output = node
        elif content_line is None:
            for line_start in tree.starts_between(node.start, node.end):
                newline = text.find("\n", line_start, node.end)
                line = text[line_start : newline if newline >= 0 else node.end]
                if line.strip() and not line.lstrip().startswith(("#", "---")):
                    content_line = tree.line(line_start)
                    break
    if output is not None:
        return CoverageNote(
            display,
            f"{display}:{tree.line(output.start)}: no apiVersion line; what it renders comes "
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


def _outside_defines(nodes: list[Node]) -> Iterator[Text | Action]:
    for node in nodes:
        if isinstance(node, Block):
            for branch in node.branches:
                yield from _outside_defines(branch.children)
        elif isinstance(node, Define):
            if node.inline:
                yield from _outside_defines(node.children)
        else:
            yield node

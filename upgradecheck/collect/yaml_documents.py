"""The documents of one manifest text (YAML or JSON), each with the line its object starts on.

Speed matters here (a CI scan may read tens of thousands of files), so a YAML text is cut
into documents at its column-0 `---`/`...` markers by a regular expression, and each
document is parsed alone with libyaml (`collect.yaml_loader`, which also builds the values
faster than PyYAML does). That keeps a broken document from hiding the others in its file,
and gives each document's start line without reading marks: the line of its `apiVersion:`
key is found by a second regular expression. Only for `kind: List` documents are the node
graph's marks read, to learn the line of every item.

Hostile input stays bounded: alias expansion ("billion laughs"), recursive aliases and
very deep nesting are refused with a `DocumentProblem`, never raised or expanded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from upgradecheck.collect.yaml_loader import load_node
from upgradecheck.model import CoverageNote

MAX_DEPTH = 200
"""Deepest nesting accepted. Far beyond any real object (CRD schemas reach ~40), and far
below Python's recursion limit, so later stages (JSON output, checks) can walk any body."""

MAX_DOCUMENTS = 50_000
"""Most documents read from one text, and items from one JSON array: more than a file
within the size limit holds in practice, and a bound on what a file of millions of tiny
documents (`{}` repeated) costs: a few seconds, not minutes."""

MAX_DOCUMENT_VALUES = 1_000_000
"""Most lines plus commas in one YAML document: a bound on its values, known before it is
parsed. The parser keeps ~500 bytes per value, so a 16 MiB document of `- 1` lines would
take gigabytes; a real object, or a `kubectl get -o yaml` List at the size limit, has
fewer (JSON, read by a leaner parser, is not bounded so)."""

MAX_ALIAS_EXPANSION = 1_000_000
"""How many nodes YAML aliases may add to a document once expanded (billion-laughs guard)."""

# A line that holds YAML content: not blank, not a comment, not a directive and not a
# bare `---` marker (which may carry a comment). Anything else starts a document's body.
# A line that is not blank, a comment, a directive or a bare marker: a chunk without one
# holds no document (a stray `...` after a `...` ends nothing, as YAML readers take it).
_CONTENT_LINE = re.compile(
    r"^(?![ \t]*(?:#.*)?\r?$)(?!%)(?!(?:---|\.\.\.)[ \t]*(?:#.*)?\r?$)", re.M
)
_JSON_API_VERSION_KEY = re.compile(r'"apiVersion"\s*:')
# A string (passed over whole: it may hold brackets) or a bracket.
_JSON_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"(\s*:)?|[\[\]{}]')
_UNDECODABLE = re.compile("[\udc80-\udcff]")


class _LineStart:
    """A pattern that matches only at the start of a line, searched fast.

    Python's `re` tries a MULTILINE `^` at every position, so a failing search costs ~10x
    a `\n`-led one; this searches for `\n` + pattern and tries the text's start alone.
    """

    def __init__(self, pattern: str) -> None:
        # MULTILINE only so that a `$` in the pattern means the end of its line.
        self._first = re.compile(pattern, re.M)
        self._later = re.compile("\n(?:" + pattern + ")", re.M)

    def find(self, text: str) -> int:
        """The offset of the first line that starts with a match, or -1."""
        if self._first.match(text):
            return 0
        found = self._later.search(text)
        return found.start() + 1 if found else -1

    def find_all(self, text: str) -> Iterator[int]:
        """The offsets of all lines that start with a match."""
        if self._first.match(text):
            yield 0
        for found in self._later.finditer(text):
            yield found.start() + 1

    def line(self, text: str) -> str | None:
        """The first matching line's first group (its whole match when it has none)."""
        offset = self.find(text)
        found = self._first.match(text, offset) if offset >= 0 else None
        return found.group(found.lastindex or 0) if found else None


# A document marker is `---` or `...` at column 0 followed by a blank or the end of line.
_MARKER = _LineStart(r"(?:---|\.\.\.)(?=[ \t\r\n]|\Z)")
_API_VERSION_KEY = _LineStart(r"""["']?apiVersion["']?[ \t]*:""")
_HELM_SOURCE = _LineStart(r"# Source: (.+?)[ \t]*\r?$")
# Only documents whose column-0 `kind` ends in `List` pay for composing a node graph.
_LIST_KIND = _LineStart(r"""kind[ \t]*:[ \t]*["']?\w*List["']?[ \t]*(?:#.*)?\r?$""")

# Depth bound without walking (see _check_limits): a block collection nests only by
# starting at a larger column, so depth <= 2 * (indent + 1) + flow brackets + 1. Below
# both thresholds that is at most 2 * 60 + 60 = 180 < MAX_DEPTH.
_WALK_BRACKETS = 60
_DEEP_INDENT = _LineStart(r"[ \t?:-]{60}")


@dataclass(frozen=True)
class Chunk:
    """The text of one YAML document and the 1-based line it starts on in its file."""

    start_line: int
    """The file line of the chunk's first line."""
    text: str
    """The document's text, including its `---` marker and leading comments."""


@dataclass(frozen=True)
class Document:
    """One parsed, non-empty document."""

    line: int
    """The line of its `apiVersion` key (else its first content line), 1-based."""
    data: Any
    """The parsed value: JSON-compatible (timestamps and binary stay strings)."""
    template_source: str | None = None
    """The template it was rendered from, from a `helm template` `# Source:` comment."""
    item_lines: tuple[int, ...] = ()
    """For a `kind: *List` document: the line of each entry of `items`, when known."""


@dataclass(frozen=True)
class DocumentProblem:
    """A document (or a whole file) that could not be read."""

    line: int
    """The 1-based line of the problem."""
    message: str
    """What is wrong, short and free of the document's content."""
    unrendered_template: bool = False
    """The text holds `{{ }}` template actions: a chart template, not a manifest."""
    mentions_api_version: bool = True
    """The text names an `apiVersion`: it was meant to be a Kubernetes object."""
    rest_unread: bool = False
    """Not one document's problem: the rest of the text was not read (too many documents)."""


class _LimitExceeded(Exception):
    """A document is too deep or expands too much to be accepted."""


def is_list(data: Any) -> bool:
    """True for a `kind: List` (or `FooList`) object: a mapping with an `items` sequence."""
    if not isinstance(data, dict):
        return False
    kind = data.get("kind")
    return isinstance(kind, str) and kind.endswith("List") and isinstance(data.get("items"), list)


def split_documents(text: str) -> list[Chunk]:
    """Cut a YAML stream into one chunk per document, keeping each chunk's start line.

    Comments, directives and blank lines before a `---` stay with the document it opens
    (so a `helm template` `# Source:` line belongs to its object); a `...` marker closes
    its document. Column-0 markers always end a document in YAML, so the cut is exact.
    """
    return list(iter_chunks(text))


def iter_chunks(text: str) -> Iterator[Chunk]:
    """The chunks of `split_documents`, one at a time: a reader that stops early (a text of
    millions of tiny documents) does not pay for cutting the rest."""
    if "---" not in text and "..." not in text:
        yield Chunk(1, text)
        return
    start, start_line, line, counted = 0, 1, 1, 0
    has_marker = False  # the current chunk already holds its `---`
    for pos in _MARKER.find_all(text):
        line += text.count("\n", counted, pos)
        counted = pos
        if text.startswith("---", pos):
            # A chunk of only comments and no marker yet is this document's preamble.
            if has_marker or _CONTENT_LINE.search(text, start, pos):
                yield Chunk(start_line, text[start:pos])
                start, start_line = pos, line
            has_marker = True
            continue
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end + 1
        yield Chunk(start_line, text[start:end])
        start, start_line, has_marker = end, line + 1, False
    yield Chunk(start_line, text[start:])


def iter_yaml_documents(text: str, *, lossy: bool = False) -> Iterator[Document | DocumentProblem]:
    """Every non-empty document of a YAML text, or the problem that stopped it.

    `lossy` says the text was decoded with `surrogateescape` because some bytes were not
    UTF-8: the documents holding such bytes are reported, the others still parsed.
    """
    for count, chunk in enumerate(iter_chunks(text)):
        if count == MAX_DOCUMENTS:
            yield too_many(chunk.start_line, "documents")
            return
        outcome = parse_chunk(chunk, lossy=lossy)
        if outcome is not None:
            yield outcome


def too_many(line: int, what: str) -> DocumentProblem:
    """The problem of a text holding more than MAX_DOCUMENTS documents (or items)."""
    return DocumentProblem(
        line, f"more than {MAX_DOCUMENTS:,} {what}: the rest not read", rest_unread=True
    )


def parse_chunk(chunk: Chunk, *, lossy: bool = False) -> Document | DocumentProblem | None:
    """Parse one document; None when it holds nothing (only comments or markers)."""
    text = chunk.text
    if not _CONTENT_LINE.search(text):
        return None  # only comments and markers: no need to start a parser
    bad = _UNDECODABLE.search(text) if lossy else None
    if bad:
        return DocumentProblem(_line_at(chunk, bad.start()), "not valid UTF-8 text")
    if len(text) > MAX_DOCUMENT_VALUES and text.count("\n") + text.count(",") > MAX_DOCUMENT_VALUES:
        return DocumentProblem(
            object_line(chunk),
            f"more than {MAX_DOCUMENT_VALUES:,} lines and values in one document: not read",
        )
    try:
        if _LIST_KIND.find(text) >= 0:
            data, item_lines = _load_list(chunk)
        else:
            data, item_lines = load_node(text)[1], ()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = chunk.start_line + mark.line if mark else chunk.start_line
        return _problem(chunk, line, _yaml_message(exc))
    except yaml.YAMLError as exc:
        return _problem(chunk, chunk.start_line, str(exc).splitlines()[0])
    except (ValueError, LookupError, TypeError, OverflowError):
        # PyYAML's constructors raise these bare for bad explicit tags (`!!int x`) and for
        # integers longer than Python accepts (4300 digits). Their text quotes the value.
        return _problem(chunk, object_line(chunk), "YAML error: a value cannot be read")
    except RecursionError:
        return DocumentProblem(chunk.start_line, f"nested more than {MAX_DEPTH} levels deep")
    if data is None:
        return None
    line = object_line(chunk)
    try:
        _check_limits(data, text)
    except _LimitExceeded as exc:
        return DocumentProblem(line, str(exc))
    return Document(line, data, _template_source(text), item_lines)


def object_line(chunk: Chunk) -> int:
    """The line of the chunk's column-0 `apiVersion:` key, else of its first content."""
    text = chunk.text
    offset = _API_VERSION_KEY.find(text)
    if offset < 0:
        found = _CONTENT_LINE.search(text)
        offset = found.start() if found else 0
    return _line_at(chunk, offset)


def iter_json_documents(text: str) -> Iterator[Document | DocumentProblem]:
    """The document(s) of a JSON text: one object, a `kind: List`, or an array of objects.

    Lines are found by a light scan for `"apiVersion"` keys: the object's own key (not a
    nested object's) for a single object; for a List or an array, each element's own key
    (or its `{`).
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield DocumentProblem(exc.lineno, f"JSON error: {exc.msg}", False, "apiVersion" in text)
        return
    except ValueError:  # an integer longer than Python accepts (4300 digits)
        yield DocumentProblem(1, "JSON error: a value cannot be read")
        return
    except RecursionError:
        yield DocumentProblem(1, f"nested more than {MAX_DEPTH} levels deep")
        return
    try:
        _check_limits(data, text)
    except _LimitExceeded as exc:
        yield DocumentProblem(1, str(exc))
        return
    if isinstance(data, list):
        if len(data) > MAX_DOCUMENTS:
            # Refused whole: finding the elements' lines would read all of them.
            yield DocumentProblem(1, f"more than {MAX_DOCUMENTS:,} array elements: not read")
            return
        lines = _json_element_lines(text, in_items=False)
        for index, element in enumerate(data):
            if element is not None:
                yield Document(_nth(lines, index, 1), element)
    elif data is not None:
        yield _json_document(text, data)


def _json_document(text: str, data: Any) -> Document:
    lines = _json_element_lines(text, in_items=True) if is_list(data) else ()
    return Document(_json_top_key_line(text), data, None, lines)


def _json_top_key_line(text: str) -> int:
    """The line of the top-level object's own `apiVersion` key (1 when it has none): not
    one of a nested object (`ownerReferences`, a List's metadata) written before it."""
    depth, scanned = 0, 0
    for found in _JSON_API_VERSION_KEY.finditer(text):
        # Only the brackets up to each candidate are counted; in valid JSON a candidate
        # (a quoted key and a colon) cannot lie inside a string.
        for token in _JSON_BRACKET.finditer(text, scanned, found.start()):
            bracket = token.group()
            if bracket in "{[":
                depth += 1
            elif bracket in "]}":
                depth -= 1
        scanned = found.start()
        if depth == 1:
            return _line_of(text, found.start())
    return 1


def _json_element_lines(text: str, *, in_items: bool) -> tuple[int, ...]:
    """Lines of the objects in a top-level array, or in a top-level object's `items`.

    One pass over string and bracket tokens, tracking the container path; each element's
    line is its `apiVersion` key's when it has one at its own level, else its `{`'s.
    """
    element_path = ("{", "[items") if in_items else ("[",)
    path: list[str] = []
    key: str | None = None
    starts: list[int] = []
    api_keys: dict[int, int] = {}
    for token in _JSON_TOKEN.finditer(text):
        value = token.group()
        if value[0] == '"':
            # A key when followed by a colon; any other string is a value.
            key = value[: value.rindex('"') + 1] if token.group(1) else None
            if key == '"apiVersion"' and tuple(path[:-1]) == element_path and starts:
                api_keys.setdefault(len(starts) - 1, token.start())
        elif value in "{[":
            if value == "{" and tuple(path) == element_path:
                starts.append(token.start())
            path.append("[items" if value == "[" and key == '"items"' else value)
            key = None
        else:
            key = None
            if path:
                path.pop()
    positions = [api_keys.get(i, start) for i, start in enumerate(starts)]
    return _lines_of(text, positions)


def _load_list(chunk: Chunk) -> tuple[Any, tuple[int, ...]]:
    # Composing costs more than loading, so only List documents are composed: their
    # node graph gives the line of each item.
    node, data = load_node(chunk.text)
    if not is_list(data) or not isinstance(node, yaml.MappingNode):
        return data, ()
    return data, tuple(chunk.start_line + line for line in _item_node_lines(node))


def _item_node_lines(node: yaml.MappingNode) -> list[int]:
    for key, value in node.value:
        is_items = isinstance(key, yaml.ScalarNode) and key.value == "items"
        if is_items and isinstance(value, yaml.SequenceNode):
            return [_mapping_api_line(item) for item in value.value]
    return []


def _mapping_api_line(node: yaml.Node) -> int:
    if isinstance(node, yaml.MappingNode):
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "apiVersion":
                return int(key.start_mark.line)
    return int(node.start_mark.line)


def _check_limits(data: Any, text: str) -> None:
    """Refuse alias bombs, recursive aliases and over-deep nesting, walking only if needed.

    Aliases (an anchor `&` and an alias `*` both present) can share and nest values
    arbitrarily, so such documents are always walked. Without them the nesting depth is
    bounded by the indentation and the number of flow brackets, so documents that are
    shallow and bracket-poor by those measures (nearly all) are not walked at all.
    """
    if "&" in text and "*" in text:
        _ExpansionMeter().measure(data)
    elif text.count("[") + text.count("{") >= _WALK_BRACKETS or _DEEP_INDENT.find(text) >= 0:
        _check_depth(data, 0)


def _check_depth(value: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise _LimitExceeded(f"nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, dict):
        for child in value.values():
            if isinstance(child, (dict, list)):
                _check_depth(child, depth + 1)
    elif isinstance(value, list):
        for child in value:
            if isinstance(child, (dict, list)):
                _check_depth(child, depth + 1)


class _ExpansionMeter:
    """Measures a value as if its YAML aliases were expanded, visiting shared values once.

    Size and height are memoised per container, so a billion-laughs document costs as
    much as its text, and a chain of aliases that nests deeper at each link is caught
    even though each link is walked only once.
    """

    def __init__(self) -> None:
        self.measured: dict[int, tuple[int, int]] = {}
        """(expanded size, height) of each container already measured, by id."""
        self.open: set[int] = set()
        """Containers being measured: meeting one again means a recursive alias."""
        self.unique = 0
        """Values in the document as written (each shared value counted once)."""

    def measure(self, value: Any, depth: int = 0) -> tuple[int, int]:
        """(node count once expanded, nesting height) of `value`, which sits at `depth`.

        Raises _LimitExceeded for recursion, too much expansion or too deep nesting.
        """
        if not isinstance(value, (dict, list)):
            return 1, 0
        ident = id(value)
        if ident in self.open:
            raise _LimitExceeded("recursive YAML alias (a value that contains itself)")
        if depth > MAX_DEPTH:
            raise _LimitExceeded(f"nested more than {MAX_DEPTH} levels deep")
        known = self.measured.get(ident)
        if known is None:
            known = self._measure_new(ident, value, depth)
        if depth + known[1] > MAX_DEPTH:
            raise _LimitExceeded(f"nested more than {MAX_DEPTH} levels deep")
        return known

    def _measure_new(
        self, ident: int, value: dict[Any, Any] | list[Any], depth: int
    ) -> tuple[int, int]:
        self.open.add(ident)
        children = list(value.values() if isinstance(value, dict) else value)
        self.unique += 1 + sum(1 for child in children if not isinstance(child, (dict, list)))
        size, height = 1, 0
        for child in children:
            child_size, child_height = self.measure(child, depth + 1)
            size, height = size + child_size, max(height, child_height + 1)
        self.open.discard(ident)
        self.measured[ident] = (size, height)
        if size - self.unique > MAX_ALIAS_EXPANSION:
            raise _LimitExceeded(
                f"YAML aliases expand to more than {MAX_ALIAS_EXPANSION:,} extra values "
                "(an alias bomb?)"
            )
        return size, height


def _problem(chunk: Chunk, line: int, message: str) -> DocumentProblem:
    """A parse failure, marked with what the text looks like it was meant to be."""
    text = chunk.text
    return DocumentProblem(line, message, "{{" in text, "apiVersion" in text)


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    # The problem ("mapping values are not allowed here") without the parser's position
    # lines or snippet: the caller gives the position, and a snippet could leak content.
    parts = [part for part in (exc.context, exc.problem) if part]
    return "YAML error: " + ("; ".join(parts) if parts else "cannot parse")


def _template_source(text: str) -> str | None:
    if "# Source:" not in text:
        return None
    return _HELM_SOURCE.line(text)


def _line_at(chunk: Chunk, pos: int) -> int:
    return chunk.start_line + chunk.text.count("\n", 0, pos)


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _lines_of(text: str, positions: list[int]) -> tuple[int, ...]:
    """1-based lines of increasing offsets, counting newlines once overall."""
    lines: list[int] = []
    line, counted = 1, 0
    for pos in positions:
        line += text.count("\n", counted, pos)
        counted = pos
        lines.append(line)
    return tuple(lines)


def _nth(values: tuple[int, ...], index: int, default: int) -> int:
    return values[index] if index < len(values) else default


def first_mapping(text: str, where: str, notes: list[CoverageNote]) -> dict[str, Any]:
    """The first document of `text` as a mapping (empty when it is not one). A document that
    cannot be parsed is an input error noted against `where`."""
    for outcome in iter_yaml_documents(text):
        if isinstance(outcome, Document):
            return outcome.data if isinstance(outcome.data, dict) else {}
        notes.append(CoverageNote(where, f"{where}:{outcome.line}: {outcome.message}", "error"))
        return {}
    return {}

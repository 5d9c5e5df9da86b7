"""From a text's documents to Kubernetes objects, each with the file and line it was written
at (or the place a build names), and what the text added to the scan's counters.

A document that is not an object (a values file, a CI workflow) is counted as skipped; a
document that cannot be parsed is an input error; a chart template read as a plain file is
noted once per file as unrendered.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from upgradecheck.collect.binaries import Placement, Stream
from upgradecheck.collect.files.walk import STDIN_NAME
from upgradecheck.collect.sanitize import trim_object
from upgradecheck.collect.yaml_documents import (
    MAX_DOCUMENTS,
    Document,
    DocumentProblem,
    is_list,
    iter_json_documents,
    iter_yaml_documents,
    too_many,
)
from upgradecheck.model import CoverageNote, Evidence, EvidenceSource, ObjectRef, ObservedObject

MAX_PROBLEMS_NOTED = 20
"""Problems of one file noted one by one; the rest are counted in one more note, so that a
file of thousands of broken documents does not flood the report."""

_MakeObject = Callable[[Any, int, str | None], ObservedObject | None]
"""(parsed value, its line, its helm `# Source:`) → the object, or None when it is not one."""


@dataclass(frozen=True)
class Found:
    """What one input added to a scan."""

    objects: Sequence[ObservedObject] = ()
    """Its Kubernetes objects, in order."""
    notes: Sequence[CoverageNote] = ()
    """What could not be read, or not fully."""
    stats: Mapping[str, int] = field(default_factory=dict)
    """Counters to add to the snapshot's (`documents`, `skipped_documents`, ...)."""


def file_objects(display: str, text: str, bad_line: int | None) -> Found:
    """The objects of a file's (or stdin's) text, each at `display:line`.

    `bad_line` is the first line that is not UTF-8: the documents holding such bytes are
    reported, the others still read.
    """

    def make(data: Any, line: int, source: str | None) -> ObservedObject | None:
        detail = f"helm template source: {source}" if source else ""
        return _observed(data, f"{display}:{line}", detail)

    found = _read(display, _documents(display, text, bad_line), make, templates=True)
    if found.stats["documents"] or found.notes:
        return found
    # Empty, whitespace, a byte-order mark, comments, `null` or `[]`: nothing to scan and
    # nothing missed, but said, so that a file expected to hold objects is not passed over
    # in silence.
    reason = f"{display}: skipped: no documents (empty, or only whitespace, comments or null)"
    return Found(notes=(CoverageNote(display, reason, "note"),), stats=found.stats)


def stream_objects(stream: Stream) -> Found:
    """The objects of a client's output, each placed where its stream says."""

    def make(data: Any, line: int, source: str | None) -> ObservedObject | None:
        placed: Placement = stream.place(source, data, line)
        return _observed(placed.data, placed.location, placed.detail)

    return _read(stream.name, iter_yaml_documents(stream.text), make, templates=False)


def object_ref(data: Any) -> ObjectRef | None:
    """The ObjectRef of a parsed object, or None when it has no apiVersion and kind strings."""
    if not isinstance(data, dict):
        return None
    api_version, kind = data.get("apiVersion"), data.get("kind")
    if not (isinstance(api_version, str) and api_version and isinstance(kind, str) and kind):
        return None
    metadata = data.get("metadata")
    if not isinstance(metadata, dict):
        metadata = {}
    namespace = metadata.get("namespace")
    name = metadata.get("name") or metadata.get("generateName") or "<unnamed>"
    return ObjectRef(api_version, kind, str(namespace) if namespace else None, str(name))


def _read(
    name: str,
    outcomes: Iterable[Document | DocumentProblem],
    make: _MakeObject,
    *,
    templates: bool,
) -> Found:
    """Every object of the documents; with `templates`, unrendered chart templates are one
    `skipped` note for the whole text instead of an error each."""
    objects: list[ObservedObject] = []
    notes: list[CoverageNote] = []
    documents = skipped = unnoted = 0
    template_lines: list[int] = []
    for outcome in outcomes:
        if isinstance(outcome, DocumentProblem):
            if templates and outcome.unrendered_template:
                template_lines.append(outcome.line)
                continue
            if outcome.rest_unread:
                notes.append(_problem_note(name, outcome))
                continue
            documents += 1
            if len(notes) < MAX_PROBLEMS_NOTED:
                notes.append(_problem_note(name, outcome))
            else:
                unnoted += 1
            continue
        documents += 1
        for index, (data, line) in enumerate(_values(outcome)):
            if index == MAX_DOCUMENTS:
                notes.append(_problem_note(name, too_many(line, "List items")))
                break
            found = make(data, line, outcome.template_source)
            if found is None:
                skipped += 1
            else:
                objects.append(found)
    if unnoted:
        notes.append(CoverageNote(
            name, f"{name}: {unnoted:,} more documents cannot be read (the first "
            f"{MAX_PROBLEMS_NOTED} are listed)", "error",
        ))
    if template_lines:
        documents += len(template_lines)
        skipped += len(template_lines)
        notes.append(_templates_note(name, template_lines))
    return Found(objects, notes, {"documents": documents, "skipped_documents": skipped})


def _values(document: Document) -> Iterator[tuple[Any, int]]:
    """The values a document holds, with their lines: each item of a `kind: List` (or
    `FooList`) at its own line, else the document itself."""
    data = document.data
    if not is_list(data):
        yield data, document.line
        return
    defaults = _typed_list_defaults(data)
    lines = document.item_lines
    for index, item in enumerate(data["items"]):
        if defaults and isinstance(item, dict):
            item = {**defaults, **item}
        yield item, lines[index] if index < len(lines) else document.line


def _typed_list_defaults(data: dict[str, Any]) -> dict[str, str]:
    # Items of a typed list (`DeploymentList`) may omit apiVersion and kind: they are the
    # list's apiVersion and its kind without `List`.
    kind, api_version = data.get("kind", ""), data.get("apiVersion")
    if kind == "List" or not isinstance(api_version, str):
        return {}
    return {"apiVersion": api_version, "kind": kind.removesuffix("List")}


def _observed(data: Any, location: str, detail: str) -> ObservedObject | None:
    """A Kubernetes object at `location`; None when `data` is not one (no apiVersion and
    kind)."""
    ref = object_ref(data)
    if ref is None:
        return None
    evidence = Evidence(EvidenceSource.FILE, location, ref.api_version, detail)
    return ObservedObject(ref, (evidence,), trim_object(data))


def _documents(
    display: str, text: str, bad_line: int | None
) -> Iterator[Document | DocumentProblem]:
    if display.lower().endswith(".json") or (display == STDIN_NAME and _looks_like_json(text)):
        if not text.strip():
            return  # an empty JSON file holds no documents, as an empty YAML file
        if bad_line is not None:
            # JSON is read whole, so one bad byte spoils the file: report where it is.
            yield DocumentProblem(bad_line, "not valid UTF-8 text")
            return
        yield from iter_json_documents(text)
    else:
        yield from iter_yaml_documents(text, lossy=bad_line is not None)


def _looks_like_json(text: str) -> bool:
    # `kubectl get -o json | upgradecheck scan -`: JSON gives exact List item lines.
    start = text.lstrip()[:1]
    if start not in ("{", "["):
        return False
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False  # a YAML flow document, or broken: let the YAML reader say which
    return True


def _problem_note(name: str, problem: DocumentProblem) -> CoverageNote:
    """A document that could not be read: always an input error (exit code 2). Whether a
    broken document was meant as a Kubernetes object cannot be known, so none is assumed
    harmless; the reason says when it names no apiVersion, to help tell a broken values
    file from a broken manifest."""
    hint = "" if problem.mentions_api_version else " (names no apiVersion)"
    return CoverageNote(name, f"{name}:{problem.line}: {problem.message}{hint}", "error")


def _templates_note(display: str, lines: list[int]) -> CoverageNote:
    """One `skipped` note per file for its unrendered template documents: a Helm chart's
    `templates/` is not YAML until rendered, and the report should say so once per file."""
    count = f" ({len(lines)} documents)" if len(lines) > 1 else ""
    reason = (
        f"{display}:{lines[0]}: unrendered template ({{{{ }}}}){count}; scan the "
        "output of `helm template` or `kustomize build` instead"
    )
    return CoverageNote(display, reason, "skipped")

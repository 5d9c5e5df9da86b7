"""Reading and writing snapshots: the versioned JSON file of `docs/snapshot-format.md`
(gzip-compressed when the name ends in `.gz`)."""

from __future__ import annotations

import codecs
import gzip
import io
import json
import re
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from upgradecheck.codec import snapshot as codec
from upgradecheck.codec.reading import DecodeError
from upgradecheck.collect.sanitize import (
    allow_list_revision,
    reduce_body,
    unread_templates_dropped,
)
from upgradecheck.gcpause import gc_paused
from upgradecheck.model import SNAPSHOT_SCHEMA, ObservedObject, PodRun, Snapshot
from upgradecheck.safewrite import replacing

_SCHEMA_PREFIX = "upgradecheck.snapshot/v"
_SUPPORTED_MAJOR = 1
_BATCH = 1000
ALLOW_LIST_FIELD = "body_allow_list"
"""The header field that says every body was kept to the allow-list of that revision."""
ALLOW_LIST_REVISION = allow_list_revision()


class SnapshotError(Exception):
    """A snapshot file that cannot be read or written (exit code 2)."""


# ---- writing -------------------------------------------------------------------------------


def _chunks(snapshot: Snapshot, reduced: bool) -> Iterator[bytes]:
    """The snapshot's JSON, in pieces: the objects in batches, so that a large snapshot is
    never one string (and its bytes copy) in memory at once. Each object is written on a
    line of its own (JSON strings hold no raw newline, so the lines split safely), and with
    `reduced` the allow-list's revision before them (`body_allow_list`): a reader can then
    decode the objects in batches of lines and leave the bodies as they are."""
    doc = codec.snapshot_to_dict(replace(snapshot, objects=()))
    if reduced:
        doc = _with_allow_list(doc)
    head = json.dumps(doc, separators=(",", ":"))
    marker = '"objects":[]'
    before, after = head.split(marker, 1)
    yield (before + '"objects":[\n').encode("utf-8")
    encode = _fast_encoder() if snapshot.source == "cluster" else None
    for start in range(0, len(snapshot.objects), _BATCH):
        lines = [
            _json(codec.object_to_dict(o), encode)
            for o in snapshot.objects[start : start + _BATCH]
        ]
        yield (b",\n" if start else b"") + b",\n".join(lines)
    yield (("\n]" if snapshot.objects else "]") + after).encode("utf-8")


def _with_allow_list(doc: dict[str, Any]) -> dict[str, Any]:
    """`doc` with `body_allow_list` right before `objects` (a reader sees it first)."""
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if key == "objects":
            out[ALLOW_LIST_FIELD] = ALLOW_LIST_REVISION
        out[key] = value
    return out


def _fast_encoder() -> Callable[[Any], bytes]:
    import msgspec  # only a collection writes enough objects to need it

    return msgspec.json.Encoder().encode


def _json(value: Any, encode: Callable[[Any], bytes] | None) -> bytes:
    """`value` as compact JSON: by `encode` (msgspec, eight times as fast) when it writes
    what json writes, else by json. They write strings, integers and finite floats alike,
    up to escapes, and fail on what json writes otherwise (keys that are not strings, lone
    surrogates), except non-finite floats: msgspec writes them as null, json as NaN and
    Infinity, so an answer holding null is written by json. `encode` is used on bodies
    decoded from JSON only (a collection's), whose keys are strings: keys that are floats,
    which YAML manifests can hold, would be spelled differently."""
    if encode is not None:
        try:
            data = encode(value)
        except (TypeError, ValueError, RecursionError):
            pass
        else:
            if b"null" not in data:
                return data
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


def write_snapshot(snapshot: Snapshot, path: str | Path, *, reduced: bool = False) -> None:
    """Write `snapshot` to `path` (gzip when the name ends in `.gz`); an interrupted write
    leaves the earlier file at `path` whole. `reduced`: the caller vouches that every body
    is already kept to the allow-list (`reduce_body`), as the collector and `read_snapshot`
    keep them; the file says so, and a reader of the same allow-list does not reduce them
    again."""
    target = Path(path)
    try:
        with gc_paused(), replacing(target) as raw:
            if target.name.endswith(".gz"):
                # mtime=0 keeps the file byte-identical for identical snapshots.
                # Level 6, not GzipFile's 9: a third less CPU time for a 1% larger file.
                with gzip.GzipFile(
                    filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6
                ) as gz:
                    for chunk in _chunks(snapshot, reduced):
                        gz.write(chunk)
            else:
                for chunk in _chunks(snapshot, reduced):
                    raw.write(chunk)
    except OSError as exc:
        raise SnapshotError(f"cannot write snapshot {target}: {exc.strerror or exc}") from exc


# ---- reading -------------------------------------------------------------------------------


def _check_schema(schema: object, origin: str) -> None:
    if not isinstance(schema, str) or not schema.startswith(_SCHEMA_PREFIX):
        raise SnapshotError(
            f"{origin}: not an upgradecheck snapshot (schema {schema!r}, "
            f"expected {SNAPSHOT_SCHEMA!r})"
        )
    major = schema[len(_SCHEMA_PREFIX) :]
    if not major.isdigit():
        raise SnapshotError(f"{origin}: unknown snapshot schema {schema!r}")
    if int(major) > _SUPPORTED_MAJOR:
        raise SnapshotError(
            f"{origin}: snapshot schema {schema!r} was written by a newer upgradecheck; "
            f"this version reads {SNAPSHOT_SCHEMA!r}"
        )


def snapshot_from_dict(
    document: Any, origin: str = "snapshot", reduce: bool = True
) -> Snapshot:
    """Build a Snapshot from its JSON document; SnapshotError names any bad field. With
    `reduce` (the default) the bodies are kept to what the checks read, as the collector
    keeps them."""
    return _build(document, origin, reduce, None)


def _build(
    document: Any,
    origin: str,
    reduce: bool,
    read: codec.ObjectReader | None,
    told: _Told | None = None,
) -> Snapshot:
    """The Snapshot of `document` (its objects already built by `read`, when given, and
    what the reader gathered of them as it decoded them, when given)."""
    if not isinstance(document, dict):
        raise SnapshotError(f"{origin}: not a snapshot (expected a JSON object)")
    _check_schema(document.get("schema"), origin)
    try:
        snapshot = codec.snapshot_from_dict(document, origin, _keep(reduce), read)
    except DecodeError as exc:
        raise SnapshotError(str(exc)) from None
    if told is not None:
        snapshot.told_evidence_versions(told.versions).told_pod_runs(told.runs)
        snapshot.told_eventful_pods(told.eventful)
    if not reduce:
        return snapshot
    return unread_templates_dropped(snapshot)


def _keep(reduce: bool) -> codec.BodyFilter | None:
    """The allow-list the collector applies (`collect/sanitize.py`), when reading reduces."""
    return reduce_body if reduce else None


def read_snapshot(path: str | Path, reduce: bool = True) -> Snapshot:
    """Read a snapshot file (gzip-compressed or not, told apart by its first bytes), in
    pieces: the file is decompressed and decoded as it is read, each object built as soon
    as it is decoded, so that neither the file's text nor its decoded document is ever
    whole in memory. A file in the writer's line layout has its object lines decoded in
    batches (`_read_lines`); any other file, or one that batch decoding is not sure of, is
    read by the streaming parser. With `reduce` (the default) every body is kept to the
    allow-list, whatever wrote the file (a file whose header names this allow-list's
    revision already is)."""
    source = Path(path)
    try:
        handle = source.open("rb")
    except FileNotFoundError:
        raise SnapshotError(f"no such snapshot file: {source}") from None
    except IsADirectoryError:
        raise SnapshotError(f"{source} is a folder, not a snapshot file") from None
    except OSError as exc:
        raise SnapshotError(f"cannot read snapshot {source}: {exc.strerror or exc}") from exc
    with handle, gc_paused():
        fast = _read_lines(handle, str(source), reduce) if source.is_file() else None
    if fast is not None:
        with gc_paused():
            document, read, told = fast
            return _build(document, str(source), reduce, read, told)
    read = codec.ObjectReader(str(source), _keep(reduce))
    try:
        with source.open("rb") as handle, gc_paused():
            document = _Parser(_Text(handle), read).document()
    except FileNotFoundError:
        raise SnapshotError(f"no such snapshot file: {source}") from None
    except _Truncated as exc:
        raise SnapshotError(f"{source}: corrupt or truncated gzip data ({exc})") from None
    except IsADirectoryError:
        raise SnapshotError(f"{source} is a folder, not a snapshot file") from None
    except OSError as exc:
        raise SnapshotError(f"cannot read snapshot {source}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError:
        raise SnapshotError(f"{source}: not a snapshot (not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise SnapshotError(
            f"{source}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise SnapshotError(f"{source}: JSON nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of more digits than Python reads
        raise SnapshotError(f"{source}: not a snapshot ({exc})") from None
    with gc_paused():
        return _build(document, str(source), reduce, read)


# ---- the streaming reader ------------------------------------------------------------------

_PIECE = 1 << 20
_SPACE = re.compile(r"[ \t\n\r]*")
_SPACES = frozenset(" \t\n\r")


class _Truncated(Exception):
    """The gzip stream is corrupt or ends early."""


class _Raw:
    """The file's bytes in pieces: gunzipped when it starts with gzip's magic bytes (one or
    several members, as `gzip` writes and reads them)."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        first = handle.read(_PIECE)
        while 0 < len(first) < 2:  # gzip's two magic bytes decide, however the file reads
            more = handle.read(_PIECE)
            if not more:
                break
            first += more
        self._gzip = first[:2] == b"\x1f\x8b"
        self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if self._gzip else None
        self._pending = first

    def more(self) -> bytes | None:
        """The next piece of the file's (gunzipped) bytes, never empty, or None at the end."""
        while True:
            raw = self._pending if self._pending else self._handle.read(_PIECE)
            self._pending = b""
            if not raw:
                if self._inflate is not None and not self._inflate.eof:
                    raise _Truncated("the stream ends early")
                return None
            if self._inflate is None:
                return raw
            try:
                data = self._inflate.decompress(raw)
                while self._inflate.eof and self._inflate.unused_data:
                    rest = self._inflate.unused_data  # the next gzip member
                    self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
                    data += self._inflate.decompress(rest)
            except zlib.error as exc:
                raise _Truncated(str(exc)) from None
            if data:
                return data


class _Text:
    """The file's text in pieces: its bytes (`_Raw`) decoded as UTF-8."""

    def __init__(self, handle: BinaryIO) -> None:
        self._raw = _Raw(handle)
        self._decoder = codecs.getincrementaldecoder("utf-8")()

    def more(self) -> str | None:
        """The next piece of text (may be empty), or None at the end."""
        data = self._raw.more()
        if data is None:
            return self._decoder.decode(b"", final=True) or None
        return self._decoder.decode(data)


# The standard decoder's scanner: one JSON value from a position of a string, and where it
# ends (json.loads is this, plus a check that nothing follows).
_SCAN: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


class _Parser:
    """The top-level JSON object of a snapshot, read from `text` piece by piece: every field
    decoded whole except `objects`, whose items go one at a time to `read` (once the schema
    says it is a snapshot). Errors are json's own, at their line and column in the file."""

    def __init__(self, text: _Text, read: codec.ObjectReader) -> None:
        self._text = text
        self._read = read
        self._buf = ""
        self._pos = 0
        self._end = False
        self._line = 1  # the line, and its first offset, of the text already let go
        self._col = 0
        self.lists = 0
        """How many `objects` lists went to the reader (a later one replaces an earlier)."""

    # -- the buffer

    def _fill(self) -> bool:
        """Read another piece; False at the end. What was consumed is let go."""
        while not self._end:
            piece = self._text.more()
            if piece is None:
                self._end = True
                return False
            if piece:
                gone = self._buf[: self._pos]
                newlines = gone.count("\n")
                if newlines:
                    self._line += newlines
                    self._col = len(gone) - gone.rindex("\n") - 1
                else:
                    self._col += len(gone)
                self._buf = self._buf[self._pos :] + piece
                self._pos = 0
                return True
        return False

    def _error(self, message: str, pos: int) -> json.JSONDecodeError:
        """A JSONDecodeError at `pos` of the buffer, placed in the whole file."""
        error = json.JSONDecodeError(message, self._buf, pos)
        if error.lineno == 1:
            error.colno += self._col
        error.lineno += self._line - 1
        return error

    def _peek(self) -> str:
        """The next character that is not white space ("" at the end)."""
        while True:
            if self._pos < len(self._buf) and self._buf[self._pos] not in _SPACES:
                return self._buf[self._pos]  # compact JSON, as written: no space to skip
            self._pos = _SPACE.match(self._buf, self._pos).end()  # type: ignore[union-attr]
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._fill():
                return ""

    def _more(self) -> bool:
        """Read on until what is not yet consumed has doubled (or the text ends): a value
        that spans many pieces is then decoded again a few times, not once per piece."""
        wanted = 2 * (len(self._buf) - self._pos)
        grew = False
        while self._fill():
            grew = True
            if len(self._buf) - self._pos >= wanted:
                break
        return grew

    def _value(self) -> Any:
        """The JSON value at the current position, reading on until it is whole."""
        while True:
            try:
                value, end = _SCAN(self._buf, self._pos)
            except StopIteration as stop:
                if self._more():
                    continue
                raise self._error("Expecting value", stop.value) from None
            except json.JSONDecodeError as exc:
                if self._more():
                    continue
                raise self._error(exc.msg, exc.pos) from None
            if end == len(self._buf) and self._fill():
                continue  # a number may go on in the next piece
            self._pos = end
            return value

    def _expect(self, char: str, message: str) -> None:
        if self._peek() != char:
            raise self._error(message, self._pos)
        self._pos += 1

    # -- the document

    def document(self) -> Any:
        """The snapshot's top-level object, its objects given to the reader as they come
        (a top-level value that is not an object is decoded whole, for its error)."""
        first = self._peek()
        if first != "{":
            return self._whole()
        self._pos += 1
        doc: dict[str, Any] = {}
        if self._peek() == "}":
            self._pos += 1
        else:
            while True:
                if self._peek() != '"':
                    raise self._error(
                        "Expecting property name enclosed in double quotes", self._pos
                    )
                key = self._value()
                self._expect(":", "Expecting ':' delimiter")
                self._peek()
                if key == "objects" and self._peek() == "[" and _is_snapshot(doc):
                    doc.pop("objects", None)
                    self._objects()
                else:
                    doc[key] = self._value()
                if self._closed("}"):
                    break
        if self._peek():
            raise self._error("Extra data", self._pos)
        return doc

    def _objects(self) -> None:
        self.lists += 1
        self._read.objects.clear()
        self._read.count = 0
        self._pos += 1
        if self._peek() == "]":
            self._pos += 1
            return
        while True:
            self._peek()
            self._read.add(self._value())
            if self._closed("]"):
                return

    def _closed(self, close: str) -> bool:
        """Past the `,` that follows an item (False) or the `close` that ends them (True)."""
        following = self._peek()
        self._pos += 1
        if following == close:
            return True
        if following != ",":
            raise self._error("Expecting ',' delimiter", self._pos - 1)
        return False

    def _whole(self) -> Any:
        while self._fill():
            pass
        try:
            return json.loads(self._buf[self._pos :])
        except json.JSONDecodeError as exc:
            raise self._error(exc.msg, self._pos + exc.pos) from None


def _is_snapshot(doc: Mapping[str, Any]) -> bool:
    """Whether the fields read so far name a snapshot schema this reader knows (else the
    objects are decoded whole, and the schema's error comes first, as it always did)."""
    schema = doc.get("schema")
    if not isinstance(schema, str) or not schema.startswith(_SCHEMA_PREFIX):
        return False
    major = schema[len(_SCHEMA_PREFIX) :]
    return major.isdigit() and int(major) <= _SUPPORTED_MAJOR


# ---- the fast path: a file of object lines -------------------------------------------------

_OBJECTS = b'"objects":['
_REDUCED = b'"%s":"%s",%s' % (
    ALLOW_LIST_FIELD.encode(), ALLOW_LIST_REVISION.encode(), _OBJECTS
)
_ALWAYS_KEPT = frozenset({"Secret"})
_HEAD_LIMIT = 64 << 20  # a header (nodes, clients) longer than this is read the other way
_BATCH_LIMIT = 64 << 20  # likewise object lines that do not end in ",\n"


class _Told(NamedTuple):
    """What the fast path gathered of the objects while it decoded them."""

    versions: dict[str, set[str]]
    """The apiVersions their evidence names, by kind (`Snapshot.evidence_versions`)."""
    runs: list[PodRun]
    """The runs of the pods (`Snapshot.pod_runs`)."""
    eventful: list[ObservedObject]
    """The pods that are not `workloads.quiet` (`Snapshot.eventful_pods`)."""


_LinesRead = tuple[dict[str, Any], codec.ObjectReader, _Told]
"""What the fast path read: the document less its objects, the objects, what it gathered."""


def _read_lines(
    handle: BinaryIO, origin: str, reduce: bool
) -> _LinesRead | None:
    """The document and its objects of a file in the line layout `_chunks` writes (the
    header up to `"objects":[` on the first line, then one object a line, then the rest on
    a line that starts with `]`): the object lines decoded in batches by msgspec, the rest
    by the streaming parser. None, for the streaming reader to read the file from its
    start, when the file is not in that layout or anything in it may decode otherwise."""
    try:
        return _lines(_Raw(handle), origin, reduce)
    except (_Truncated, OSError, ValueError, RecursionError):
        return None


def _lines(
    raw: _Raw, origin: str, reduce: bool
) -> _LinesRead | None:
    from upgradecheck.codec.lines import decode_lines

    buf = b""
    while (newline := buf.find(b"\n")) < 0:
        at = buf.find(_OBJECTS)
        if len(buf) > _HEAD_LIMIT or 0 <= at < len(buf) - len(_OBJECTS):
            return None  # an older file: the objects follow on the same line
        piece = raw.more()
        if piece is None:
            return None
        buf += piece
    head, buf = buf[:newline], buf[newline + 1 :]
    if not head.endswith(_OBJECTS):
        return None
    # Bodies the file says were kept to this very allow-list are not kept to it again (the
    # document must say so too, below), but Secrets' are: a header that lies (a hand-edited
    # file) may cost memory, never hold a Secret's data.
    reduced = head.endswith(_REDUCED)
    keep = _keep(reduce)
    kinds = _ALWAYS_KEPT if reduced else None
    objects: list[Any] = []
    versions: dict[str, set[str]] = {}
    runs: list[PodRun] = []
    eventful: list[ObservedObject] = []

    def decoded(*parts: bytes | memoryview) -> bool:
        """Decode the object lines `parts` joined (whole lines, without the comma after the
        last): False when they are not one or more objects msgspec is sure of."""
        done = decode_lines(
            b"".join((b"[", *parts, b"]")), keep, kinds, versions, runs, eventful
        )
        if not done:  # none: an empty element (`[\n,`, `,\n]`), a JSON error the other way
            return False
        objects.extend(done)
        return True

    # `rest`: the lines after the last batch decoded. A batch ends at the last ",\n" (its
    # comma left out); the objects end at the first line after it that starts with "]".
    # Only a ",\n" and "\n]" at the top level of the list leave a batch valid JSON (a
    # string holds no raw newline; one inside an object leaves a bracket open), so any
    # other cut fails the batch, and the file is read the other way. Each is searched for
    # in what was added since the last search; a new piece is decoded up to its last ",\n"
    # without being joined to `rest` first (one copy of it, into the batch).
    rest = buf
    searched = 0
    while True:
        cut = rest.rfind(b",\n", max(searched - 1, 0))
        if cut >= 0:
            if not decoded(memoryview(rest)[:cut]):
                return None
            rest, searched = rest[cut + 2 :], 0
        if rest[:1] == b"]":
            if objects:
                return None  # a comma before the `]`: JSON's error, the other way
            break
        end = rest.find(b"\n]", max(searched - 1, 0))
        if end >= 0:
            if not decoded(memoryview(rest)[:end]):
                return None
            rest = rest[end + 1 :]
            break
        if len(rest) > _BATCH_LIMIT:
            return None
        piece = raw.more()
        if piece is None:
            return None
        cut = piece.rfind(b",\n")
        if cut >= 0:
            if not decoded(rest, memoryview(piece)[:cut]):
                return None
            rest, searched = piece[cut + 2 :], 0
        else:
            rest, searched = rest + piece, len(rest)
    tail = [rest]
    while (piece := raw.more()) is not None:
        tail.append(piece)
    read = codec.ObjectReader(origin, _keep(reduce))
    parser = _Parser(_Text(io.BytesIO(head + b"".join(tail))), read)
    document = parser.document()
    if type(document) is not dict or "objects" in document or parser.lists != 1:
        return None  # the objects were not the one list of a snapshot
    if reduced and document.get(ALLOW_LIST_FIELD) != ALLOW_LIST_REVISION:
        return None
    read.objects = objects
    read.count = len(objects)
    return document, read, _Told(versions, runs, eventful)

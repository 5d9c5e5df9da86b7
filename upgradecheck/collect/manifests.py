"""The manifest source: Kubernetes YAML/JSON files, folders and stdin → a Snapshot.

`scan_manifests` is what `upgradecheck scan PATH...` runs. Every object keeps the file and
line it was written at (`Evidence(source=file, location="path:line")`), so a finding can
point at the line to change. Bad input is a value, not an exception: a malformed file or
document becomes a `CoverageNote` (kind `error`) and the rest is still scanned. Only a
path the user named that does not exist or cannot be read stops the scan (`ManifestError`).

With `BuildOptions`, a folder holding `Chart.yaml` is a Helm chart (`helm`) and one holding
`kustomization.yaml` is a kustomization (`kustomize`): built by helm or kubectl, or read by
their fallbacks, never also read as plain files.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import stat
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO

import upgradecheck
from upgradecheck.collect.binaries import BuildOptions, FolderOutput, Placement, Stream
from upgradecheck.collect.errors import SourceError
from upgradecheck.collect.helm.chart import CHART_FILE
from upgradecheck.collect.helm.render import read_chart
from upgradecheck.collect.kustomize import KUSTOMIZATION_FILES, read_kustomization
from upgradecheck.collect.sanitize import trim_object
from upgradecheck.collect.yaml_documents import (
    Document,
    DocumentProblem,
    is_list,
    iter_json_documents,
    iter_yaml_documents,
)
from upgradecheck.gcpause import gc_paused
from upgradecheck.model import (
    CoverageNote,
    Evidence,
    EvidenceSource,
    ObjectRef,
    ObservedObject,
    Snapshot,
)

DEFAULT_MAX_FILE_BYTES = 16 * 1024 * 1024
"""Files larger than this are reported, not read: manifests are far smaller."""

STDIN_PATH = "-"
"""The path argument that means standard input."""

STDIN_NAME = "<stdin>"
"""How standard input is named in evidence and coverage."""

_MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# O_NONBLOCK keeps a FIFO met while walking a folder from blocking the open (POSIX only).
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


class ManifestError(SourceError):
    """A path given to scan does not exist or cannot be read (bad input: exit code 2)."""


@dataclass(frozen=True)
class _Input:
    """One file (or stdin) to read."""

    display: str
    """The name shown in evidence: the path as given, joined with the path inside a folder."""
    fs_path: str | None
    """Where to open it; None for stdin."""
    named: bool
    """Named by the user (read whatever it is) rather than found in a folder."""


@dataclass(frozen=True)
class _Folder:
    """A chart or kustomization folder, read as a whole."""

    kind: str
    """`chart` or `kustomize`."""
    display: str
    """The folder as the scan names it."""
    fs_path: str
    """Where it is."""


class _Skipped(Exception):
    """A found file is not worth reading (FIFO, device, repeat): a `skipped` note or none."""


class _Unreadable(Exception):
    """A file's bytes are not text (binary, bad encoding) or are too many."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        """What is wrong."""
        self.line = line
        """Where, when it is one place in the file."""

    def reason(self, display: str) -> str:
        """The coverage reason: `path:line: message` (or `path: message`)."""
        where = display if self.line is None else f"{display}:{self.line}"
        return f"{where}: {self.message}"


@dataclass
class _Scan:
    """What has been found so far, filled file by file."""

    max_file_bytes: int
    objects: list[ObservedObject] = field(default_factory=list)
    coverage: list[CoverageNote] = field(default_factory=list)
    stats: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("files", "documents", "objects", "skipped_documents", "skipped_files"), 0
        )
    )
    seen_files: set[tuple[int, int]] = field(default_factory=set)
    consumed: set[tuple[int, int]] = field(default_factory=set)
    """Files and folders a kustomization build covered: not read again on the walk."""

    def note(self, subject: str, reason: str, kind: str) -> None:
        """Record something not seen, or not fully."""
        self.coverage.append(CoverageNote(subject=subject, reason=reason, kind=kind))

    def snapshot(self) -> Snapshot:
        """The finished Snapshot."""
        self.stats["objects"] = len(self.objects)
        return Snapshot(
            source="manifests",
            collected_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            objects=tuple(self.objects),
            coverage=tuple(self.coverage),
            stats=dict(self.stats),
            tool_version=upgradecheck.__version__,
        )


def scan_manifests(
    paths: Sequence[str],
    *,
    stdin: TextIO | None = None,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    build: BuildOptions | None = None,
) -> Snapshot:
    """Read the Kubernetes objects of files, folders (recursively) and `-` (stdin).

    Folders yield their `.yaml`, `.yml` and `.json` files in sorted order, skipping hidden
    entries (`.git`, `.github`, ...). Raises ManifestError when a named path does not exist
    or cannot be read; every other problem is a CoverageNote in the snapshot.

    With `build`, chart folders are rendered with helm and kustomization folders built with
    kubectl for `build.target` (or read by their fallbacks: see `helm`, `kustomize`);
    without it every folder is plain files.

    Stats: `files` read, non-empty `documents`, `objects`, `skipped_documents` (parsed but
    not Kubernetes objects: CI workflows, values files, ...), `skipped_files` (read without
    error but holding no Kubernetes object).
    """
    roots = _check_paths(paths)
    scan = _Scan(max_file_bytes)
    with gc_paused():
        for item in _inputs(roots, scan, build):
            if isinstance(item, _Folder):
                assert build is not None
                _scan_folder(scan, item, build)
            else:
                _scan_input(scan, item, stdin)
    return scan.snapshot()


def read_stdin(stream: TextIO, limit: int = DEFAULT_MAX_FILE_BYTES) -> bytes | str:
    """At most `limit + 1` units of stdin: bytes from its binary buffer when it has one
    (so encoding problems are reported like a file's), else the text stream's characters."""
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        data = buffer.read(limit + 1)
        if isinstance(data, bytes):
            return data
    return stream.read(limit + 1)


def _check_paths(paths: Sequence[str]) -> list[_Input]:
    """The named paths, each checked to exist and be readable before anything is scanned."""
    if not paths:
        raise ManifestError("no files or folders to scan")
    roots: list[_Input] = []
    for path in dict.fromkeys(paths):  # a path named twice is read once
        if path == STDIN_PATH:
            roots.append(_Input(STDIN_NAME, None, named=True))
            continue
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            raise ManifestError(f"no such file or folder: {path}") from None
        except OSError as exc:
            raise ManifestError(f"cannot read {path}: {exc.strerror}") from None
        wanted = os.R_OK | os.X_OK if stat.S_ISDIR(mode) else os.R_OK
        if not os.access(path, wanted):
            raise ManifestError(f"cannot read {path}: permission denied")
        roots.append(_Input(path, path, named=True))
    return roots


def _inputs(
    roots: list[_Input], scan: _Scan, build: BuildOptions | None
) -> Iterator[_Input | _Folder]:
    seen_dirs: set[tuple[int, int]] = set()
    for root in roots:
        if root.fs_path is not None and os.path.isdir(root.fs_path):
            yield from _walk(root.fs_path, root.display, scan, seen_dirs, build)
        else:
            yield root


def _walk(
    fs_root: str,
    display_root: str,
    scan: _Scan,
    seen_dirs: set[tuple[int, int]],
    build: BuildOptions | None,
) -> Iterator[_Input | _Folder]:
    """The manifest files under a folder, depth first in name order, each folder once.

    A stack of iterators rather than recursion: folder depth is the filesystem's to set.
    Folders are identified by device and inode, so a symbolic-link loop ends the descent.

    With `build`, a chart folder is yielded whole (its files are the chart's); a
    kustomization folder is yielded, then its subfolders are walked for what its build did
    not cover (its own files are the kustomization's). The caller reads each yielded folder
    before the walk goes on, so that `scan.consumed` is filled in time.
    """
    if not _first_visit(fs_root, seen_dirs):
        return
    stack: list[tuple[Iterator[tuple[os.DirEntry[str], str]], bool]] = []
    entries = _entries(fs_root, display_root, scan)
    special = _folder_kind(entries, build)
    if special is not None:
        yield _Folder(special, display_root, fs_root)
    if special != "chart":
        stack.append((iter(entries), special is None))
    while stack:
        listing, files_wanted = stack[-1]
        entry_pair = next(listing, None)
        if entry_pair is None:
            stack.pop()
            continue
        entry, display = entry_pair
        kind = _entry_kind(entry, display, scan)
        if kind == "dir":
            if scan.consumed and _key(entry.path) in scan.consumed:
                continue
            if _first_visit(entry.path, seen_dirs):
                entries = _entries(entry.path, display, scan)
                special = _folder_kind(entries, build)
                if special is not None:
                    yield _Folder(special, display, entry.path)
                if special != "chart":
                    stack.append((iter(entries), special is None))
            else:
                scan.note(
                    display, f"{display}: folder already scanned (symbolic link loop?)", "skipped"
                )
        elif kind == "file" and files_wanted:
            if scan.consumed and _key(entry.path) in scan.consumed:
                continue
            yield _Input(display, entry.path, named=False)


def _folder_kind(
    entries: list[tuple[os.DirEntry[str], str]], build: BuildOptions | None
) -> str | None:
    """`chart`, `kustomize` or None (plain files) from a folder's entries; always None
    without build options. Read from the listing, not by stat: every folder is asked."""
    if build is None:
        return None
    kind = None
    for entry, _ in entries:
        if entry.name == CHART_FILE and _is_file(entry):
            return "chart"
        if entry.name in KUSTOMIZATION_FILES and _is_file(entry):
            kind = "kustomize"
    return kind


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def _key(path: str) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino)


def _scan_folder(scan: _Scan, folder: _Folder, build: BuildOptions) -> None:
    """Build (or read) a chart or kustomization folder and add what it yields."""
    if folder.kind == "chart":
        out = read_chart(folder.fs_path, folder.display, build, scan.max_file_bytes)
    else:
        out = read_kustomization(folder.fs_path, folder.display, build)
    _add_folder_output(scan, out)


def _add_folder_output(scan: _Scan, out: FolderOutput) -> None:
    for path in out.consumed:
        key = _key(path)
        if key is not None:
            scan.consumed.add(key)
    scan.objects.extend(out.objects)
    scan.coverage.extend(out.notes)
    for name, value in out.stats.items():
        scan.stats[name] = scan.stats.get(name, 0) + value
    for display, fs_path in out.files:
        _scan_input(scan, _Input(display, fs_path, named=False), None)
    for stream in out.streams:
        _scan_stream(scan, stream)


def _scan_stream(scan: _Scan, stream: Stream) -> None:
    """Add the objects of a client's output, each placed where its stream says."""
    for outcome in iter_yaml_documents(stream.text):
        if isinstance(outcome, DocumentProblem):
            _add_problem(scan, stream.name, outcome)
            continue
        scan.stats["documents"] += 1
        data = outcome.data
        if is_list(data):
            defaults = _typed_list_defaults(data)
            lines = outcome.item_lines
            for index, item in enumerate(data["items"]):
                if defaults and isinstance(item, dict):
                    item = {**defaults, **item}
                line = lines[index] if index < len(lines) else outcome.line
                placed = stream.place(outcome.template_source, item, line)
                if not _add_placed(scan, placed):
                    scan.stats["skipped_documents"] += 1
        elif not _add_placed(scan, stream.place(outcome.template_source, data, outcome.line)):
            scan.stats["skipped_documents"] += 1


def _add_placed(scan: _Scan, placed: Placement) -> bool:
    """Add a built object at the place its build names; False when it is not an object."""
    ref = object_ref(placed.data)
    if ref is None:
        return False
    evidence = Evidence(EvidenceSource.FILE, placed.location, ref.api_version, placed.detail)
    scan.objects.append(ObservedObject(ref, (evidence,), trim_object(placed.data)))
    return True


def _entries(fs_dir: str, display_dir: str, scan: _Scan) -> list[tuple[os.DirEntry[str], str]]:
    try:
        with os.scandir(fs_dir) as found:
            entries = sorted(found, key=lambda entry: entry.name)
    except OSError as exc:
        scan.note(display_dir, f"{display_dir}: cannot read folder: {exc.strerror}", "error")
        return []
    # Hidden entries are skipped: .git, .github, editor and tool configs.
    return [(e, os.path.join(display_dir, e.name)) for e in entries if not e.name.startswith(".")]


def _entry_kind(entry: os.DirEntry[str], display: str, scan: _Scan) -> str | None:
    """`dir`, `file` (a manifest to read) or None (ignored, or noted as skipped)."""
    is_manifest = entry.name.lower().endswith(_MANIFEST_SUFFIXES)
    try:
        if entry.is_dir():
            return "dir"
        if entry.is_file():
            return "file" if is_manifest else None
    except OSError as exc:  # ELOOP from a link to itself, EACCES, ...
        if is_manifest:
            scan.note(display, f"{display}: skipped: {exc.strerror}", "skipped")
        return None
    if is_manifest:
        scan.note(display, f"{display}: skipped: {_special_kind(entry.path)}", "skipped")
    return None


def _special_kind(path: str) -> str:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return "broken symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO, not a regular file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a regular file"
    return "a device or other special file, not a regular file"


def _first_visit(path: str, seen: set[tuple[int, int]]) -> bool:
    try:
        info = os.stat(path)
    except OSError:
        return True  # cannot tell: scandir will report it if it cannot be read either
    key = (info.st_dev, info.st_ino)
    if key in seen:
        return False
    seen.add(key)
    return True


def _scan_input(scan: _Scan, item: _Input, stdin: TextIO | None) -> None:
    """Read one file (or stdin) and add its objects, or note why it could not be read."""
    display = item.display
    try:
        raw = _read(item, stdin, scan)
        scan.stats["files"] += 1
        text, bad_line = _decode(raw)
    except _Skipped as exc:
        if str(exc):
            scan.note(display, f"{display}: skipped: {exc}", "skipped")
        return
    except _Unreadable as exc:
        scan.note(display, exc.reason(display), "error")
        return
    except OSError as exc:
        scan.note(display, f"{display}: cannot read: {exc.strerror or exc}", "error")
        return
    objects_before, notes_before = len(scan.objects), len(scan.coverage)
    template_lines: list[int] = []
    for outcome in _documents(display, text, bad_line):
        if isinstance(outcome, Document):
            _add_document(scan, display, outcome)
        elif outcome.unrendered_template:
            template_lines.append(outcome.line)
        else:
            _add_problem(scan, display, outcome)
    if template_lines:
        _note_templates(scan, display, template_lines)
    clean = not any(note.is_input_error for note in scan.coverage[notes_before:])
    if len(scan.objects) == objects_before and clean:
        scan.stats["skipped_files"] += 1


def _read(item: _Input, stdin: TextIO | None, scan: _Scan) -> bytes | str:
    limit = scan.max_file_bytes
    if item.fs_path is None:
        data: bytes | str = read_stdin(stdin if stdin is not None else sys.stdin, limit)
    else:
        data = _read_file(item.fs_path, item.named, scan)
    if len(data) > limit:
        raise _Unreadable(f"larger than the {_size(limit)} limit; not scanned")
    return data


def _read_file(fs_path: str, named: bool, scan: _Scan) -> bytes:
    """The file's bytes, at most the limit + 1; a found non-regular file is not read."""
    # A named path (`<(helm template ...)`) may be a pipe: open it blocking, as asked.
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) if named else _OPEN_FLAGS
    # Unbuffered: one read of the known size, and no isatty() probe per file.
    with open(os.open(fs_path, flags), "rb", buffering=0) as handle:
        info = os.fstat(handle.fileno())
        if stat.S_ISREG(info.st_mode):
            key = (info.st_dev, info.st_ino)
            if key in scan.seen_files:
                raise _Skipped("")  # the same file reached twice: read once, say nothing
            scan.seen_files.add(key)
            if info.st_size > scan.max_file_bytes:
                raise _Unreadable(
                    f"larger than the {_size(scan.max_file_bytes)} limit "
                    f"({info.st_size:,} bytes); not scanned"
                )
            # Its size is known and within the limit: read() sizes its buffer from it,
            # where read(limit + 1) would allocate the whole limit for every file.
            return handle.read()
        if not named:
            raise _Skipped(_special_kind(fs_path))
        return _read_stream(handle, scan.max_file_bytes + 1)


def _read_stream(handle: io.RawIOBase, most: int) -> bytes:
    """Up to `most` bytes of a pipe or device: an unbuffered read returns what is there."""
    parts: list[bytes] = []
    wanted = most
    while wanted > 0:
        part = handle.read(min(wanted, 1 << 20))
        if not part:
            break
        parts.append(part)
        wanted -= len(part)
    return b"".join(parts)


def _decode(raw: bytes | str) -> tuple[str, int | None]:
    """The text, and the line of its first byte that is not UTF-8 (None when all are).

    Bytes that are not UTF-8 are kept as surrogate escapes, so that the YAML reader can
    still parse the documents that hold none.
    """
    if isinstance(raw, str):
        return raw.removeprefix("\ufeff"), None
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom) :].decode(codec), None
            except UnicodeDecodeError:
                raise _Unreadable(f"not valid {codec.upper()} text", 1) from None
    nul = raw.find(b"\0")
    if nul >= 0:
        raise _Unreadable("binary file (NUL byte), not text", raw.count(b"\n", 0, nul) + 1)
    try:
        return raw.decode("utf-8").removeprefix("\ufeff"), None
    except UnicodeDecodeError as exc:
        bad_line = raw.count(b"\n", 0, exc.start) + 1
        return raw.decode("utf-8", "surrogateescape").removeprefix("\ufeff"), bad_line


def _documents(
    display: str, text: str, bad_line: int | None
) -> Iterator[Document | DocumentProblem]:
    if display.lower().endswith(".json") or (display == STDIN_NAME and _looks_like_json(text)):
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


def _add_document(scan: _Scan, display: str, document: Document) -> None:
    scan.stats["documents"] += 1
    if is_list(document.data):
        _add_list(scan, display, document)
    elif not _add_object(scan, display, document.data, document.line, document.template_source):
        scan.stats["skipped_documents"] += 1


def _add_list(scan: _Scan, display: str, document: Document) -> None:
    """Each item of a `kind: List` (or `FooList`) as an object at its own line."""
    data = document.data
    defaults = _typed_list_defaults(data)
    lines = document.item_lines
    for index, item in enumerate(data["items"]):
        if defaults and isinstance(item, dict):
            item = {**defaults, **item}
        line = lines[index] if index < len(lines) else document.line
        if not _add_object(scan, display, item, line, document.template_source):
            scan.stats["skipped_documents"] += 1


def _typed_list_defaults(data: dict[str, Any]) -> dict[str, str]:
    # Items of a typed list (`DeploymentList`) may omit apiVersion and kind: they are the
    # list's apiVersion and its kind without `List`.
    kind, api_version = data.get("kind", ""), data.get("apiVersion")
    if kind == "List" or not isinstance(api_version, str):
        return {}
    return {"apiVersion": api_version, "kind": kind.removesuffix("List")}


def _add_object(scan: _Scan, display: str, data: Any, line: int, source: str | None) -> bool:
    """Add a Kubernetes object; False when `data` is not one (no apiVersion and kind)."""
    ref = object_ref(data)
    if ref is None:
        return False
    detail = f"helm template source: {source}" if source else ""
    evidence = Evidence(EvidenceSource.FILE, f"{display}:{line}", ref.api_version, detail)
    scan.objects.append(ObservedObject(ref, (evidence,), trim_object(data)))
    return True


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


def _add_problem(scan: _Scan, display: str, problem: DocumentProblem) -> None:
    """A document that could not be read: always an input error (exit code 2). Whether a
    broken document was meant as a Kubernetes object cannot be known, so none is assumed
    harmless; the reason says when it names no apiVersion, to help tell a broken values
    file from a broken manifest."""
    scan.stats["documents"] += 1
    hint = "" if problem.mentions_api_version else " (names no apiVersion)"
    scan.note(display, f"{display}:{problem.line}: {problem.message}{hint}", "error")


def _note_templates(scan: _Scan, display: str, lines: list[int]) -> None:
    """One `skipped` note per file for its unrendered template documents: a Helm chart's
    `templates/` is not YAML until rendered, and the report should say so once per file."""
    scan.stats["documents"] += len(lines)
    scan.stats["skipped_documents"] += len(lines)
    count = f" ({len(lines)} documents)" if len(lines) > 1 else ""
    reason = (
        f"{display}:{lines[0]}: unrendered template ({{{{ }}}}){count}; scan the "
        "output of `helm template` or `kustomize build` instead"
    )
    scan.note(display, reason, "skipped")


def _size(limit: int) -> str:
    mib = limit / (1024 * 1024)
    return f"{mib:g} MiB" if mib >= 1 else f"{limit:,}-byte"

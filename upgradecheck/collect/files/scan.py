"""The manifest source: Kubernetes YAML/JSON files, folders and stdin → a Snapshot.

`scan_manifests` is what `upgradecheck scan PATH...` runs. Every object keeps the file and
line it was written at (`Evidence(source=file, location="path:line")`), so a finding can
point at the line to change. Bad input is a value, not an exception: a malformed file or
document becomes a `CoverageNote` (kind `error`) and the rest is still scanned. Only a
path the user named that does not exist or cannot be read stops the scan (`ManifestError`).

With `BuildOptions`, a folder holding `Chart.yaml` is a Helm chart and one holding
`kustomization.yaml` is a kustomization: built by helm or kubectl, or read by their
fallbacks, never also read as plain files.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import TextIO

import upgradecheck
from upgradecheck.collect.binaries import BuildOptions, FolderOutput
from upgradecheck.collect.files.folders import read_folder
from upgradecheck.collect.files.objects import Found, file_objects, stream_objects
from upgradecheck.collect.files.read import FileText, Reader
from upgradecheck.collect.files.walk import FileInput, FolderInput, Walk, check_paths
from upgradecheck.collect.limits import DEFAULT_MAX_FILE_BYTES
from upgradecheck.gcpause import gc_paused
from upgradecheck.model import CoverageNote, ObservedObject, Snapshot

STATS = ("files", "documents", "objects", "skipped_documents", "skipped_files")
"""The counters every manifest snapshot has, in order (folders add their own after them)."""


def scan_manifests(
    paths: Sequence[str],
    *,
    stdin: TextIO | None = None,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    build: BuildOptions | None = None,
    root: str | None = None,
) -> Snapshot:
    """Read the Kubernetes objects of files, folders (recursively) and `-` (stdin).

    Folders yield their `.yaml`, `.yml` and `.json` files in sorted order, skipping hidden
    entries (`.git`, `.github`, ...). Raises ManifestError when a named path does not exist
    or cannot be read; every other problem is a CoverageNote in the snapshot.

    With `build`, chart folders are rendered with helm and kustomization folders built with
    kubectl for `build.target` (or read by their fallbacks: see `collect.helm`,
    `collect.kustomize`); without it every folder is plain files.

    Stats: `files` read, non-empty `documents`, `objects`, `skipped_documents` (parsed but
    not Kubernetes objects: CI workflows, values files, ...), `skipped_files` (read without
    error but holding no Kubernetes object).
    """
    walk = Walk(check_paths(paths, root), folders=build is not None, root=root)
    reader = Reader(max_file_bytes, stdin)
    with gc_paused():
        return _snapshot(_found(walk, reader, build))


def _found(walk: Walk, reader: Reader, build: BuildOptions | None) -> Iterator[Found]:
    """What each item of the walk adds, in order."""
    for item in walk:
        if isinstance(item, CoverageNote):
            yield Found(notes=(item,))
        elif isinstance(item, FolderInput):
            assert build is not None
            out = read_folder(
                item.kind, item.fs_path, item.display, build, reader.limit, item.tree
            )
            walk.cover(out.consumed)  # before the walk goes on
            yield from _folder_found(out, reader)
        else:
            yield _file_found(reader, item)


def _file_found(reader: Reader, item: FileInput) -> Found:
    """One file (or stdin): its objects, or why it could not be read."""
    read = reader.read(item)
    if not isinstance(read, FileText):
        notes = () if read.note is None else (read.note,)
        return Found(notes=notes, stats={"files": 1} if read.counted else {})
    found = file_objects(item.display, read.text, read.bad_line)
    skipped = not found.objects and not any(note.is_input_error for note in found.notes)
    stats = {**found.stats, "files": 1, "skipped_files": int(skipped)}
    return Found(found.objects, found.notes, stats)


def _folder_found(out: FolderOutput, reader: Reader) -> Iterator[Found]:
    """What a chart or kustomization folder gave: its own objects and notes, then the files
    it names read as plain files, then its built output."""
    yield Found(out.objects, out.notes, out.stats)
    for display, fs_path in out.files:
        yield _file_found(reader, FileInput(display, fs_path, named=False))
    for stream in out.streams:
        yield stream_objects(stream)


def _snapshot(found: Iterable[Found]) -> Snapshot:
    """The Snapshot of everything found, in order; counters summed."""
    objects: list[ObservedObject] = []
    notes: list[CoverageNote] = []
    stats = dict.fromkeys(STATS, 0)
    for one in found:
        objects.extend(one.objects)
        notes.extend(one.notes)
        for name, value in one.stats.items():
            stats[name] = stats.get(name, 0) + value
    stats["objects"] = len(objects)
    return Snapshot(
        source="manifests",
        collected_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        objects=tuple(objects),
        coverage=tuple(notes),
        stats=stats,
        tool_version=upgradecheck.__version__,
    )

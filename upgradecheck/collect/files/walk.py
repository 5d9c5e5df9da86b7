"""The inputs of a scan: the named paths checked, then walked into the files to read, the
chart and kustomization folders to build whole, and notes on what was passed over.

Folders yield their `.yaml`, `.yml` and `.json` files depth first in name order, skipping
hidden entries (`.git`, `.github`, ...); each folder is entered once, so a symbolic-link
loop ends the descent.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from upgradecheck.collect.errors import ManifestError
from upgradecheck.collect.files.folders import CHART, folder_kind
from upgradecheck.model import CoverageNote

STDIN_PATH = "-"
"""The path argument that means standard input."""

STDIN_NAME = "<stdin>"
"""How standard input is named in evidence and coverage."""

_MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")

_Entry = tuple[os.DirEntry[str], str]
"""A folder entry and its display name."""

_FileKey = tuple[int, int]
"""(device, inode): what makes a file or folder the same one when reached twice."""


@dataclass(frozen=True)
class FileInput:
    """One file (or stdin) to read."""

    display: str
    """The name shown in evidence: the path as given, joined with the path inside a folder."""
    fs_path: str | None
    """Where to open it; None for stdin."""
    named: bool
    """Named by the user (read whatever it is) rather than found in a folder."""


@dataclass(frozen=True)
class FolderInput:
    """A chart or kustomization folder, read as a whole."""

    kind: str
    """`chart` or `kustomize`."""
    display: str
    """The folder as the scan names it."""
    fs_path: str
    """Where it is."""


WalkItem = FileInput | FolderInput | CoverageNote
"""What a walk yields: a file to read, a folder to build, or a note on something skipped."""


def check_paths(paths: Sequence[str]) -> list[FileInput]:
    """The named paths, each checked to exist and be readable before anything is scanned."""
    if not paths:
        raise ManifestError("no files or folders to scan")
    roots: list[FileInput] = []
    for path in dict.fromkeys(paths):  # a path named twice is read once
        if path == STDIN_PATH:
            roots.append(FileInput(STDIN_NAME, None, named=True))
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
        roots.append(FileInput(path, path, named=True))
    return roots


class Walk:
    """The items under the named paths, in order.

    With `folders`, a chart folder is yielded whole (its files are the chart's), and a
    kustomization folder is yielded, then its subfolders are walked for what its build does
    not cover (its own files are the kustomization's). The caller builds each folder before
    it asks for the next item, and passes what the build covered to `cover`.
    """

    def __init__(self, roots: Sequence[FileInput], *, folders: bool) -> None:
        self._roots = roots
        self._folders = folders
        self._seen_dirs: set[_FileKey] = set()
        self._covered: set[_FileKey] = set()

    def cover(self, paths: Iterable[str]) -> None:
        """Files and folders a folder's build covered: not yielded later."""
        for path in paths:
            key = _key(path)
            if key is not None:
                self._covered.add(key)

    def __iter__(self) -> Iterator[WalkItem]:
        for root in self._roots:
            if root.fs_path is not None and os.path.isdir(root.fs_path):
                yield from self._walk(root.fs_path, root.display)
            else:
                yield root

    def _walk(self, fs_root: str, display_root: str) -> Iterator[WalkItem]:
        """One named folder, depth first in name order, each folder once.

        A stack of iterators rather than recursion: folder depth is the filesystem's to set.
        Folders are identified by device and inode, so a symbolic-link loop ends the descent.
        """
        if not _first_visit(fs_root, self._seen_dirs):
            return
        stack: list[tuple[Iterator[_Entry], bool]] = []
        yield from self._enter(fs_root, display_root, stack)
        while stack:
            listing, files_wanted = stack[-1]
            entry_pair = next(listing, None)
            if entry_pair is None:
                stack.pop()
                continue
            entry, display = entry_pair
            kind = _entry_kind(entry, display)
            if isinstance(kind, CoverageNote):
                yield kind
            elif kind == "dir":
                if self._covered and _key(entry.path) in self._covered:
                    continue
                if _first_visit(entry.path, self._seen_dirs):
                    yield from self._enter(entry.path, display, stack)
                else:
                    yield CoverageNote(
                        display, f"{display}: folder already scanned (symbolic link loop?)",
                        "skipped",
                    )
            elif kind == "file" and files_wanted:
                if self._covered and _key(entry.path) in self._covered:
                    continue
                yield FileInput(display, entry.path, named=False)

    def _enter(
        self, fs_dir: str, display: str, stack: list[tuple[Iterator[_Entry], bool]]
    ) -> Iterator[WalkItem]:
        """A folder met: the folder itself when it is built whole, and its entries pushed
        for walking unless it is a chart (whose files are all the chart's)."""
        entries, problem = _entries(fs_dir, display)
        if problem is not None:
            yield problem
        special = folder_kind(entry for entry, _ in entries) if self._folders else None
        if special is not None:
            yield FolderInput(special, display, fs_dir)
        if special != CHART:
            stack.append((iter(entries), special is None))


def _entries(fs_dir: str, display_dir: str) -> tuple[list[_Entry], CoverageNote | None]:
    try:
        with os.scandir(fs_dir) as found:
            entries = sorted(found, key=lambda entry: entry.name)
    except OSError as exc:
        note = CoverageNote(
            display_dir, f"{display_dir}: cannot read folder: {exc.strerror}", "error"
        )
        return [], note
    # Hidden entries are skipped: .git, .github, editor and tool configs.
    shown = [(e, os.path.join(display_dir, e.name)) for e in entries if not e.name.startswith(".")]
    return shown, None


def _entry_kind(entry: os.DirEntry[str], display: str) -> str | CoverageNote | None:
    """`dir`, `file` (a manifest to read), a note (a manifest skipped) or None (ignored)."""
    is_manifest = entry.name.lower().endswith(_MANIFEST_SUFFIXES)
    try:
        if entry.is_dir():
            return "dir"
        if entry.is_file():
            return "file" if is_manifest else None
    except OSError as exc:  # ELOOP from a link to itself, EACCES, ...
        if is_manifest:
            return CoverageNote(display, f"{display}: skipped: {exc.strerror}", "skipped")
        return None
    if is_manifest:
        return CoverageNote(display, f"{display}: skipped: {special_kind(entry.path)}", "skipped")
    return None


def special_kind(path: str) -> str:
    """What a path that is not a regular file or folder is, in words."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return "broken symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO, not a regular file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a regular file"
    return "a device or other special file, not a regular file"


def _key(path: str) -> _FileKey | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino)


def _first_visit(path: str, seen: set[_FileKey]) -> bool:
    key = _key(path)
    if key is None:
        return True  # cannot tell: scandir will report it if it cannot be read either
    if key in seen:
        return False
    seen.add(key)
    return True

"""The inputs of a scan: the named paths checked, then walked into the files to read, the
chart and kustomization folders to build whole, and notes on what was passed over.

Folders yield their `.yaml`, `.yml` and `.json` files depth first in name order, skipping
hidden entries (`.git`, `.github`, ...); each folder is entered once, so a symbolic-link
loop ends the descent. A named folder is a tree (`collect.contain`): a link inside it is
followed only when it leads to a place inside the tree (or inside `--root`), and files are
named by the walk with their real path, so the reader opens them without following links.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from upgradecheck.collect.contain import OUTSIDE, Tree, special_kind
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
    """Named by the user (read whatever it is) rather than found in a folder (opened only
    when it is a regular file, never through a symbolic link)."""


@dataclass(frozen=True)
class FolderInput:
    """A chart or kustomization folder, read as a whole."""

    kind: str
    """`chart` or `kustomize`."""
    display: str
    """The folder as the scan names it."""
    fs_path: str
    """Where it is."""
    tree: Tree
    """The tree it was found in: what it may read, and what helm or kubectl may."""


WalkItem = FileInput | FolderInput | CoverageNote
"""What a walk yields: a file to read, a folder to build, or a note on something skipped."""


def check_paths(paths: Sequence[str], root: str | None = None) -> list[FileInput]:
    """The named paths, each checked to exist and be readable (and to be inside `root`,
    when given) before anything is scanned."""
    if not paths:
        raise ManifestError("no files or folders to scan")
    tree = _root_tree(root)
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
        if tree is not None and tree.resolve(path) is None:
            raise ManifestError(f"{path} is not inside --root {root}")
        roots.append(FileInput(path, path, named=True))
    return roots


def _root_tree(root: str | None) -> Tree | None:
    if root is None:
        return None
    if not os.path.isdir(root):
        raise ManifestError(f"--root {root}: not a folder")
    return Tree.of(root)


class Walk:
    """The items under the named paths, in order.

    With `folders`, a chart folder is yielded whole (its files are the chart's), and a
    kustomization folder is yielded, then its subfolders are walked for what its build does
    not cover (its own files are the kustomization's). The caller builds each folder before
    it asks for the next item, and passes what the build covered to `cover`.

    Each named folder is its own tree unless `root` names a wider one (`--root`): nothing
    outside it is walked into or read.
    """

    def __init__(
        self, roots: Sequence[FileInput], *, folders: bool, root: str | None = None
    ) -> None:
        self._roots = roots
        self._folders = folders
        self._root = root
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
                tree = Tree.of(self._root if self._root is not None else root.fs_path)
                yield from self._walk(root.fs_path, root.display, tree)
            else:
                yield root

    def _walk(self, fs_root: str, display_root: str, tree: Tree) -> Iterator[WalkItem]:
        """One named folder, depth first in name order, each folder once.

        A stack of iterators rather than recursion: folder depth is the filesystem's to set.
        Folders are identified by device and inode, so a symbolic-link loop ends the descent.
        """
        if not _first_visit(fs_root, self._seen_dirs):
            return
        stack: list[tuple[Iterator[_Entry], bool]] = []
        yield from self._enter(fs_root, display_root, tree, stack)
        while stack:
            listing, files_wanted = stack[-1]
            entry_pair = next(listing, None)
            if entry_pair is None:
                stack.pop()
                continue
            entry, display = entry_pair
            kind = _entry_kind(entry, display, tree)
            if isinstance(kind, CoverageNote):
                yield kind
                continue
            if kind is None:
                continue
            what, fs_path = kind
            if what == "dir":
                if self._covered and _key(fs_path) in self._covered:
                    continue
                if _first_visit(fs_path, self._seen_dirs):
                    yield from self._enter(fs_path, display, tree, stack)
                else:
                    yield CoverageNote(
                        display, f"{display}: folder already scanned (symbolic link loop?)",
                        "skipped",
                    )
            elif files_wanted:
                if self._covered and _key(fs_path) in self._covered:
                    continue
                yield FileInput(display, fs_path, named=False)

    def _enter(
        self, fs_dir: str, display: str, tree: Tree, stack: list[tuple[Iterator[_Entry], bool]]
    ) -> Iterator[WalkItem]:
        """A folder met: the folder itself when it is built whole, and its entries pushed
        for walking unless it is a chart (whose files are all the chart's)."""
        entries, problem = _entries(fs_dir, display)
        if problem is not None:
            yield problem
        special = folder_kind(entry for entry, _ in entries) if self._folders else None
        if special is not None:
            yield FolderInput(special, display, fs_dir, tree)
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


def _entry_kind(
    entry: os.DirEntry[str], display: str, tree: Tree
) -> tuple[str, str] | CoverageNote | None:
    """(`dir` or `file`, where to open it), a note (a manifest or folder skipped) or None
    (not a manifest: ignored)."""
    is_manifest = entry.name.lower().endswith(_MANIFEST_SUFFIXES)
    try:
        if not entry.is_symlink():
            # The listing says what it is: no system call, and it is inside the tree.
            if entry.is_dir(follow_symlinks=False):
                return "dir", entry.path
            if entry.is_file(follow_symlinks=False):
                return ("file", entry.path) if is_manifest else None
            mode = entry.stat(follow_symlinks=False).st_mode
        else:
            real = tree.resolve(entry.path)
            if real is None:
                if is_manifest or os.path.isdir(entry.path):
                    return _skipped(display, OUTSIDE)
                return None
            mode = os.stat(real).st_mode
            if stat.S_ISDIR(mode):
                return "dir", real
            if stat.S_ISREG(mode):
                return ("file", real) if is_manifest else None
    except FileNotFoundError:
        return _skipped(display, "broken symbolic link") if is_manifest else None
    except OSError as exc:  # ELOOP from a link to itself, EACCES, ...
        return _skipped(display, exc.strerror or str(exc)) if is_manifest else None
    return _skipped(display, special_kind(mode)) if is_manifest else None


def _skipped(display: str, why: str) -> CoverageNote:
    return CoverageNote(display, f"{display}: skipped: {why}", "skipped")


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

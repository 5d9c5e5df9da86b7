"""Keeping a manifest scan inside the tree it was given: which paths are inside it, opening
only regular files, listing a folder without leaving it, and copying a chart or
kustomization for helm or kubectl to read.

The tree is the folder named on the command line (or `--root`), links resolved. A symbolic
link is followed only when where it leads is inside the tree; a FIFO, socket or device is
never opened for reading. Opening uses O_NOFOLLOW and O_NONBLOCK and then checks what was
opened, so a path that was a regular file when listed and is something else when opened is
refused, not read. helm and kubectl read files themselves and follow links: they are given a
copy holding only regular files (links inside the tree copied as what they lead to), so the
only files they can reach through the chart or kustomization are the copy's.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

OUTSIDE = "a symbolic link leading out of the scanned tree (see --root)"
"""Why a link out of the tree is not followed."""

COPY_FACTOR = 16
"""A chart or kustomization is copied for helm or kubectl up to this many times the
largest file size (`--max-file-size`): 256 MiB by default."""

MAX_COPY_FILES = 20_000
"""Most files copied for one chart or kustomization."""

NEVER_COPIED = frozenset({".git"})
"""Entries never listed for a copy: a repository's history and settings (which can hold a
CI token) are no part of a chart or kustomization."""

_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO does not block the open
    | getattr(os, "O_NOFOLLOW", 0)  # a link put where a file was listed is not followed
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_BINARY", 0)
)


class Refused(OSError):
    """A path the scan does not open: not a regular file, or leading out of the tree."""

    def __init__(self, why: str) -> None:
        super().__init__(errno.EPERM, why)
        self.why = why
        """Why, in words."""


class TooLarge(Exception):
    """A copy over its budget."""


@dataclass(frozen=True)
class Tree:
    """The scanned tree: nothing outside `root` is read, by the scan or the clients it runs."""

    root: str
    """Its real path (absolute, links resolved)."""

    @classmethod
    def of(cls, path: str) -> Tree:
        """The tree whose top is `path` (a link to a folder is the folder it leads to)."""
        return cls(os.path.realpath(path))

    def holds(self, path: str) -> bool:
        """True when the absolute, normalized `path` is the root or below it (by name)."""
        root = self.root
        if path == root:
            return True
        prefix = root if root.endswith(os.sep) else root + os.sep
        return path.startswith(prefix)

    def resolve(self, path: str) -> str | None:
        """The real path of `path` when it is inside the tree, else None."""
        real = os.path.realpath(path)
        return real if self.holds(real) else None

    def relative(self, real: str) -> str:
        """The POSIX path of a real path inside the tree, relative to the root."""
        rel = os.path.relpath(real, self.root)
        return "" if rel == os.curdir else rel.replace(os.sep, "/")


def special_kind(mode: int) -> str:
    """What a file that is not a regular file or folder is, in words."""
    if stat.S_ISFIFO(mode):
        return "a FIFO, not a regular file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a regular file"
    if stat.S_ISLNK(mode):
        return "a symbolic link, not followed"
    if stat.S_ISDIR(mode):
        return "a folder, not a regular file"
    return "a device or other special file, not a regular file"


def open_regular(path: str) -> tuple[int, os.stat_result]:
    """A descriptor of `path` opened for reading, and what fstat says of it, when it is a
    regular file and not a link; raises Refused (what it is instead) or OSError."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP and _is_link(path):
            raise Refused(special_kind(stat.S_IFLNK)) from None
        raise
    try:
        info = os.fstat(fd)
    except OSError:
        os.close(fd)
        raise
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise Refused(special_kind(info.st_mode))
    return fd, info


def read_regular(path: str, limit: int) -> bytes:
    """At most `limit` bytes of a regular file (see `open_regular`)."""
    fd, info = open_regular(path)
    with open(fd, "rb", buffering=0) as handle:
        if info.st_size < limit:
            return handle.read()  # sized from the file: no buffer of the whole limit
        return handle.read(limit)


def read_inside(path: str, tree: Tree, limit: int) -> bytes:
    """At most `limit` bytes of `path`, which must lead to a regular file inside `tree`."""
    real = tree.resolve(path)
    if real is None:
        raise Refused(OUTSIDE)
    return read_regular(real, limit)


def _is_link(path: str) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError:
        return False


@dataclass
class Listing:
    """The regular files under a folder, inside the tree, and what was passed over."""

    files: dict[str, str] = field(default_factory=dict)
    """Relative POSIX path (as the folder shows it) → real path of a regular file."""
    refused: list[tuple[str, str]] = field(default_factory=list)
    """(relative path, why) of entries not listed: links out of the tree, special files,
    folders reached a second time, what could not be read."""


def list_folder(top: str, tree: Tree, skip: Collection[str] = NEVER_COPIED) -> Listing:
    """Every regular file under `top`, depth first in name order, following links that stay
    inside `tree` (a folder linked twice is listed twice, as helm and kustomize see it); a
    link to a folder it is already in is a loop, not followed. At most MAX_COPY_FILES + 1
    files and as many folders are listed: more could not be copied anyway."""
    listing = Listing()
    real_top = tree.resolve(top)
    if real_top is None:
        listing.refused.append(("", OUTSIDE))
        return listing
    stack: list[tuple[str, str, frozenset[str]]] = [("", real_top, frozenset((real_top,)))]
    folders = 0
    while stack:
        rel_dir, real_dir, above = stack.pop()
        folders += 1
        if folders > MAX_COPY_FILES or len(listing.files) > MAX_COPY_FILES:
            listing.refused.append((rel_dir, f"more than {MAX_COPY_FILES:,} entries: not listed"))
            break
        try:
            with os.scandir(real_dir) as found:
                entries = sorted(found, key=lambda entry: entry.name)
        except OSError as exc:
            listing.refused.append((rel_dir, f"cannot read folder: {exc.strerror or exc}"))
            continue
        below: list[tuple[str, str, frozenset[str]]] = []
        for entry in entries:
            if entry.name in skip:
                continue
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            kind, real = _kind(entry, tree)
            if kind == "dir":
                if real in above:
                    listing.refused.append((rel, "a symbolic link loop (a folder it is in)"))
                else:
                    below.append((rel, real, above | {real}))
            elif kind == "file":
                listing.files[rel] = real
            else:
                listing.refused.append((rel, kind))
        stack.extend(reversed(below))
    return listing


def _kind(entry: os.DirEntry[str], tree: Tree) -> tuple[str, str]:
    """(`dir` | `file` | why it is refused, its real path) of a folder entry."""
    try:
        if not entry.is_symlink():
            # The type comes with the listing (no system call); the folder is inside.
            if entry.is_dir(follow_symlinks=False):
                return "dir", entry.path
            if entry.is_file(follow_symlinks=False):
                return "file", entry.path
            return special_kind(entry.stat(follow_symlinks=False).st_mode), entry.path
        real = tree.resolve(entry.path)
        if real is None:
            return OUTSIDE, entry.path
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        return "a broken symbolic link", entry.path
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}", entry.path
    if stat.S_ISDIR(mode):
        return "dir", real
    if stat.S_ISREG(mode):
        return "file", real
    return special_kind(mode), real


def copy_files(files: Mapping[str, str], dest: str, budget: int) -> list[tuple[str, str]]:
    """Copy each file (relative path → real path) to the same relative path under `dest`,
    as a regular file. Returns (relative path, why) of files that could not be copied;
    raises TooLarge past `budget` bytes or MAX_COPY_FILES files."""
    if len(files) > MAX_COPY_FILES:
        raise TooLarge(f"it holds more than {MAX_COPY_FILES:,} files")
    problems: list[tuple[str, str]] = []
    left = budget
    made: set[str] = set()
    for rel, real in files.items():
        parts = rel.split("/")
        if not rel or any(part in ("", os.curdir, os.pardir) for part in parts):
            problems.append((rel, "not a plain relative path"))
            continue
        target = os.path.join(dest, *parts)
        parent = os.path.dirname(target)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        try:
            with open(open_regular(real)[0], "rb") as source, open(target, "xb") as copy:
                while True:
                    chunk = source.read(min(1 << 20, left + 1))
                    if not chunk:
                        break
                    left -= len(chunk)
                    if left < 0:
                        raise TooLarge(f"its files exceed the {limit_text(budget)} copy limit")
                    copy.write(chunk)
        except Refused as exc:
            problems.append((rel, exc.why))
        except OSError as exc:
            problems.append((rel, f"cannot copy: {exc.strerror or exc}"))
    return problems


def limit_text(size: int) -> str:
    """A size limit in words: `2 GiB`, `16 MiB`, or `1,000-byte` below a MiB."""
    if size >= 1 << 30 and size % (1 << 30) == 0:
        return f"{size >> 30} GiB"
    mib = size / (1024 * 1024)
    return f"{mib:g} MiB" if mib >= 1 else f"{size:,}-byte"


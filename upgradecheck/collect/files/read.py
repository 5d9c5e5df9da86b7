"""Reading one input of a scan: a file's (or stdin's) bytes, within the size limit, decoded.

What comes back is a value: the text, or why there is none (a coverage note: a file too
large, not text, a FIFO met in a folder, or nothing at all for a file reached twice).
"""

from __future__ import annotations

import codecs
import io
import os
import stat
import sys
from dataclasses import dataclass
from typing import TextIO

from upgradecheck.collect.contain import Refused, limit_text, open_regular
from upgradecheck.collect.files.walk import FileInput
from upgradecheck.collect.limits import DEFAULT_MAX_FILE_BYTES
from upgradecheck.model import CoverageNote

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class FileText:
    """An input read and decoded."""

    text: str
    """Its text; bytes that are not UTF-8 are kept as surrogate escapes."""
    bad_line: int | None
    """The line of its first byte that is not UTF-8 (None when all are)."""


@dataclass(frozen=True)
class Unread:
    """An input that gave no text."""

    note: CoverageNote | None
    """Why (None: a file already read, reached again; nothing to say)."""
    counted: bool = False
    """Its bytes were read (they are not text): it counts as a file read."""


class Reader:
    """Reads the inputs of one scan, each regular file once however often it is reached."""

    def __init__(self, limit: int = DEFAULT_MAX_FILE_BYTES, stdin: TextIO | None = None) -> None:
        self.limit = limit
        """Most bytes read from one input."""
        self._stdin = stdin
        self._seen: set[tuple[int, int]] = set()

    def read(self, item: FileInput) -> FileText | Unread:
        """The text of a file (or stdin), or why there is none."""
        display = item.display
        try:
            raw = self._raw(item)
        except Refused as exc:
            return Unread(CoverageNote(display, f"{display}: skipped: {exc.why}", "skipped"))
        except _Skipped as exc:
            reason = str(exc)
            return Unread(CoverageNote(display, f"{display}: skipped: {reason}", "skipped")
                          if reason else None)
        except _Unreadable as exc:
            return Unread(CoverageNote(display, exc.reason(display), "error"))
        except OSError as exc:
            return Unread(CoverageNote(
                display, f"{display}: cannot read: {exc.strerror or exc}", "error"
            ))
        try:
            text, bad_line = _decode(raw)
        except _Unreadable as exc:
            return Unread(CoverageNote(display, exc.reason(display), "error"), counted=True)
        return FileText(text, bad_line)

    def _raw(self, item: FileInput) -> bytes | str:
        limit = self.limit
        if item.fs_path is None:
            stdin = self._stdin if self._stdin is not None else sys.stdin
            data: bytes | str = read_stdin(stdin, limit)
        else:
            data = self._read_file(item.fs_path, item.named)
        if len(data) > limit:
            raise _Unreadable(f"larger than the {limit_text(limit)} limit; not scanned")
        return data

    def _read_file(self, fs_path: str, named: bool) -> bytes:
        """The file's bytes, at most the limit + 1; a file found in a folder is read only
        when it is a regular file (and not through a link: the walk resolved those)."""
        info: os.stat_result | None = None
        if named:
            # A named path (`<(helm template ...)`) may be a pipe: open it blocking, as asked.
            fd = os.open(fs_path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        else:
            # Refused for a FIFO, device, socket or link: the walk resolved the links.
            fd, info = open_regular(fs_path)
        # Unbuffered: one read of the known size, and no isatty() probe per file.
        with open(fd, "rb", buffering=0) as handle:
            if info is None:
                info = os.fstat(handle.fileno())
            if stat.S_ISREG(info.st_mode):
                key = (info.st_dev, info.st_ino)
                if key in self._seen:
                    raise _Skipped("")  # the same file reached twice: read once, say nothing
                self._seen.add(key)
                if info.st_size > self.limit:
                    raise _Unreadable(
                        f"larger than the {limit_text(self.limit)} limit "
                        f"({info.st_size:,} bytes); not scanned"
                    )
                # Its size is known and within the limit: read() sizes its buffer from it,
                # where read(limit + 1) would allocate the whole limit for every file.
                return handle.read()
            return _read_stream(handle, self.limit + 1)


def read_stdin(stream: TextIO, limit: int = DEFAULT_MAX_FILE_BYTES) -> bytes | str:
    """At most `limit + 1` units of stdin: bytes from its binary buffer when it has one
    (so encoding problems are reported like a file's), else the text stream's characters."""
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        data = buffer.read(limit + 1)
        if isinstance(data, bytes):
            return data
    return stream.read(limit + 1)


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

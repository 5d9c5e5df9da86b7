"""Writing a file so that an interruption or a failure leaves the earlier file whole: the new
content goes to a temporary file beside it, renamed over it only once complete."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


@contextlib.contextmanager
def replacing(path: str | Path) -> Iterator[BinaryIO]:
    """A binary file to write the new content of `path` into. It replaces `path` when the
    block ends normally; on any exception (Ctrl-C included) it is removed and `path` keeps
    what it held. A device or pipe (`/dev/null`, `/dev/stdout`) is written directly, as is a
    file in a folder where no temporary file can be made."""
    target = Path(os.path.realpath(path))  # through a symlink: replace what it points at
    if target.exists() and not target.is_file():
        with target.open("wb") as fh:
            yield fh
        return
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except PermissionError:
        with target.open("wb") as fh:
            yield fh
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
        with contextlib.suppress(FileNotFoundError):
            os.chmod(temporary, stat.S_IMODE(target.stat().st_mode))  # keep the old mode
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise

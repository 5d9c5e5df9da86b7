"""The knowledge base's cache in the user's cache folder (`$XDG_CACHE_HOME/upgradecheck/kb/`,
by default `~/.cache/upgradecheck/kb/`): each data file's parsed document, and the knowledge
base built from a set of files. Parsing the bundled YAML and validating it into the model are
half of a short command's run (`scan FILE`, on every commit); reading them back is a tenth.

An entry is one document worked out from inputs, named and keyed by the digest of those inputs
(a file's bytes; for a built knowledge base, every file's and the building code's), the
tool's version, a revision of how it is worked out, and the Python implementation: an edited
file, a user data file or another installed bundle is another entry, never a stale one. It is
two lines of JSON: a header (schema, key, the sha256 of the second line) and the document.
Only plain data is kept, and only when it reads back equal (a date, or a number used as a
key, would not: such a document is worked out every time). An entry is written whole or not
at all (a temporary file renamed into place) and read back only when its header holds its own
key and the digest of the document's line; anything that goes wrong — no home folder, a
read-only file system, a corrupt or foreign entry — is a miss: the work is done as if there
were no cache, and nothing is said. `UPGRADECHECK_NO_CACHE=1` turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from upgradecheck import __version__

NO_CACHE_ENV = "UPGRADECHECK_NO_CACHE"
"""Set (to anything but `0` or nothing) to neither read nor write the cache."""
SCHEMA = "upgradecheck.kb-cache/v1"
MAX_ENTRIES = 64
"""Entries kept: the most recently written; older ones (other versions of the tool, user
data files since edited) are removed when a new one is written."""
STALE_TEMPORARY = 3600.0
"""Seconds after which a temporary file is a crashed writer's, and removed."""

_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]")


def cache_dir() -> Path | None:
    """The folder of entries, or None when the cache is turned off or there is no home
    folder to keep it in."""
    if os.environ.get(NO_CACHE_ENV, "") not in ("", "0"):
        return None
    given = os.environ.get("XDG_CACHE_HOME", "")
    # The XDG specification says a relative path is invalid and must be ignored.
    if given and os.path.isabs(given):
        return Path(given) / "upgradecheck" / "kb"
    home = os.path.expanduser("~")  # "~" itself when there is neither HOME nor a user entry
    if not os.path.isabs(home):
        return None
    return Path(home) / ".cache" / "upgradecheck" / "kb"


def entry_key(digest: str, revision: str) -> str:
    """The key of an entry: its inputs' digest, then what else decides the document."""
    python = sys.implementation.cache_tag or sys.implementation.name
    return _UNSAFE.sub("_", f"{digest}-{__version__}-{revision}-{python}")


def load(
    digest: str, revision: str, object_hook: Callable[[dict[str, Any]], Any] | None = None
) -> Any | None:
    """The document worked out (as `revision` says) from inputs with the digest `digest`,
    or None (not cached, unreadable, corrupt, or the cache is off). `object_hook` is given
    each mapping as it is read (`json.loads`); it raises ValueError for one it refuses."""
    folder = cache_dir()
    if folder is None:
        return None
    key = entry_key(digest, revision)
    try:
        header, _, body = (folder / f"{key}.jsonl").read_bytes().partition(b"\n")
        head = json.loads(header)
        if (
            not isinstance(head, dict)
            or head.get("schema") != SCHEMA
            or head.get("key") != key
            or head.get("sha256") != hashlib.sha256(body).hexdigest()
        ):
            return None  # another file's entry, or damaged: a flipped bit is still JSON
        return json.loads(body, object_hook=object_hook)
    except (OSError, ValueError, RecursionError):  # missing, unreadable, or not JSON
        return None


def store(digest: str, revision: str, document: Any) -> None:
    """Keep `document`, worked out from inputs with the digest `digest`: silently not when
    it is not plain data or the folder cannot be written."""
    folder = cache_dir()
    if folder is None:
        return
    key = entry_key(digest, revision)
    try:
        text = json.dumps(document, allow_nan=False, separators=(",", ":"))
        # JSON turns a number used as a key into text, which validation would then accept.
        if json.loads(text) != document:
            return
    except (TypeError, ValueError, RecursionError):  # a date, a NaN, an alias to itself
        return
    body = text.encode("ascii")
    head = {"schema": SCHEMA, "key": key, "sha256": hashlib.sha256(body).hexdigest()}
    temporary = folder / f".{key}.{os.getpid()}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError:  # read-only, not a folder, no space, or a leftover of this process id
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(json.dumps(head).encode("ascii") + b"\n" + body)
        os.replace(temporary, folder / f"{key}.jsonl")
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return
    except BaseException:  # interrupted: no temporary file is left behind
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _prune(folder)


def _prune(folder: Path) -> None:
    """Remove the entries beyond the MAX_ENTRIES most recently written, and temporary files
    left by writers that did not finish."""
    entries: list[tuple[float, str]] = []
    now = time.time()
    try:
        with os.scandir(folder) as found:
            for item in found:
                with contextlib.suppress(OSError):
                    modified = item.stat(follow_symlinks=False).st_mtime
                    if item.name.endswith(".jsonl"):
                        entries.append((modified, item.path))
                    elif item.name.endswith(".tmp") and now - modified > STALE_TEMPORARY:
                        os.unlink(item.path)
    except OSError:
        return
    entries.sort(reverse=True)
    for _, path in entries[MAX_ENTRIES:]:
        with contextlib.suppress(OSError):
            os.unlink(path)

"""Reading and writing snapshots: the versioned JSON file of `docs/snapshot-format.md`
(gzip-compressed when the name ends in `.gz`)."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from upgradecheck.codec import snapshot as codec
from upgradecheck.codec.reading import DecodeError
from upgradecheck.gcpause import gc_paused
from upgradecheck.model import SNAPSHOT_SCHEMA, Snapshot
from upgradecheck.safewrite import replacing

_SCHEMA_PREFIX = "upgradecheck.snapshot/v"
_SUPPORTED_MAJOR = 1
_BATCH = 1000


class SnapshotError(Exception):
    """A snapshot file that cannot be read or written (exit code 2)."""


# ---- writing -------------------------------------------------------------------------------


def _chunks(snapshot: Snapshot) -> Iterator[bytes]:
    """The snapshot's JSON, in pieces: the objects in batches, so that a large snapshot is
    never one string (and its bytes copy) in memory at once."""
    doc = codec.snapshot_to_dict(replace(snapshot, objects=()))
    head = json.dumps(doc, separators=(",", ":"))
    marker = '"objects":[]'
    before, after = head.split(marker, 1)
    yield (before + '"objects":[').encode("utf-8")
    for start in range(0, len(snapshot.objects), _BATCH):
        batch = [codec.object_to_dict(o) for o in snapshot.objects[start : start + _BATCH]]
        text = json.dumps(batch, separators=(",", ":"))[1:-1]
        yield (("," if start else "") + text).encode("utf-8")
    yield ("]" + after).encode("utf-8")


def write_snapshot(snapshot: Snapshot, path: str | Path) -> None:
    """Write `snapshot` to `path` (gzip when the name ends in `.gz`); an interrupted write
    leaves the earlier file at `path` whole."""
    target = Path(path)
    try:
        with gc_paused(), replacing(target) as raw:
            if target.name.endswith(".gz"):
                # mtime=0 keeps the file byte-identical for identical snapshots.
                with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
                    for chunk in _chunks(snapshot):
                        gz.write(chunk)
            else:
                for chunk in _chunks(snapshot):
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


def snapshot_from_dict(document: Any, origin: str = "snapshot") -> Snapshot:
    """Build a Snapshot from its JSON document; SnapshotError names any bad field."""
    if not isinstance(document, dict):
        raise SnapshotError(f"{origin}: not a snapshot (expected a JSON object)")
    _check_schema(document.get("schema"), origin)
    try:
        return codec.snapshot_from_dict(document, origin)
    except DecodeError as exc:
        raise SnapshotError(str(exc)) from None


def read_snapshot(path: str | Path) -> Snapshot:
    """Read a snapshot file (gzip-compressed or not, told apart by its first bytes)."""
    source = Path(path)
    try:
        raw = source.read_bytes()
    except FileNotFoundError:
        raise SnapshotError(f"no such snapshot file: {source}") from None
    except IsADirectoryError:
        raise SnapshotError(f"{source} is a folder, not a snapshot file") from None
    except OSError as exc:
        raise SnapshotError(f"cannot read snapshot {source}: {exc.strerror or exc}") from exc
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise SnapshotError(f"{source}: corrupt or truncated gzip data ({exc})") from None
    try:
        with gc_paused():
            document = json.loads(raw)
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
        return snapshot_from_dict(document, str(source))

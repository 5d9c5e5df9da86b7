"""A batch of a snapshot's object lines decoded by msgspec straight into the model's records:
the snapshot reader's fast path, which leaves to the streaming reader whatever it is not sure
decodes as the standard library decodes it."""

from __future__ import annotations

import sys
from collections.abc import Container, Mapping
from typing import Any

import msgspec

from upgradecheck.codec.snapshot import BodyFilter
from upgradecheck.model import Evidence, ObjectRef, ObservedObject, PodRun
from upgradecheck.workloads import add_to_runs, quiet, sole_controller


class _Object(msgspec.Struct, gc=False):
    """An object as `object_to_dict` writes it: as strict as `object_from_dict` with
    `plain_ref` and `plain_evidence` (strings where they read strings; an evidence record
    decoded into the model's own Evidence, whose optional strings are not null; a body that
    is an object or null); the other fields are skipped, as they ignore them."""

    apiVersion: str
    kind: str
    name: str
    namespace: str | None = None
    evidence: tuple[Evidence, ...] = ()
    body: dict[str, Any] | None = None


_DECODER = msgspec.json.Decoder(list[_Object])


def decode_lines(
    batch: bytes | bytearray | memoryview,
    keep: BodyFilter | None,
    kinds: Container[str] | None = None,
    versions: dict[str, set[str]] | None = None,
    runs: list[PodRun] | None = None,
    eventful: list[ObservedObject] | None = None,
) -> list[ObservedObject] | None:
    """The objects of `batch` (a JSON array of objects, the file's lines between two of
    its top-level commas), their bodies reduced by `keep` when given (only those of
    `kinds`, when given); the apiVersions their evidence names added to `versions`, by
    kind (`Snapshot.evidence_versions`), their pods to the runs of pods `runs`
    (`Snapshot.pod_runs`, continued from the last batch's) and, unless `quiet`, to
    `eventful` (`Snapshot.eventful_pods`): gathered here, while each object is in the
    cache, rather than by passes afterwards. None when msgspec does not decode it: JSON
    that only Python's decoder reads (NaN, Infinity, numbers out of a float's range, lone
    surrogate escapes) or reads otherwise (integers of more digits than Python reads),
    fields of another type, anything that is not an array of objects. The streaming reader
    then reads the file, to the same result or error."""
    try:
        items = _DECODER.decode(batch)
    except (msgspec.MsgspecError, RecursionError):
        return None
    out: list[ObservedObject] = []
    append = out.append
    intern = sys.intern
    seen: set[str] = set()
    last: str | None = None  # the kind `seen` is of: runs of one kind are the rule
    for item in items:
        kind = intern(item.kind)
        if versions is not None:
            if kind is not last:
                last = kind
                seen = versions.setdefault(kind, set())
            for ev in item.evidence:
                seen.add(ev.api_version)
        namespace = item.namespace
        ref = ObjectRef(
            intern(item.apiVersion),
            kind,
            None if namespace is None else intern(namespace),
            item.name,
        )
        body: Mapping[str, Any] = item.body or {}
        if keep is not None and body and (kinds is None or kind in kinds):
            body = keep(body, kind)
        obj = ObservedObject(ref, item.evidence, body)
        if kind == "Pod":
            if runs is not None:  # as workloads.pod_runs finds them
                add_to_runs(runs, sole_controller(body, namespace))
            if eventful is not None and not quiet(body):
                eventful.append(obj)
        append(obj)
    return out

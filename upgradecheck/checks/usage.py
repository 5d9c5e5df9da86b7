"""Which apiVersions each object was written in: evidence grouped per object and version,
so that one object seen through several sources becomes one finding."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from upgradecheck.model import Evidence, EvidenceSource, ObjectRef, Snapshot

# Evidence of how an object was written or requested; node and client evidence is not.
_WRITE_SOURCES = frozenset(
    {
        EvidenceSource.FILE,
        EvidenceSource.LAST_APPLIED,
        EvidenceSource.MANAGED_FIELDS,
        EvidenceSource.TEMPLATE,
    }
)


@dataclass(frozen=True)
class Usage:
    """One object written in one apiVersion, with every observation that shows it."""

    object: ObjectRef
    """The object (its apiVersion as listed or as first written)."""
    api_version: str
    """The apiVersion it was written in."""
    evidence: tuple[Evidence, ...]
    """The observations."""
    others: tuple[Evidence, ...] = ()
    """The same object's evidence of being written in other apiVersions."""


def object_usages(snapshot: Snapshot) -> Iterator[Usage]:
    """Every (object, authored apiVersion) pair, merging duplicates of the same object."""
    grouped: dict[tuple[str, str | None, str, str], tuple[ObjectRef, list[Evidence]]] = {}
    for obj in snapshot.objects:
        ref = obj.ref
        for ev in obj.evidence:
            if ev.source not in _WRITE_SOURCES:
                continue
            key = (ref.kind, ref.namespace, ref.name, ev.api_version)
            entry = grouped.get(key)
            if entry is None:
                grouped[key] = (ref, [ev])
            else:
                entry[1].append(ev)
    by_object: dict[tuple[str, str | None, str], list[Evidence]] = {}
    for (kind, ns, name, _), (_, evidence) in grouped.items():
        by_object.setdefault((kind, ns, name), []).extend(evidence)
    for (kind, ns, name, api_version), (ref, evidence) in grouped.items():
        others = tuple(e for e in by_object[(kind, ns, name)] if e.api_version != api_version)
        yield Usage(ref, api_version, tuple(evidence), others)

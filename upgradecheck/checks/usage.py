"""Which apiVersions each object was written in: evidence grouped per object and version,
so that one object seen through several sources becomes one finding."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from upgradecheck.model import Evidence, EvidenceSource, ObjectRef, ObservedObject, Snapshot
from upgradecheck.semver_range import (
    ConstraintError,
    PrereleaseRule,
    parse_constraint,
    parse_version,
)
from upgradecheck.versions import Minor

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


def object_usages(
    snapshot: Snapshot, wanted: Callable[[str, str], bool] | None = None
) -> Iterator[Usage]:
    """Every (object, authored apiVersion) pair, merging duplicates of the same object. With
    `wanted` (apiVersion, kind), only the objects written in some version it wants: most
    objects of a large cluster are written in versions no lifecycle entry tracks, and
    grouping them is most of the work."""
    objects: Iterable[ObservedObject] = snapshot.objects
    if wanted is not None:
        keys = _written_in(snapshot, wanted)
        kinds = {kind for kind, _, _ in keys}
        # The objects of those kinds, in the snapshot's order, from its index by kind.
        objects = [
            o
            for o in snapshot.of_kind(*sorted(kinds))
            if (o.ref.kind, o.ref.namespace, o.ref.name) in keys
        ]
    grouped: dict[tuple[str, str | None, str, str], tuple[ObjectRef, list[Evidence]]] = {}
    for obj in objects:
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


def _written_in(
    snapshot: Snapshot, wanted: Callable[[str, str], bool]
) -> set[tuple[str, str | None, str]]:
    """The (kind, namespace, name) of the objects with evidence of being written in a
    version `wanted` wants. Kind by kind: the versions its objects' evidence names
    (`Snapshot.evidence_versions`) are asked about once each, and only a kind with a wanted
    version among them has its objects looked at one by one (at the envelope, 4,000
    objects of 273,000)."""
    keys: set[tuple[str, str | None, str]] = set()
    for kind in snapshot.kinds():
        versions = {v for v in snapshot.evidence_versions(kind) if wanted(v, kind)}
        if not versions:
            continue
        for obj in snapshot.of_kind(kind):
            for ev in obj.evidence:
                if ev.api_version in versions and ev.source in _WRITE_SOURCES:
                    ref = obj.ref
                    keys.add((ref.kind, ref.namespace, ref.name))
                    break
    return keys


def left_out_at(usage: Usage, version: Minor) -> bool:
    """Whether the chart leaves every branch that shows this use out for Kubernetes
    `version`: a cluster of that version never receives it."""
    return left_out(usage.evidence, version)


def left_out(evidence: Iterable[Evidence], version: Minor) -> bool:
    """Whether each piece of evidence of how an object is written is a template branch whose
    conditions on `.Capabilities` are false at `version` (and there is some)."""
    written = [e for e in evidence if e.source in _WRITE_SOURCES]
    return bool(written) and all(_left_out(e, version) for e in written)


def _left_out(evidence: Evidence, version: Minor) -> bool:
    if evidence.source is not EvidenceSource.TEMPLATE or not evidence.not_rendered_for:
        return False
    try:
        constraint = parse_constraint(evidence.not_rendered_for)
    except ConstraintError:
        return False  # a hand-edited snapshot: not known, so not left out
    return constraint.allows(parse_version(f"{version}.0"), PrereleaseRule.PER_GROUP)

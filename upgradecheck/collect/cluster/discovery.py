"""Discovery: which group/versions and resources the server serves, and their preferred
versions (`/api`, `/apis`, `/apis/G/V`). Whatever part of it fails or comes back malformed is
a coverage note; names that could not be a group, version, resource or kind are skipped (they
become URL paths and are shown on the terminal)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from upgradecheck.collect.cluster.transport import RequestFailed, Transport
from upgradecheck.collect.cluster.workers import run_all
from upgradecheck.model import CoverageNote
from upgradecheck.shapes import as_map, as_maps

_GROUP = re.compile(r"^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$")
_VERSION = re.compile(r"^v[0-9][a-z0-9]{0,30}$")
_RESOURCE = re.compile(r"^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$")
_KIND = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,62}$")


@dataclass(frozen=True)
class ServedResource:
    """One resource as discovery lists it."""

    group: str
    """The API group (`""` for core)."""
    version: str
    """The version it is served at."""
    name: str
    """The resource (plural), e.g. `poddisruptionbudgets`."""
    kind: str
    """The kind."""
    namespaced: bool
    """Whether it lives in namespaces."""
    verbs: tuple[str, ...]
    """What the server allows on it."""
    preferred: bool
    """Whether `version` is its group's preferred version."""

    @property
    def api_version(self) -> str:
        """`group/version` or `version` for core."""
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def path(self) -> str:
        """The cluster-wide list path."""
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        return f"{base}/{self.name}"


@dataclass(frozen=True)
class Discovery:
    """What the server serves."""

    group_versions: tuple[str, ...]
    """Every served group/version."""
    resources: tuple[ServedResource, ...]
    """Every top-level resource (no subresources) at every served version."""
    coverage: tuple[CoverageNote, ...]
    """What could not be read or made no sense (e.g. an unavailable aggregated API)."""


def _resources(
    doc: Any, group: str, version: str, preferred: bool
) -> tuple[list[ServedResource], int]:
    """The resources of one group/version's list, and how many entries were malformed."""
    out: list[ServedResource] = []
    bad = 0
    raw = as_map(doc).get("resources")
    entries = raw if isinstance(raw, list) else []
    for r in entries:
        if not isinstance(r, Mapping):
            bad += 1
            continue
        name, kind, verbs = r.get("name"), r.get("kind"), r.get("verbs")
        if isinstance(name, str) and "/" in name:  # subresources such as pods/status
            continue
        if not (
            isinstance(name, str)
            and _RESOURCE.match(name)
            and isinstance(kind, str)
            and _KIND.match(kind)
        ):
            bad += 1
            continue
        out.append(
            ServedResource(
                group=group,
                version=version,
                name=name,
                kind=kind,
                namespaced=r.get("namespaced") is True,
                verbs=tuple(v for v in verbs if isinstance(v, str))
                if isinstance(verbs, list)
                else (),
                preferred=preferred,
            )
        )
    return out, bad


def _failed(subject: str, exc: RequestFailed) -> CoverageNote:
    why = f"{exc.status} {exc.reason}" if exc.status else exc.reason
    return CoverageNote(subject, f"discovery failed: {why}", "gap")


def _core_versions(transport: Transport, notes: list[CoverageNote]) -> list[str]:
    try:
        doc = transport.get_json("/api")
    except RequestFailed as exc:
        notes.append(_failed("api core group (/api)", exc))
        return ["v1"]  # every server has served it since 1.0: try it anyway
    raw = as_map(doc).get("versions")
    versions = (
        [v for v in raw if isinstance(v, str) and _VERSION.match(v)]
        if isinstance(raw, list)
        else []
    )
    if not versions:
        notes.append(CoverageNote("api core group (/api)", "discovery answer malformed", "gap"))
        return ["v1"]
    return versions


def _group_versions(transport: Transport, notes: list[CoverageNote]) -> list[tuple[str, str, bool]]:
    try:
        doc = transport.get_json("/apis")
    except RequestFailed as exc:
        notes.append(_failed("api groups (/apis)", exc))
        return []
    raw = as_map(doc).get("groups")
    if not isinstance(raw, list):
        notes.append(CoverageNote("api groups (/apis)", "discovery answer malformed", "gap"))
        return []
    out: list[tuple[str, str, bool]] = []
    skipped = 0
    for g in raw:
        name = as_map(g).get("name")
        if not isinstance(name, str) or not _GROUP.match(name):
            skipped += 1
            continue
        preferred = as_map(as_map(g).get("preferredVersion")).get("version")
        for v in as_maps(as_map(g).get("versions")):
            version = v.get("version")
            if isinstance(version, str) and _VERSION.match(version):
                out.append((name, version, version == preferred))
            else:
                skipped += 1
    if skipped:
        notes.append(
            CoverageNote(
                "api groups (/apis)",
                f"{skipped} group or version entries without a valid name were skipped",
                "gap",
            )
        )
    return out


def discover(transport: Transport, concurrency: int = 8) -> Discovery:
    """Read discovery; a part that fails is a coverage note, not a failure."""
    notes: list[CoverageNote] = []
    pending: list[tuple[str, str, str, bool]] = [
        ("", v, f"/api/{v}", True) for v in _core_versions(transport, notes)
    ]
    pending += [
        (g, v, f"/apis/{g}/{v}", preferred) for g, v, preferred in _group_versions(transport, notes)
    ]

    unique: dict[str, tuple[str, str, str, bool]] = {}
    for item in pending:  # a group/version listed twice is read once
        unique.setdefault(item[2], item)
    pending = list(unique.values())

    def read(item: tuple[str, str, str, bool]) -> tuple[list[ServedResource], CoverageNote | None]:
        group, version, path, preferred = item
        gv = f"{group}/{version}" if group else version
        try:
            found, bad = _resources(transport.get_json(path), group, version, preferred)
        except RequestFailed as exc:
            return [], _failed(f"api {gv}", exc)
        if not bad:
            return found, None
        return found, CoverageNote(f"api {gv}", f"{bad} malformed resource entries skipped")

    resources: list[ServedResource] = []
    # One request per group/version: read them side by side (about 50 on a current cluster).
    for found, note in run_all(transport, [partial(read, item) for item in pending], concurrency):
        resources.extend(found)
        if note is not None:
            notes.append(note)
    return Discovery(
        group_versions=tuple(dict.fromkeys(f"{g}/{v}" if g else v for g, v, _, _ in pending)),
        resources=tuple(_unique(resources)),
        coverage=tuple(notes),
    )


def _unique(resources: Iterable[ServedResource]) -> list[ServedResource]:
    """Each (group, version, resource) once, however often the server listed it."""
    seen: dict[tuple[str, str, str], ServedResource] = {}
    for r in resources:
        seen.setdefault((r.group, r.version, r.name), r)
    return list(seen.values())

"""Discovery: which group/versions and resources the server serves, and their preferred
versions (`/api`, `/apis`, `/apis/G/V`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from upgradecheck.collect.cluster.transport import RequestRefused, Transport
from upgradecheck.model import CoverageNote


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
    """Group/versions whose resource lists could not be read (e.g. an unavailable
    aggregated API)."""


def _resources(
    doc: Mapping[str, Any], group: str, version: str, preferred: bool
) -> Iterable[ServedResource]:
    for r in doc.get("resources") or ():
        name = r.get("name", "")
        if not name or "/" in name:  # subresources such as pods/status
            continue
        yield ServedResource(
            group=group,
            version=version,
            name=name,
            kind=str(r.get("kind", "")),
            namespaced=bool(r.get("namespaced", False)),
            verbs=tuple(r.get("verbs") or ()),
            preferred=preferred,
        )


def discover(transport: Transport, concurrency: int = 8) -> Discovery:
    """Read discovery; a group/version that fails is a coverage note, not a failure."""
    core = transport.get_json("/api")
    groups = transport.get_json("/apis")
    pending: list[tuple[str, str, str, bool]] = [
        ("", v, f"/api/{v}", True) for v in core.get("versions") or ()
    ]
    for g in groups.get("groups") or ():
        preferred = (g.get("preferredVersion") or {}).get("version")
        for v in g.get("versions") or ():
            version = v.get("version", "")
            pending.append(
                (g["name"], version, f"/apis/{g['name']}/{version}", version == preferred)
            )
    def read(item: tuple[str, str, str, bool]) -> list[ServedResource] | CoverageNote:
        group, version, path, preferred = item
        try:
            return list(_resources(transport.get_json(path), group, version, preferred))
        except RequestRefused as exc:
            gv = f"{group}/{version}" if group else version
            return CoverageNote(f"api {gv}", f"discovery failed: {exc.status} {exc.reason}", "gap")

    resources: list[ServedResource] = []
    notes: list[CoverageNote] = []
    # One request per group/version: read them side by side (about 50 on a current cluster).
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        for result in pool.map(read, pending):
            if isinstance(result, CoverageNote):
                notes.append(result)
            else:
                resources.extend(result)
    return Discovery(
        group_versions=tuple(f"{g}/{v}" if g else v for g, v, _, _ in pending),
        resources=tuple(resources),
        coverage=tuple(notes),
    )

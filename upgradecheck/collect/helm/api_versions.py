"""What a default API server of the target serves, for `helm template --api-versions`: from
the knowledge base, its deprecated, beta and removed APIs (with their dates) and the stable
kinds it lists as replacement targets (with the release that introduced each), in both forms
charts ask about; and, for the fallback, the table of what `.Capabilities` answers at each
Kubernetes minor."""

from __future__ import annotations

from dataclasses import dataclass

from upgradecheck.knowledge.model import ApiLifecycle, KnowledgeBase
from upgradecheck.versions import Minor

# GA kinds the knowledge base knows (as replacement targets) that no API server serves as a
# resource of its own: webhook payloads, the discovery document, subresource options and
# internal types. helm is not told about them, nor about `*List` kinds.
_NOT_RESOURCES = frozenset({
    ("admission.k8s.io/v1", "AdmissionReview"),
    ("apidiscovery.k8s.io/v2", "APIGroupDiscovery"),
    *(("v1", kind) for kind in (
        "NodeProxyOptions", "PodAttachOptions", "PodExecOptions", "PodLogOptions",
        "PodPortForwardOptions", "PodProxyOptions", "PodStatusResult", "RangeAllocation",
        "SerializedReference", "ServiceProxyOptions",
    )),
})  # fmt: skip


def ga_resources(kb: KnowledgeBase) -> dict[tuple[str, str], Minor]:
    """(apiVersion, kind) → first release, of every GA kind served as a resource. GA APIs are
    never removed, so a target serves those introduced at or before it."""
    return {
        key: since for key, since in kb.ga_introduced.items()
        if not key[1].endswith("List") and key not in _NOT_RESOURCES
    }


def served_kinds(kb: KnowledgeBase, target: Minor) -> set[tuple[str, str]]:
    """(apiVersion, kind) of every built-in kind a default API server of `target` serves."""
    ga = ga_resources(kb)
    kinds = {key for key, since in ga.items() if since <= target}
    known = set(ga)
    replaced_by: dict[tuple[str, str], list[ApiLifecycle]] = {}
    for entry in kb.apis:
        if entry.list_kind or not entry.resource:  # lists, webhook payloads, discovery
            continue
        known.add((entry.api_version, entry.kind))
        if entry.replacement:
            key = (entry.replacement, entry.replacement_kind or entry.kind)
            replaced_by.setdefault(key, []).append(entry)
        if not entry.enabled_by_default:
            continue
        if entry.introduced_in is not None and entry.introduced_in > target:
            continue
        if entry.removed_in is not None and entry.removed_in <= target:
            continue
        kinds.add((entry.api_version, entry.kind))
    # A replacement missing from both lists is served once an API it replaces is deprecated:
    # an API is deprecated only when its replacement is available.
    for key, entries in replaced_by.items():
        if key not in known and any(
            e.deprecated_in is not None and e.deprecated_in <= target for e in entries
        ):
            kinds.add(key)
    return kinds


def served_api_versions(kb: KnowledgeBase, target: Minor) -> tuple[str, ...]:
    """What `--api-versions` tells helm: each served group/version, and each served kind as
    `group/version/Kind`, the two forms `.Capabilities.APIVersions.Has` is asked in."""
    kinds = served_kinds(kb, target)
    return tuple(sorted({api for api, _ in kinds} | {f"{api}/{kind}" for api, kind in kinds}))


FIRST_MINOR = Minor(1, 0)
"""The oldest Kubernetes the fallback asks a chart about: old charts still compare with
versions long gone (`semverCompare "<1.14-0"`), and the ranges they give start here."""


@dataclass(frozen=True)
class CapabilityTable:
    """What `.Capabilities` answers on a default API server of each Kubernetes minor, so that
    the fallback can tell which branch a chart renders for which version."""

    minors: tuple[Minor, ...]
    """Every minor from FIRST_MINOR to the newest one asked about, in order."""
    served: tuple[frozenset[str], ...]
    """For each minor, what `.Capabilities.APIVersions.Has` is true for (both forms)."""
    groups: frozenset[str]
    """The built-in API groups (`""` for core): `Has` on any other group asks about a CRD,
    which a cluster may or may not have, so it is not answered."""
    target: Minor
    """The version the scan is for."""

    def index(self, minor: Minor) -> int:
        """The position of `minor` in `minors`."""
        return self.minors.index(minor)


def capability_table(kb: KnowledgeBase, target: Minor) -> CapabilityTable:
    """The table for a scan to `target`, from FIRST_MINOR to the newest release known."""
    last = max(kb.newest_release, target)
    minors = tuple(Minor(1, n) for n in range(FIRST_MINOR.minor, last.minor + 1))
    groups = {api.rpartition("/")[0] for api, _ in ga_resources(kb)}
    groups |= {entry.group for entry in kb.apis}
    return CapabilityTable(
        minors,
        tuple(frozenset(served_api_versions(kb, minor)) for minor in minors),
        frozenset(groups),
        target,
    )

"""What a default API server of the target serves, for `helm template --api-versions`: from
the knowledge base, its deprecated, beta and removed APIs (with their dates) and the stable
kinds it lists as replacement targets (with the release that introduced each), in both forms
charts ask about."""

from __future__ import annotations

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

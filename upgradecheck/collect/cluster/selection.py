"""Which resources to list: every kind the knowledge base tracks and the checks read, each
listed once, through the version the server prefers (objects look the same through any
served version; their evidence says which version they were written in)."""

from __future__ import annotations

from collections.abc import Iterable

from upgradecheck.collect.cluster.discovery import ServedResource
from upgradecheck.knowledge.model import KnowledgeBase

# Kinds the checks read, beyond those the knowledge base tracks.
CHECK_KINDS = frozenset(
    {
        "Namespace", "Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job",
        "CronJob", "PodDisruptionBudget", "Service", "Ingress", "IngressClass",
        "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
        "CustomResourceDefinition", "APIService", "PersistentVolume", "PersistentVolumeClaim",
        "StorageClass", "CSIDriver", "RuntimeClass", "HorizontalPodAutoscaler",
        "PodSecurityPolicy", "NetworkPolicy", "PriorityClass", "FlowSchema",
        "PriorityLevelConfiguration", "ValidatingAdmissionPolicy",
    }
)
# Listed separately (Node, Secret, ConfigMap) or not worth listing: Events are transient and
# numerous, Endpoints are written by the control plane (their clients show in the metric),
# ComponentStatus is a health probe, not an object anyone writes.
SKIPPED_KINDS = frozenset(
    {"Node", "Secret", "ConfigMap", "Event", "Endpoints", "ComponentStatus", "Binding"}
)
# Groups whose kinds moved elsewhere; listing the new home gives the same objects.
_LEGACY_GROUPS = frozenset({"extensions", "events.k8s.io"})
_STABILITY = {"alpha": 0, "beta": 1}


def _rank(version: str) -> tuple[int, int, int]:
    """GA above beta above alpha, then the higher number (v2 above v1, v1beta2 above v1beta1)."""
    digits = version[1:]
    for word, rank in _STABILITY.items():
        if word in digits:
            major, _, sub = digits.partition(word)
            return (rank, int(major or 0), int(sub or 0))
    return (2, int(digits) if digits.isdigit() else 0, 0)


def wanted_kinds(kb: KnowledgeBase) -> tuple[frozenset[str], frozenset[str]]:
    """Kinds of built-in APIs to list, and add-on API groups to list every resource of."""
    kinds = {a.kind for a in kb.apis if not a.list_kind} | CHECK_KINDS
    groups = {a.group for a in kb.addon_apis}
    return frozenset(kinds - SKIPPED_KINDS), frozenset(groups)


def select_resources(served: Iterable[ServedResource], kb: KnowledgeBase) -> list[ServedResource]:
    """One listable resource per (group, resource), at its best version; legacy groups
    dropped where a newer group serves the same kind."""
    kinds, addon_groups = wanted_kinds(kb)
    best: dict[tuple[str, str], ServedResource] = {}
    for r in served:
        if "list" not in r.verbs or r.kind in SKIPPED_KINDS:
            continue
        if r.kind not in kinds and r.group not in addon_groups:
            continue
        key = (r.group, r.name)
        current = best.get(key)
        if current is None or (r.preferred, _rank(r.version)) > (
            current.preferred,
            _rank(current.version),
        ):
            best[key] = r
    homes: dict[tuple[str, str], set[str]] = {}
    for group, name in best:
        homes.setdefault((best[(group, name)].kind, name), set()).add(group)
    chosen = [
        r
        for (group, _), r in best.items()
        if not (group in _LEGACY_GROUPS and len(homes[(r.kind, r.name)]) > 1)
    ]
    return sorted(chosen, key=lambda r: (r.group, r.name))

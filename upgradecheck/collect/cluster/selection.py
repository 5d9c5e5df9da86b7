"""Which resources to list: every group and kind the knowledge base tracks and the checks read,
each listed once, through the version the server prefers (objects look the same through any
served version; their evidence says which version they were written in). Kinds are keyed by
group, so a CRD kind that shares a name with a tracked kind (a Policy, a Service) is not
listed for it; APIs never served (config files such as audit policies) and add-on kinds with
no deprecated or removed version are never listed."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from upgradecheck.collect.cluster.discovery import ServedResource
from upgradecheck.knowledge.model import KnowledgeBase

GroupKind = tuple[str, str]

# Kinds the checks read, beyond those the knowledge base tracks, with their resource.
CHECK_KINDS: Mapping[GroupKind, str] = {
    ("", "Namespace"): "namespaces",
    ("", "Pod"): "pods",
    ("", "Service"): "services",
    ("", "PersistentVolume"): "persistentvolumes",
    ("", "PersistentVolumeClaim"): "persistentvolumeclaims",
    ("apps", "Deployment"): "deployments",
    ("apps", "StatefulSet"): "statefulsets",
    ("apps", "DaemonSet"): "daemonsets",
    ("apps", "ReplicaSet"): "replicasets",
    ("batch", "Job"): "jobs",
    ("batch", "CronJob"): "cronjobs",
    ("policy", "PodDisruptionBudget"): "poddisruptionbudgets",
    ("policy", "PodSecurityPolicy"): "podsecuritypolicies",
    ("networking.k8s.io", "Ingress"): "ingresses",
    ("networking.k8s.io", "IngressClass"): "ingressclasses",
    ("networking.k8s.io", "NetworkPolicy"): "networkpolicies",
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"): (
        "validatingwebhookconfigurations"
    ),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"): (
        "mutatingwebhookconfigurations"
    ),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"): "validatingadmissionpolicies",
    ("apiextensions.k8s.io", "CustomResourceDefinition"): "customresourcedefinitions",
    ("apiregistration.k8s.io", "APIService"): "apiservices",
    ("storage.k8s.io", "StorageClass"): "storageclasses",
    ("storage.k8s.io", "CSIDriver"): "csidrivers",
    ("node.k8s.io", "RuntimeClass"): "runtimeclasses",
    ("autoscaling", "HorizontalPodAutoscaler"): "horizontalpodautoscalers",
    ("scheduling.k8s.io", "PriorityClass"): "priorityclasses",
    ("flowcontrol.apiserver.k8s.io", "FlowSchema"): "flowschemas",
    ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"): (
        "prioritylevelconfigurations"
    ),
}
# Listed separately (Node, Secret, ConfigMap) or not worth listing: Events are transient and
# numerous, Endpoints are written by the control plane (their clients show in the metric),
# ComponentStatus is a health probe, not an object anyone writes.
SKIPPED_KINDS: frozenset[GroupKind] = frozenset(
    {
        ("", "Node"), ("", "Secret"), ("", "ConfigMap"), ("", "Event"),
        ("events.k8s.io", "Event"), ("", "Endpoints"), ("", "ComponentStatus"),
        ("", "Binding"),
    }
)  # fmt: skip
# Groups whose kinds moved elsewhere; listing the new home gives the same objects.
_LEGACY_GROUPS = frozenset({"extensions", "events.k8s.io"})
_STABILITY = {"alpha": 0, "beta": 1}
_ES_ENDING = re.compile(r"(s|x|z|ch|sh)$")
_Y_ENDING = re.compile(r"[^aeiou]y$")


@dataclass(frozen=True)
class Wanted:
    """What the collector lists and the ClusterRole grants."""

    kinds: Mapping[GroupKind, str]
    """(group, kind) → the resource to list (and grant)."""
    groups: frozenset[str]
    """Add-on groups whose deprecated or removed versions cover every kind (the data names
    none): every resource of theirs is listed."""


def plural_of(kind: str) -> str:
    """The resource name CRDs use for a kind, by the English plural their generators apply
    (`CiliumBGPPeeringPolicy` → `ciliumbgppeeringpolicies`, `Elasticsearch` →
    `elasticsearches`, `Gateway` → `gateways`)."""
    name = kind.lower()
    if _Y_ENDING.search(name):
        return name[:-1] + "ies"
    if _ES_ENDING.search(name):
        return name + "es"
    return name + "s"


def wanted(kb: KnowledgeBase) -> Wanted:
    """The built-in kinds the knowledge base tracks (with their new homes) and the checks
    read, and the kinds of add-on versions that are deprecated or removed."""
    kinds: dict[GroupKind, str] = dict(CHECK_KINDS)
    for a in kb.apis:
        if a.list_kind or not a.resource or "/" in a.resource:
            continue  # never served as a listable resource (config files, subresources)
        kinds.setdefault((a.group, a.kind), a.resource)
        if a.replacement and a.replacement_kind in (None, a.kind):
            # The same objects under the group that serves them now (extensions → apps).
            kinds.setdefault((a.replacement.rpartition("/")[0], a.kind), a.resource)
    groups: set[str] = set()
    for addon in kb.addon_apis:
        if addon.deprecated_in is None and addon.removed_in is None:
            continue  # a current version: its objects give no finding
        if not addon.kinds:
            groups.add(addon.group)
        for kind in addon.kinds:
            kinds.setdefault((addon.group, kind), plural_of(kind))
    for key in SKIPPED_KINDS:
        kinds.pop(key, None)
    return Wanted(kinds, frozenset(groups))


def _rank(version: str) -> tuple[int, int, int]:
    """GA above beta above alpha, then the higher number (v2 above v1, v1beta2 above v1beta1)."""
    digits = version[1:]
    for word, rank in _STABILITY.items():
        if word in digits:
            major, _, sub = digits.partition(word)
            return (rank, int(major or 0), int(sub or 0))
    return (2, int(digits) if digits.isdigit() else 0, 0)


def select_resources(served: Iterable[ServedResource], kb: KnowledgeBase) -> list[ServedResource]:
    """One listable resource per (group, resource), at its best version; legacy groups
    dropped where a newer group serves the same kind."""
    want = wanted(kb)
    best: dict[tuple[str, str], ServedResource] = {}
    for r in served:
        if "list" not in r.verbs or (r.group, r.kind) in SKIPPED_KINDS:
            continue
        if (r.group, r.kind) not in want.kinds and r.group not in want.groups:
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

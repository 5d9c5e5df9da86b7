"""Cross-check against the official Deprecated API Migration Guide.

The table below is typed in from the guide itself
(https://kubernetes.io/docs/reference/using-api/deprecation-guide/, sections v1.32, v1.29,
v1.27, v1.26, v1.25, v1.22 and v1.16): every group/version/kind the guide lists as no
longer served, with the release that stopped serving it. Each must be in the knowledge base
with the same removal release, and with a replacement the guide names.
"""

from __future__ import annotations

import pytest

from upgradecheck.knowledge import KnowledgeBase
from upgradecheck.versions import parse_minor

GUIDE = "https://kubernetes.io/docs/reference/using-api/deprecation-guide/"

FC = "flowcontrol.apiserver.k8s.io"
ADM = "admissionregistration.k8s.io"
RBAC = "rbac.authorization.k8s.io"

# (apiVersion, kind, removed in, apiVersion the guide says to migrate to)
GUIDE_REMOVALS = [
    # v1.32
    (f"{FC}/v1beta3", "FlowSchema", "1.32", f"{FC}/v1"),
    (f"{FC}/v1beta3", "PriorityLevelConfiguration", "1.32", f"{FC}/v1"),
    # v1.29 (the guide names v1 or v1beta3)
    (f"{FC}/v1beta2", "FlowSchema", "1.29", f"{FC}/v1beta3"),
    (f"{FC}/v1beta2", "PriorityLevelConfiguration", "1.29", f"{FC}/v1beta3"),
    # v1.27
    ("storage.k8s.io/v1beta1", "CSIStorageCapacity", "1.27", "storage.k8s.io/v1"),
    # v1.26 (the guide names v1beta2; v1beta3 and v1 serve the same objects)
    (f"{FC}/v1beta1", "FlowSchema", "1.26", f"{FC}/v1beta3"),
    (f"{FC}/v1beta1", "PriorityLevelConfiguration", "1.26", f"{FC}/v1beta3"),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler", "1.26", "autoscaling/v2"),
    # v1.25
    ("batch/v1beta1", "CronJob", "1.25", "batch/v1"),
    ("discovery.k8s.io/v1beta1", "EndpointSlice", "1.25", "discovery.k8s.io/v1"),
    ("events.k8s.io/v1beta1", "Event", "1.25", "events.k8s.io/v1"),
    ("autoscaling/v2beta1", "HorizontalPodAutoscaler", "1.25", "autoscaling/v2"),
    ("policy/v1beta1", "PodDisruptionBudget", "1.25", "policy/v1"),
    ("policy/v1beta1", "PodSecurityPolicy", "1.25", None),
    ("node.k8s.io/v1beta1", "RuntimeClass", "1.25", "node.k8s.io/v1"),
    # v1.22
    (f"{ADM}/v1beta1", "MutatingWebhookConfiguration", "1.22", f"{ADM}/v1"),
    (f"{ADM}/v1beta1", "ValidatingWebhookConfiguration", "1.22", f"{ADM}/v1"),
    ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", "1.22", "apiextensions.k8s.io/v1"),
    ("apiregistration.k8s.io/v1beta1", "APIService", "1.22", "apiregistration.k8s.io/v1"),
    ("authentication.k8s.io/v1beta1", "TokenReview", "1.22", "authentication.k8s.io/v1"),
    ("authorization.k8s.io/v1beta1", "LocalSubjectAccessReview", "1.22", "authorization.k8s.io/v1"),
    ("authorization.k8s.io/v1beta1", "SelfSubjectAccessReview", "1.22", "authorization.k8s.io/v1"),
    ("authorization.k8s.io/v1beta1", "SubjectAccessReview", "1.22", "authorization.k8s.io/v1"),
    ("authorization.k8s.io/v1beta1", "SelfSubjectRulesReview", "1.22", "authorization.k8s.io/v1"),
    ("certificates.k8s.io/v1beta1", "CertificateSigningRequest", "1.22", "certificates.k8s.io/v1"),
    ("coordination.k8s.io/v1beta1", "Lease", "1.22", "coordination.k8s.io/v1"),
    ("extensions/v1beta1", "Ingress", "1.22", "networking.k8s.io/v1"),
    ("networking.k8s.io/v1beta1", "Ingress", "1.22", "networking.k8s.io/v1"),
    ("networking.k8s.io/v1beta1", "IngressClass", "1.22", "networking.k8s.io/v1"),
    (f"{RBAC}/v1beta1", "ClusterRole", "1.22", f"{RBAC}/v1"),
    (f"{RBAC}/v1beta1", "ClusterRoleBinding", "1.22", f"{RBAC}/v1"),
    (f"{RBAC}/v1beta1", "Role", "1.22", f"{RBAC}/v1"),
    (f"{RBAC}/v1beta1", "RoleBinding", "1.22", f"{RBAC}/v1"),
    ("scheduling.k8s.io/v1beta1", "PriorityClass", "1.22", "scheduling.k8s.io/v1"),
    ("storage.k8s.io/v1beta1", "CSIDriver", "1.22", "storage.k8s.io/v1"),
    ("storage.k8s.io/v1beta1", "CSINode", "1.22", "storage.k8s.io/v1"),
    ("storage.k8s.io/v1beta1", "StorageClass", "1.22", "storage.k8s.io/v1"),
    ("storage.k8s.io/v1beta1", "VolumeAttachment", "1.22", "storage.k8s.io/v1"),
    # v1.16
    ("extensions/v1beta1", "NetworkPolicy", "1.16", "networking.k8s.io/v1"),
    ("extensions/v1beta1", "DaemonSet", "1.16", "apps/v1"),
    ("apps/v1beta2", "DaemonSet", "1.16", "apps/v1"),
    ("extensions/v1beta1", "Deployment", "1.16", "apps/v1"),
    ("apps/v1beta1", "Deployment", "1.16", "apps/v1"),
    ("apps/v1beta2", "Deployment", "1.16", "apps/v1"),
    ("apps/v1beta1", "StatefulSet", "1.16", "apps/v1"),
    ("apps/v1beta2", "StatefulSet", "1.16", "apps/v1"),
    ("extensions/v1beta1", "ReplicaSet", "1.16", "apps/v1"),
    ("apps/v1beta1", "ReplicaSet", "1.16", "apps/v1"),
    ("apps/v1beta2", "ReplicaSet", "1.16", "apps/v1"),
    ("extensions/v1beta1", "PodSecurityPolicy", "1.16", "policy/v1beta1"),
]  # fmt: skip


def test_the_table_is_the_whole_guide() -> None:
    # 2 + 2 + 1 + 3 + 7 + 23 + 12 rows across the guide's seven sections
    assert len(GUIDE_REMOVALS) == 50
    assert len({(a, k) for a, k, _, _ in GUIDE_REMOVALS}) == 50


@pytest.mark.parametrize(("api_version", "kind", "removed", "replacement"), GUIDE_REMOVALS)
def test_guide_removal_is_in_the_knowledge_base(
    bundled: KnowledgeBase, api_version: str, kind: str, removed: str, replacement: str | None
) -> None:
    entry = bundled.api(api_version, kind)
    assert entry is not None, f"{api_version} {kind} is missing"
    assert entry.removed_in == parse_minor(removed)
    assert entry.replacement == replacement
    assert entry.replacement is None or entry.replacement_kind == kind
    assert entry.source.startswith(
        "https://kubernetes.io/docs/reference/using-api/deprecation-guide/#"
    )
    assert entry.source.endswith("v" + removed.replace(".", ""))


@pytest.mark.parametrize(("api_version", "kind", "removed", "replacement"), GUIDE_REMOVALS)
def test_list_kind_follows_its_item(
    bundled: KnowledgeBase, api_version: str, kind: str, removed: str, replacement: str | None
) -> None:
    entry = bundled.api(api_version, kind + "List")
    if entry is None:
        pytest.skip(f"{api_version} has no {kind}List type")
    assert entry.list_kind
    assert entry.removed_in == parse_minor(removed)
    if replacement is not None:
        assert entry.replacement_kind == kind + "List"

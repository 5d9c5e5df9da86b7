"""Coverage against peer tools: every API that pluto or kube-no-trouble recognises is known
here, and the knowledge base knows add-on APIs beyond them.

The checklist below is our own list of group/version/kind triples, made by reading which
APIs the peers recognise (pluto's versions file, kube-no-trouble's rules); the facts about
each come from the projects themselves and live in deprecations/. Peer entries that name
no real kind (a group without a version, an empty kind, a made-up kind) are mapped onto
the kinds they mean.
"""

from __future__ import annotations

import pytest

from upgradecheck.knowledge import KnowledgeBase


def _each(api_versions: tuple[str, ...], kinds: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(v, k) for v in api_versions for k in kinds]


def _with_lists(api_version: str, kinds: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(api_version, k) for k in kinds] + [(api_version, k + "List") for k in kinds]


RBAC_KINDS = ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")

PEER_BUILT_IN: list[tuple[str, str]] = [
    *_each(("extensions/v1beta1",), ("DaemonSet", "Deployment", "Ingress", "NetworkPolicy")),
    *_each(("extensions/v1beta1",), ("PodSecurityPolicy", "ReplicaSet")),
    *_each(("apps/v1beta1",), ("Deployment", "ReplicaSet", "StatefulSet")),
    *_each(("apps/v1beta2",), ("DaemonSet", "Deployment", "ReplicaSet", "StatefulSet")),
    *_each(("networking.k8s.io/v1beta1",), ("Ingress", "IngressClass")),
    *_each(("policy/v1beta1",), ("PodDisruptionBudget", "PodDisruptionBudgetList")),
    ("policy/v1beta1", "PodSecurityPolicy"),
    *_each(("scheduling.k8s.io/v1alpha1", "scheduling.k8s.io/v1beta1"), ("PriorityClass",)),
    ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"),
    ("apiregistration.k8s.io/v1beta1", "APIService"),
    *_each(
        ("admissionregistration.k8s.io/v1beta1",),
        ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"),
    ),
    *_each(
        ("admissionregistration.k8s.io/v1alpha1",),
        ("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"),
    ),
    *_with_lists("rbac.authorization.k8s.io/v1alpha1", RBAC_KINDS),
    *_with_lists("rbac.authorization.k8s.io/v1beta1", RBAC_KINDS),
    ("node.k8s.io/v1beta1", "RuntimeClass"),
    *_with_lists("autoscaling/v2beta1", ("HorizontalPodAutoscaler",)),
    *_with_lists("autoscaling/v2beta2", ("HorizontalPodAutoscaler",)),
    *_with_lists("batch/v1beta1", ("CronJob",)),
    *_each(
        ("storage.k8s.io/v1beta1",),
        ("CSIDriver", "CSINode", "CSIStorageCapacity", "StorageClass", "VolumeAttachment"),
    ),
    *_each(("storage.k8s.io/v1alpha1", "storage.k8s.io/v1beta1"), ("VolumeAttributesClass",)),
    ("authentication.k8s.io/v1beta1", "TokenReview"),
    *_each(
        ("authorization.k8s.io/v1beta1",),
        ("LocalSubjectAccessReview", "SelfSubjectAccessReview", "SubjectAccessReview"),
    ),
    ("certificates.k8s.io/v1beta1", "CertificateSigningRequest"),
    ("coordination.k8s.io/v1beta1", "Lease"),
    ("events.k8s.io/v1beta1", "Event"),
    ("discovery.k8s.io/v1beta1", "EndpointSlice"),
    *_each(
        (
            "flowcontrol.apiserver.k8s.io/v1beta1",
            "flowcontrol.apiserver.k8s.io/v1beta2",
            "flowcontrol.apiserver.k8s.io/v1beta3",
        ),
        ("FlowSchema", "PriorityLevelConfiguration"),
    ),
    *_with_lists("audit.k8s.io/v1alpha1", ("Event", "Policy")),
    *_with_lists("audit.k8s.io/v1beta1", ("Event", "Policy")),
    *_each(
        ("resource.k8s.io/v1alpha3", "resource.k8s.io/v1beta1"),
        ("DeviceClass", "ResourceClaim", "ResourceClaimTemplate", "ResourceSlice"),
    ),
    ("storagemigration.k8s.io/v1alpha1", "StorageVersionMigration"),
]

CERT_MANAGER_KINDS = ("Certificate", "CertificateRequest", "ClusterIssuer", "Issuer")
OLD_CERT_MANAGER = (
    "cert-manager.io/v1alpha2",
    "cert-manager.io/v1alpha3",
    "cert-manager.io/v1beta1",
)
OLD_ACME = (
    "acme.cert-manager.io/v1alpha2",
    "acme.cert-manager.io/v1alpha3",
    "acme.cert-manager.io/v1beta1",
)

PEER_ADD_ONS: list[tuple[str, str]] = [
    *_each(("certmanager.k8s.io/v1alpha1",), (*CERT_MANAGER_KINDS, "Challenge", "Order")),
    *_each(OLD_CERT_MANAGER, CERT_MANAGER_KINDS),
    *_each(OLD_ACME, ("Challenge", "Order")),
    *_each(
        ("rbac.istio.io/v1alpha1",),
        ("ClusterRbacConfig", "RbacConfig", "ServiceRole", "ServiceRoleBinding"),
    ),
    *_each(("authentication.istio.io/v1alpha1",), ("MeshPolicy", "Policy")),
    *_each(
        ("snapshot.storage.k8s.io/v1beta1",),
        ("VolumeSnapshot", "VolumeSnapshotClass", "VolumeSnapshotContent"),
    ),
]

# Add-on group/versions known here that neither peer recognises.
BEYOND_PEERS: list[tuple[str, str]] = [
    ("snapshot.storage.k8s.io/v1alpha1", "VolumeSnapshot"),
    ("groupsnapshot.storage.k8s.io/v1alpha1", "VolumeGroupSnapshot"),
    ("config.istio.io/v1alpha2", "rule"),
    ("keda.k8s.io/v1alpha1", "ScaledObject"),
    ("karpenter.sh/v1alpha5", "Provisioner"),
    ("karpenter.sh/v1beta1", "NodePool"),
    ("karpenter.k8s.aws/v1alpha1", "AWSNodeTemplate"),
    ("autoscaling.k8s.io/v1beta2", "VerticalPodAutoscaler"),
    ("ark.heptio.com/v1", "Backup"),
    ("cilium.io/v2alpha1", "CiliumBGPPeeringPolicy"),
    ("serving.knative.dev/v1alpha1", "Service"),
    ("sources.knative.dev/v1beta1", "PingSource"),
    ("kafka.strimzi.io/v1beta1", "Kafka"),
    ("elasticsearch.k8s.elastic.co/v1alpha1", "Elasticsearch"),
    ("pkg.crossplane.io/v1alpha1", "ControllerConfig"),
    ("tekton.dev/v1alpha1", "Task"),
    ("monitoring.coreos.com/v1alpha1", "Prometheus"),
    ("gateway.k8s.aws/v1beta1", "TargetGroupConfiguration"),
]


def _known(kb: KnowledgeBase, api_version: str, kind: str) -> bool:
    return kb.api(api_version, kind) is not None or kb.addon_api(api_version, kind) is not None


@pytest.mark.parametrize("api_version,kind", PEER_BUILT_IN + PEER_ADD_ONS)
def test_every_api_a_peer_knows_is_known(
    bundled: KnowledgeBase, api_version: str, kind: str
) -> None:
    assert _known(bundled, api_version, kind), f"{api_version} {kind}"


def test_the_checklist_has_no_duplicates() -> None:
    everything = PEER_BUILT_IN + PEER_ADD_ONS + BEYOND_PEERS
    assert len(set(everything)) == len(everything)


def test_add_on_apis_beyond_the_peers_are_known(bundled: KnowledgeBase) -> None:
    peer_group_versions = {v for v, _ in PEER_ADD_ONS}
    for api_version, kind in BEYOND_PEERS:
        assert api_version not in peer_group_versions
        entry = bundled.addon_api(api_version, kind)
        assert entry is not None, f"{api_version} {kind}"
    known_beyond = {a.api_version for a in bundled.addon_apis} - peer_group_versions
    assert len(known_beyond) >= 40

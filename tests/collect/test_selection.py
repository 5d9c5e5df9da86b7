"""What the collector lists is keyed on group and kind: a CRD kind that shares a name with a
tracked kind is left alone, APIs never served are never listed, add-on groups are listed only
for kinds with a deprecated or removed version, and the ClusterRole grants each of them."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fakeapi.fixtures import Cluster, load_cluster

from upgradecheck.collect.cluster.collector import CollectOptions, collect_cluster
from upgradecheck.collect.cluster.discovery import ServedResource
from upgradecheck.collect.cluster.rbac import granted_resources
from upgradecheck.collect.cluster.selection import plural_of, select_resources, wanted
from upgradecheck.collect.cluster.transport import TransportOptions
from upgradecheck.knowledge import load_knowledge_base
from upgradecheck.knowledge.model import KnowledgeBase


@pytest.fixture(scope="module")
def bundled() -> KnowledgeBase:
    return load_knowledge_base()


def served(group: str, version: str, name: str, kind: str) -> ServedResource:
    return ServedResource(group, version, name, kind, True, ("get", "list", "watch"), True)


def chosen(kb: KnowledgeBase, *resources: ServedResource) -> set[tuple[str, str]]:
    return {(r.group, r.name) for r in select_resources(resources, kb)}


def test_a_kind_is_listed_in_its_own_group_only(bundled: KnowledgeBase) -> None:
    assert chosen(
        bundled,
        served("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget"),
        served("", "v1", "services", "Service"),
        # CRD kinds named like kinds the collector reads, in groups it has no grant for
        served("example.com", "v1", "policies", "Policy"),
        served("example.com", "v1", "services", "Service"),
        served("example.com", "v1", "ingresses", "Ingress"),
        served("example.com", "v1", "poddisruptionbudgets", "PodDisruptionBudget"),
    ) == {("policy", "poddisruptionbudgets"), ("", "services")}


def test_apis_never_served_are_never_wanted(bundled: KnowledgeBase) -> None:
    # audit.k8s.io Policy and Event are files and formats kube-apiserver reads and writes
    want = wanted(bundled)
    assert not any(group == "audit.k8s.io" for group, _ in want.kinds)
    assert "audit.k8s.io" not in granted_resources(bundled)
    assert not chosen(bundled, served("audit.k8s.io", "v1", "policies", "Policy"))


def test_add_on_groups_are_listed_for_their_old_kinds_only(bundled: KnowledgeBase) -> None:
    assert chosen(
        bundled,
        served("cilium.io", "v2alpha1", "ciliumbgppeeringpolicies", "CiliumBGPPeeringPolicy"),
        served("cilium.io", "v2", "ciliumendpoints", "CiliumEndpoint"),
        served("cilium.io", "v2", "ciliumidentities", "CiliumIdentity"),
        served("crd.projectcalico.org", "v1", "ipamhandles", "IPAMHandle"),
        served("crd.projectcalico.org", "v1", "ippools", "IPPool"),
        served("cert-manager.io", "v1", "certificates", "Certificate"),
        served("karpenter.sh", "v1", "nodepools", "NodePool"),
        served("argoproj.io", "v1alpha1", "applications", "Application"),
        # removed as a whole: every kind of the group version
        served("traefik.containo.us", "v1alpha1", "ingressroutes", "IngressRoute"),
    ) == {
        ("cilium.io", "ciliumbgppeeringpolicies"),
        ("cert-manager.io", "certificates"),
        ("karpenter.sh", "nodepools"),
        ("traefik.containo.us", "ingressroutes"),
    }
    granted = granted_resources(bundled)
    assert "crd.projectcalico.org" not in granted and "argoproj.io" not in granted
    assert granted["cilium.io"] == {"ciliumbgppeeringpolicies"}
    assert granted["traefik.containo.us"] == {"*"}


def test_every_wanted_add_on_kind_is_granted_under_its_plural(bundled: KnowledgeBase) -> None:
    granted = granted_resources(bundled)
    for addon in bundled.addon_apis:
        if addon.deprecated_in is None and addon.removed_in is None:
            continue
        for kind in addon.kinds:
            assert plural_of(kind) in granted[addon.group], (addon.group, kind)


@pytest.mark.parametrize(
    "kind,plural",
    [
        ("Certificate", "certificates"),
        ("Gateway", "gateways"),
        ("CiliumBGPPeeringPolicy", "ciliumbgppeeringpolicies"),
        ("GlobalContextEntry", "globalcontextentries"),
        ("Elasticsearch", "elasticsearches"),
        ("Prometheus", "prometheuses"),
        ("EC2NodeClass", "ec2nodeclasses"),
        ("KafkaConnectS2I", "kafkaconnects2is"),
        ("KafkaMirrorMaker2", "kafkamirrormaker2s"),
    ],
)
def test_plurals_are_those_the_crds_use(kind: str, plural: str) -> None:
    assert plural_of(kind) == plural


def _crd(group: str, kind: str, versions: tuple[str, ...], namespaced: bool = True) -> Any:
    plural = plural_of(kind)
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}"},
        "spec": {
            "group": group,
            "names": {"plural": plural, "singular": kind.lower(), "kind": kind},
            "scope": "Namespaced" if namespaced else "Cluster",
            "versions": [
                {"name": v, "served": True, "storage": i == 0} for i, v in enumerate(versions)
            ],
        },
    }


def with_network_add_ons(cluster: Cluster) -> Cluster:
    """The cluster with Calico's and Cilium's CRDs (one IPAMHandle and one CiliumEndpoint per
    pod, as those add-ons keep), a BGPv1 peering policy, and a CRD kind named Policy."""
    cluster = copy.deepcopy(cluster)
    crds = [
        _crd("crd.projectcalico.org", "IPAMHandle", ("v1",), namespaced=False),
        _crd("crd.projectcalico.org", "IPPool", ("v1",), namespaced=False),
        _crd("cilium.io", "CiliumEndpoint", ("v2",)),
        _crd("cilium.io", "CiliumBGPPeeringPolicy", ("v2alpha1",), namespaced=False),
        _crd("policy.example.com", "Policy", ("v1",)),
    ]
    objects: list[dict[str, Any]] = []
    for pod in cluster.objects_of_kind("Pod"):
        meta = pod["metadata"]
        name, namespace = meta["name"], meta.get("namespace", "default")
        objects.append({
            "apiVersion": "crd.projectcalico.org/v1", "kind": "IPAMHandle",
            "metadata": {"name": f"k8s-pod-network.{namespace}.{name}"},
            "spec": {"handleID": f"k8s-pod-network.{namespace}.{name}", "block": {}},
        })  # fmt: skip
        objects.append({
            "apiVersion": "cilium.io/v2", "kind": "CiliumEndpoint",
            "metadata": {"name": name, "namespace": namespace},
            "status": {"id": len(objects), "identity": {"id": 4242}},
        })  # fmt: skip
    objects += [
        {
            "apiVersion": "cilium.io/v2alpha1", "kind": "CiliumBGPPeeringPolicy",
            "metadata": {"name": "rack0"}, "spec": {"virtualRouters": []},
        },
        {
            "apiVersion": "policy.example.com/v1", "kind": "Policy",
            "metadata": {"name": "in-house", "namespace": "default"}, "spec": {},
        },
    ]  # fmt: skip
    cluster.objects = [*cluster.objects, *crds, *objects]
    return cluster


def test_a_cluster_with_network_add_ons_lists_only_what_the_role_grants(
    fakeapi: Any, bundled: KnowledgeBase
) -> None:
    api = fakeapi(with_network_add_ons(load_cluster("v1.31")))
    snapshot = collect_cluster(
        CollectOptions(
            kubeconfig=str(api.kubeconfig_path),
            probe_clients=False,
            transport=TransportOptions(retries=1),
        ),
        bundled,
    )
    lists = {r.path for r in api.requests if r.path.count("/") > 3}  # /apis/G/V/RESOURCE
    assert "/apis/cilium.io/v2alpha1/ciliumbgppeeringpolicies" in lists
    assert not [p for p in lists if "projectcalico" in p or "ciliumendpoints" in p]
    assert not [p for p in lists if "policy.example.com" in p]
    kinds = {o.ref.kind for o in snapshot.objects}
    assert "CiliumBGPPeeringPolicy" in kinds and "CiliumEndpoint" not in kinds
    assert not [c for c in snapshot.coverage if c.kind == "forbidden" or "403" in c.reason]

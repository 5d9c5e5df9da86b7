"""Add-on versions seen in a cluster, and the plan's add-on phase naming them."""

from __future__ import annotations

from upgradecheck.assess import assess
from upgradecheck.inventory import addon_versions
from upgradecheck.knowledge.model import KnowledgeBase
from upgradecheck.model import ClusterInfo, ObjectRef, ObservedObject, Snapshot
from upgradecheck.plan import build_plan


def workload(kind: str, name: str, image: str, ns: str = "kube-system") -> ObservedObject:
    body = {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": image}]}}}}
    return ObservedObject(ObjectRef("apps/v1", kind, ns, name), (), body)


SNAP = Snapshot(
    source="cluster",
    collected_at="2026-01-01T00:00:00Z",
    cluster=ClusterInfo("v1.29.3-eks-1", "eks"),
    objects=(
        workload(
            "Deployment", "coredns", "602401143452.dkr.ecr.aws/eks/coredns:v1.10.1-eksbuild.4"
        ),
        workload("DaemonSet", "kube-proxy", "registry.k8s.io/kube-proxy:v1.29.3"),
        workload("DaemonSet", "aws-node", "602401143452.dkr.ecr.aws/amazon-k8s-cni:v1.16.0"),
        workload("Deployment", "metrics-server", "registry.k8s.io/metrics-server@sha256:abc"),
        workload("Deployment", "web", "nginx:1.25", ns="shop"),
    ),
)


def test_known_addons_and_their_image_tags() -> None:
    seen = {(a.name, a.workload, a.version) for a in addon_versions(SNAP)}
    assert seen == {
        ("CoreDNS", "Deployment kube-system/coredns", "v1.10.1-eksbuild.4"),
        ("kube-proxy", "DaemonSet kube-system/kube-proxy", "v1.29.3"),
        ("Amazon VPC CNI", "DaemonSet kube-system/aws-node", "v1.16.0"),
        ("metrics-server", "Deployment kube-system/metrics-server", "unknown"),
    }


def test_the_addon_phase_names_what_it_saw(kb: KnowledgeBase) -> None:
    report = assess(SNAP, kb, target="1.30")
    phase = next(p for p in build_plan(report).phases if p.key.startswith("addons-"))
    texts = [s.text for s in phase.steps]
    assert any(
        "CoreDNS (seen: CoreDNS v1.10.1-eksbuild.4 in Deployment kube-system/coredns)" in t
        for t in texts
    )
    assert any("CNI plugin (seen: Amazon VPC CNI v1.16.0" in t for t in texts)
    assert any(
        t.startswith("metrics-server unknown (Deployment kube-system/metrics-server)")
        for t in texts
    )


def test_every_known_pattern_is_found_by_the_one_search_as_by_itself() -> None:
    # The patterns are searched as one alternation: each name is named by the first
    # pattern, in _KNOWN's order, that matches it on its own, and by no other.
    import re

    from upgradecheck.inventory import _KNOWN

    names = ["coredns", "kube-dns", "kube-proxy-x", "aws-node", "aws-node-2", "calico-node",
             "calico-kube-controllers", "cilium", "cilium-operator", "kube-flannel-ds",
             "weave-net", "antrea-agent", "ebs-csi-controller", "efs-csi-node",
             "csi-azuredisk-node", "pdcsi-node", "gce-pd-csi-driver", "metrics-server",
             "cluster-autoscaler-aws", "aws-load-balancer-controller",
             "ingress-nginx-controller", "nginx-ingress-x", "cert-manager", "my-coredns",
             "x-kube-proxy", "web", ""]
    objects = tuple(workload("Deployment", n, "img:v1") for n in names)
    snapshot = Snapshot(source="cluster", collected_at="", objects=objects)
    seen = {a.workload.split("/")[-1]: a.name for a in addon_versions(snapshot)}
    alone = {}
    for n in names:
        first = next((label for p, label in _KNOWN if re.search(p, n)), None)
        if first is not None:
            alone[n] = first
    assert seen == alone
    assert len(set(alone.values())) == len(_KNOWN)  # every pattern met by some name


def test_every_known_pattern_is_anchored_at_the_start() -> None:
    # What lets the one pattern be matched at the start of the name only.
    from upgradecheck.inventory import _KNOWN

    for pattern, _ in _KNOWN:
        assert all(alternative.startswith("^") for alternative in pattern.split("|")), pattern

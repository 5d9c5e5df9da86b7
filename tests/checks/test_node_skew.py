"""kubelet-skew / kube-proxy-skew: nodes against the control plane of each hop."""

from __future__ import annotations

import dataclasses

from support.riskfixtures import (
    SKEW_RULES,
    cluster,
    container,
    context,
    node,
    obj,
    pod_spec,
    risk_kb,
    run,
    template,
)

from upgradecheck.checks.node_skew import KUBE_PROXY_SKEW, KUBELET_SKEW, NodeSkewCheck
from upgradecheck.model import EvidenceSource, ObservedObject, Severity

CHECK = NodeSkewCheck()


def kube_proxy_daemonset(image: str) -> ObservedObject:
    spec = pod_spec(container("kube-proxy", image))
    return obj(
        "apps/v1",
        "DaemonSet",
        "kube-system",
        "kube-proxy",
        spec={"template": template(spec, labels={"k8s-app": "kube-proxy"})},
    )


def test_kubelet_exactly_at_the_n3_limit_passes_one_more_fails() -> None:
    # kubelets from 1.25 on may be three minors behind: 1.25 with a 1.28 control plane is the
    # edge; 1.25 with 1.29 is one too many.
    snap = cluster(nodes=[node("a", "v1.25.16")], version="v1.25.16")
    assert run(CHECK, context(snap, current="1.25", target="1.28"), KUBELET_SKEW) == []
    [f] = run(CHECK, context(snap, current="1.25", target="1.29"), KUBELET_SKEW)
    assert (f.severity, f.hop, f.subject) == (Severity.BLOCKER, "1.29", "node pool general")
    assert "4 minors behind" in f.message and "up to 3 minors older" in f.message


def test_kubelet_before_125_is_held_to_n2() -> None:
    # 1.24 kubelets: two behind is the limit (1.26), three (1.27) is outside.
    snap = cluster(nodes=[node("a", "v1.24.17")], version="v1.24.17")
    assert run(CHECK, context(snap, current="1.24", target="1.26"), KUBELET_SKEW) == []
    [f] = run(CHECK, context(snap, current="1.24", target="1.28"), KUBELET_SKEW)
    assert f.hop == "1.27"
    assert "for kubelet before 1.25" in f.message
    # 1.25 is enough for a 1.27 control plane (n-3 applies to it), better 1.26
    assert "to kubelet 1.25 or newer (better 1.26" in f.remediation
    assert "before the control plane moves to 1.27" in f.remediation


def test_one_finding_per_pool_and_version_with_node_names() -> None:
    nodes = [node(f"batch-{i}", "v1.22.17", "batch") for i in range(15)]
    nodes += [node("legacy-0", "v1.21.14", "legacy"), node("gen-0", "v1.23.17", "general")]
    findings = run(CHECK, context(cluster(nodes=nodes)), KUBELET_SKEW)
    by_subject = {f.subject: f for f in findings}
    assert set(by_subject) == {"node pool batch", "node pool legacy", "node pool general"}
    batch = by_subject["node pool batch"]
    assert batch.hop == "1.25" and by_subject["node pool legacy"].hop == "1.24"
    assert by_subject["node pool general"].hop == "1.26"
    assert "15 nodes of node pool batch" in batch.message and "and 10 more" in batch.message
    assert len(batch.evidence) == 10  # capped; the message gives the count
    e = batch.evidence[0]
    assert (e.source, e.location, e.api_version) == (
        EvidenceSource.NODE,
        "batch-0",
        "v1.22.17",
    )


def test_nodes_without_pool_are_named_so() -> None:
    [f] = run(CHECK, context(cluster(nodes=[node("n1", "v1.21.1", None)])), KUBELET_SKEW)
    assert f.subject == "the nodes with no pool label"


def test_kubelet_newer_than_control_plane() -> None:
    within_target = cluster(nodes=[node("a", "v1.24.2")])
    [f] = run(CHECK, context(within_target), KUBELET_SKEW)
    assert f.severity is Severity.WARNING and "newer than the control plane at 1.23" in f.message
    beyond_target = cluster(nodes=[node("a", "v1.27.2")])
    [f] = run(CHECK, context(beyond_target), KUBELET_SKEW)
    assert f.severity is Severity.BLOCKER and "still newer than the target 1.26" in f.message


def test_kubelet_already_outside_the_policy_is_reported_now() -> None:
    # kubelet 1.21 under a 1.24 control plane (n-2 before 1.25): wrong today, so reported with
    # no hop, for an upgrade and for a health check of the cluster as it is alike.
    snap = cluster(nodes=[node("l1", "v1.21.14", "legacy")], version="v1.24.9")
    for target in ("1.24", "1.25"):
        [f] = run(CHECK, context(snap, current="1.24", target=target), KUBELET_SKEW)
        assert (f.severity, f.hop, f.subject) == (Severity.BLOCKER, None, "node pool legacy")
        assert "kubelet 1.21 under a control plane at 1.24" in f.message
        assert "already outside the version skew policy" in f.message
    [f] = run(CHECK, context(snap, current="1.24", target="1.24"), KUBELET_SKEW)
    assert f.remediation.startswith("Upgrade node pool legacy now: to kubelet 1.22 or newer")
    [f] = run(CHECK, context(snap, current="1.24", target="1.25"), KUBELET_SKEW)
    # before the control plane moves to 1.25, the kubelet must be within its reach
    assert "to kubelet 1.23 or newer" in f.remediation and "moves to 1.25" in f.remediation


def test_kubelet_within_now_and_at_no_hop_raises_nothing() -> None:
    snap = cluster(nodes=[node("l1", "v1.22.14", "legacy")], version="v1.24.9")
    assert run(CHECK, context(snap, current="1.24", target="1.24"), KUBELET_SKEW) == []
    [f] = run(CHECK, context(snap, current="1.24", target="1.25"), KUBELET_SKEW)
    assert f.hop == "1.25" and "Once the control plane is at 1.25" in f.message


def test_kubelet_newer_at_no_hop_is_a_blocker_today() -> None:
    [f] = run(
        CHECK, context(cluster(nodes=[node("a", "v1.24.2")]), target="1.23"), KUBELET_SKEW
    )
    assert (f.severity, f.hop) == (Severity.BLOCKER, None)
    assert "already outside the skew policy" in f.message
    assert "Upgrade the control plane to 1.24" in f.remediation


def test_the_policy_comes_from_the_knowledge_base() -> None:
    snap = cluster(nodes=[node("a", "v1.23.5")])
    ctx = context(snap, current="1.23", target="1.24")
    assert run(CHECK, ctx, KUBELET_SKEW) == []
    strict = tuple(
        dataclasses.replace(r, max_older=0) if r.component == "kubelet" else r for r in SKEW_RULES
    )
    ctx = context(snap, current="1.23", target="1.24", kb=risk_kb(skew_rules=strict))
    [f] = run(CHECK, ctx, KUBELET_SKEW)
    assert f.hop == "1.24"
    assert run(CHECK, context(snap, target="1.30", kb=risk_kb(skew_rules=())), KUBELET_SKEW) == []


def test_kube_proxy_daemonset_image_is_judged_once() -> None:
    nodes = [node(f"n{i}", "v1.23.1", proxy="v1.23.1") for i in range(3)]
    ds = kube_proxy_daemonset("registry.k8s.io/kube-proxy:v1.22.9")
    [f] = run(CHECK, context(cluster(ds, nodes=nodes), target="1.25"), KUBE_PROXY_SKEW)
    assert f.object is not None and f.object.name == "kube-proxy" and f.subject is None
    assert f.hop == "1.25" and f.severity is Severity.BLOCKER
    assert f.evidence[0].location == "spec.template.spec.containers[kube-proxy].image"
    assert "Upgrade the kube-proxy DaemonSet first" in f.remediation


def test_kube_proxy_from_nodes_when_no_daemonset() -> None:
    reported = cluster(nodes=[node("a", "v1.23.1", proxy="v1.21.3")])
    [f] = run(CHECK, context(reported, target="1.24"), KUBE_PROXY_SKEW)
    assert f.hop == "1.24" and f.evidence[0].api_version == "v1.21.3"
    # no kube-proxy version reported: the kubelet's stands in
    assumed = cluster(nodes=[node("a", "v1.23.1")])
    assert run(CHECK, context(assumed, target="1.25"), KUBE_PROXY_SKEW) == []
    [f] = run(CHECK, context(assumed, target="1.26"), KUBE_PROXY_SKEW)
    assert f.hop == "1.26"


def test_kube_proxy_too_far_from_its_kubelets() -> None:
    ds = kube_proxy_daemonset("registry.k8s.io/kube-proxy:v1.23.4")
    old = cluster(ds, nodes=[node("old", "v1.20.4", "old"), node("new", "v1.23.4")])
    findings = run(CHECK, context(old, target="1.24"), KUBE_PROXY_SKEW)
    [f] = [f for f in findings if "next to kubelets" in f.message]
    assert "kubelets 1.20" in f.message and f.severity is Severity.BLOCKER
    assert f.hop is None and "already outside the policy" in f.message
    close = cluster(ds, nodes=[node("ok", "v1.21.4")])
    assert not [f for f in run(CHECK, context(close), KUBE_PROXY_SKEW) if "next to" in f.message]


def test_no_nodes_no_findings() -> None:
    assert list(CHECK.run(context(cluster(), target="1.30"))) == []

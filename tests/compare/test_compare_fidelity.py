"""Rehearsal fidelity with hand-built production and test snapshots."""

from __future__ import annotations

import datetime as dt

from support.compare_fixtures import cluster, node, obj, release

from upgradecheck.compare import CompareMode, Comparison, compare_snapshots
from upgradecheck.model import Severity, Snapshot, Verdict

NOW = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)


def fidelity(production: Snapshot, test: Snapshot) -> Comparison:
    return compare_snapshots(production, test, mode=CompareMode.FIDELITY, now=NOW)


def rows(comparison: Comparison, check: str) -> list[tuple[str, str, str | None, str | None]]:
    return [
        (d.severity.value, d.subject, d.before, d.after)
        for d in comparison.differences
        if d.check == check
    ]


PROD = cluster(
    "v1.29.4-eks-1",
    obj("CustomResourceDefinition", None, "certificates.cert-manager.io"),
    obj("CustomResourceDefinition", None, "widgets.example.com"),
    obj("ValidatingWebhookConfiguration", None, "policy"),
    obj("MutatingWebhookConfiguration", None, "istio-sidecar-injector"),
    nodes=(
        node("p1", "v1.29.4", runtime="containerd://1.7.2"),
        node("p2", "v1.28.9", runtime="containerd://1.6.30"),
    ),
    releases=(
        release("web", 1, "superseded", "web", "4.1.0"),
        release("web", 2, "deployed", "web", "4.2.0"),
        release("ingress", 5, "deployed", "ingress-nginx", "4.10.0"),
        release("mon", 1, "deployed", "kube-prometheus-stack", "58.0.0"),
    ),
    served=("v1", "apps/v1", "cert-manager.io/v1", "example.com/v1", "autoscaling/v2"),
)


def test_a_faithful_test_cluster_is_ready() -> None:
    same = fidelity(PROD, PROD)
    assert same.differences == () and same.verdict is Verdict.READY
    assert (same.before.label, same.after.label) == ("production", "test")


def test_what_production_has_and_the_test_cluster_lacks() -> None:
    test = cluster(
        "v1.29.6-eks-2",
        obj("CustomResourceDefinition", None, "certificates.cert-manager.io"),
        obj("ValidatingWebhookConfiguration", None, "policy"),
        obj("ValidatingWebhookConfiguration", None, "kyverno"),
        nodes=(node("t1", "v1.29.6", runtime="containerd://1.7.11"),),
        releases=(
            release("web", 7, "deployed", "web", "4.3.0"),
            release("nginx", 1, "deployed", "ingress-nginx", "4.10.0"),
            release("argo", 1, "deployed", "argo-cd", "6.0.0"),
        ),
        served=("v1", "apps/v1", "cert-manager.io/v1", "batch/v1"),
        platform="kind",
    )
    comparison = fidelity(PROD, test)
    assert rows(comparison, "server-version") == [
        ("info", "API server", "v1.29.4-eks-1", "v1.29.6-eks-2")
    ]
    assert rows(comparison, "platform") == [("warning", "platform", "eks", "kind")]
    # example.com/v1 is named once, by its missing CRD.
    assert rows(comparison, "api-version") == [
        ("warning", "API autoscaling/v2", "present", "absent"),
        ("info", "test only: 1 API", None, None),
    ]
    assert rows(comparison, "crd") == [("warning", "CRD widgets.example.com", "present", "absent")]
    assert rows(comparison, "helm-chart") == [
        ("warning", "kube-prometheus-stack", "kube-prometheus-stack@58.0.0", "absent"),
        ("warning", "web", "web@4.2.0", "web@4.3.0"),
        ("info", "test only: 1 chart", None, None),
    ]
    assert rows(comparison, "webhook") == [
        ("warning", "MutatingWebhookConfiguration istio-sidecar-injector", "present", "absent"),
        ("info", "test only: 1 webhook", None, None),
    ]
    assert rows(comparison, "kubelet-minor") == [("warning", "kubelet 1.28", "present", "absent")]
    assert rows(comparison, "container-runtime") == [
        ("warning", "runtime containerd://1.6", "present", "absent")
    ]
    assert comparison.verdict is Verdict.REVIEW
    only_test = [d for d in comparison.differences if d.subject == "test only: 1 webhook"]
    assert only_test[0].message == (
        "Only the test cluster has this: ValidatingWebhookConfiguration kyverno."
    )


def test_another_minor_is_a_blocker() -> None:
    test = cluster("v1.28.9", *PROD.objects, nodes=PROD.nodes, releases=PROD.helm_releases,
                   served=PROD.served_apis)  # fmt: skip
    comparison = fidelity(PROD, test)
    [difference] = comparison.differences
    assert difference.severity is Severity.BLOCKER and difference.check == "server-version"
    assert comparison.verdict is Verdict.BLOCKED

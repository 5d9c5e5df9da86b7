"""Rehearsal verification with hand-built before/after snapshots: what the upgrade changed,
what it broke, and what was already broken (not reported)."""

from __future__ import annotations

import datetime as dt

import pytest
from support.compare_fixtures import (
    cluster,
    daemonset,
    deployment,
    node,
    obj,
    pod,
    pvc,
    release,
)

from upgradecheck.compare import CompareError, CompareMode, compare_snapshots
from upgradecheck.exit_codes import ExitCode, FailOn, exit_code
from upgradecheck.model import CoverageNote, Severity, Snapshot, Verdict

NOW = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)
LATER = "2026-03-02T10:00:00Z"


def diffs(before: Snapshot, after: Snapshot) -> list[tuple[str, str, str, str | None, str | None]]:
    comparison = compare_snapshots(before, after, now=NOW)
    return [
        (d.check, d.severity.value, d.subject, d.before, d.after) for d in comparison.differences
    ]


def without_versions(before: Snapshot, after: Snapshot) -> list[tuple[str, ...]]:
    return [d[:3] for d in diffs(before, after) if d[0] not in ("server-version", "node-version")]


def test_versions_before_and_after() -> None:
    before = cluster("v1.30.4", nodes=(node("a", "v1.30.4"), node("b", "v1.30.4")))
    after = cluster(
        "v1.31.1", nodes=(node("a", "v1.31.1"), node("c", "v1.30.4")), collected_at=LATER
    )
    assert diffs(before, after) == [
        ("server-version", "info", "API server", "v1.30.4", "v1.31.1"),
        (
            "node-version",
            "info",
            "kubelets",
            "v1.30.4 on 2 nodes",
            "v1.30.4 on 1 node, v1.31.1 on 1 node",
        ),
    ]


def test_an_unchanged_or_lower_server_version() -> None:
    same = compare_snapshots(cluster("v1.30.4"), cluster("v1.30.4"), now=NOW)
    assert same.differences[0].severity is Severity.INFO
    assert "did not change" in same.differences[0].message
    lower = compare_snapshots(cluster("v1.31.0"), cluster("v1.30.4"), now=NOW)
    assert lower.differences[0].severity is Severity.WARNING
    assert lower.verdict is Verdict.REVIEW


def test_nodes_not_ready_and_fewer_nodes() -> None:
    before = cluster(
        "v1.30.4", nodes=(node("a", "v1.30.4"), node("b", "v1.30.4", ready=False), node("c", "v1"))
    )
    after = cluster(
        "v1.31.1",
        nodes=(node("a", "v1.31.1", ready=False), node("b", "v1.31.1", ready=False)),
    )
    assert without_versions(before, after) == [
        ("node-not-ready", "blocker", "node a"),  # b was NotReady already
        ("node-count", "warning", "nodes"),
    ]
    replaced = cluster("v1.31.1", nodes=(node("x", "v1.31.1", ready=False),))
    assert ("node-not-ready", "blocker", "node x") in without_versions(before, replaced)


def test_objects_that_disappeared() -> None:
    helm_record = obj(
        "Secret", "shop", "sh.helm.release.v1.web.v1", metadata={"labels": {"owner": "helm"}}
    )
    before = cluster(
        "v1.24.9",
        deployment("web", 3),
        deployment("api", 3),
        obj("Pod", "shop", "web-1"),
        obj("PodSecurityPolicy", None, "restricted"),
        helm_record,
        served=("v1", "apps/v1", "policy/v1beta1"),
    )
    after = cluster("v1.25.3", deployment("web", 3), served=("v1", "apps/v1"))
    comparison = compare_snapshots(before, after, now=NOW)
    gone = [d for d in comparison.differences if d.check == "object-disappeared"]
    assert [(d.severity, d.subject) for d in gone] == [
        (Severity.WARNING, "Deployment shop/api"),
        (Severity.WARNING, "PodSecurityPolicy restricted"),
    ]
    assert gone[0].message == "Deleted during the upgrade, or no longer listed."
    assert gone[1].message == "Its API policy/v1beta1 is no longer served."
    assert gone[0].object is not None and gone[0].object.kind == "Deployment"


def test_workloads_ready_before_and_not_after() -> None:
    before = cluster(
        "v1.30.4",
        deployment("web", 3),
        deployment("flaky", 1),
        deployment("paused", 2, replicas=2),
        daemonset("kube-proxy", 3),
    )
    after = cluster(
        "v1.31.1",
        deployment("web", 1),
        deployment("flaky", 1),  # already not ready: not the upgrade's doing
        deployment("paused", 0, replicas=0),  # scaled to zero: nothing to be ready
        deployment("new", 0, replicas=2),
        daemonset("kube-proxy", 2),
    )
    assert [d for d in diffs(before, after) if d[0] == "workload-not-ready"] == [
        (
            "workload-not-ready",
            "blocker",
            "DaemonSet kube-system/kube-proxy",
            "3/3 ready",
            "2/3 ready",
        ),
        ("workload-not-ready", "blocker", "Deployment shop/web", "3/3 ready", "1/3 ready"),
        ("workload-not-ready", "warning", "Deployment shop/new", "absent", "0/2 ready"),
    ]


def test_a_deployment_without_replicas_wants_one() -> None:
    before = cluster("v1.30.4", obj("Deployment", "shop", "one", status={"readyReplicas": 1}))
    after = cluster("v1.31.1", obj("Deployment", "shop", "one", status={}))
    assert without_versions(before, after) == [
        ("workload-not-ready", "blocker", "Deployment shop/one")
    ]


def test_new_crash_loops_are_keyed_by_owner_across_new_pods() -> None:
    before = cluster(
        "v1.30.4",
        pod("web", "5d9c", "a", restarts=1),
        pod("api", "77aa", "a", restarts=0),
        pod("worker", "11bb", "a", waiting="CrashLoopBackOff", restarts=40),
    )
    after = cluster(
        "v1.31.1",
        pod("web", "8f2e", "b", waiting="CrashLoopBackOff", restarts=6),  # a new ReplicaSet
        pod("web", "8f2e", "c", restarts=0),
        pod("api", "77aa", "a", restarts=4),  # +4: below the jump
        pod("worker", "11bb", "a", waiting="CrashLoopBackOff", restarts=60),  # not new
        pod("batch", "33cc", "a", restarts=7),  # new controller, restarting
    )
    comparison = compare_snapshots(before, after, now=NOW)
    loops = [d for d in comparison.differences if d.check == "crash-loop"]
    assert [(d.severity.value, d.subject, d.before, d.after) for d in loops] == [
        ("blocker", "Deployment shop/web", "1 restart", "6 restarts"),
        ("warning", "Deployment shop/batch", "0 restarts", "7 restarts"),
    ]
    assert loops[0].message == "1 of 2 pods in CrashLoopBackOff."


def test_pending_pvcs() -> None:
    before = cluster("v1.30.4", pvc("data", "Bound"), pvc("stuck", "Pending"))
    after = cluster(
        "v1.31.1", pvc("data", "Pending"), pvc("stuck", "Pending"), pvc("fresh", "Pending")
    )
    assert without_versions(before, after) == [
        ("pvc-pending", "blocker", "PersistentVolumeClaim shop/data"),
        ("pvc-pending", "warning", "PersistentVolumeClaim shop/fresh"),
    ]


def test_helm_releases_that_failed() -> None:
    before = cluster(
        "v1.30.4",
        releases=(release("web", 3, "deployed"), release("old", 2, "failed")),
    )
    after = cluster(
        "v1.31.1",
        releases=(
            release("web", 3, "superseded"),
            release("web", 4, "failed"),
            release("old", 2, "failed"),
            release("new", 1, "failed"),
        ),
    )
    assert [d for d in diffs(before, after) if d[0] == "helm-release-failed"] == [
        ("helm-release-failed", "blocker", "Helm release shop/new", "absent", "rev 1 failed"),
        (
            "helm-release-failed",
            "blocker",
            "Helm release shop/web",
            "rev 3 deployed",
            "rev 4 failed",
        ),
    ]


def test_verdict_and_exit_code() -> None:
    before = cluster("v1.30.4", deployment("web", 3), deployment("gone", 1, replicas=1))
    broken = cluster("v1.31.1", deployment("web", 2))
    comparison = compare_snapshots(before, broken, now=NOW)
    assert comparison.verdict is Verdict.BLOCKED
    assert comparison.summary == {"blocker": 1, "warning": 1, "info": 1}
    assert [d.severity for d in comparison.differences] == [
        Severity.BLOCKER,
        Severity.WARNING,
        Severity.INFO,
    ]
    assert exit_code(comparison, FailOn.BLOCKER) is ExitCode.FINDINGS
    assert exit_code(comparison, FailOn.NONE) is ExitCode.OK
    review = compare_snapshots(before, cluster("v1.31.1", deployment("web", 3)), now=NOW)
    assert review.verdict is Verdict.REVIEW
    assert exit_code(review, FailOn.BLOCKER) is ExitCode.OK
    assert exit_code(review, FailOn.WARNING) is ExitCode.FINDINGS
    fine = compare_snapshots(before, cluster("v1.31.1", *before.objects), now=NOW)
    assert fine.verdict is Verdict.READY and exit_code(fine, FailOn.WARNING) is ExitCode.OK


def test_coverage_of_both_sides_is_kept_and_labelled() -> None:
    gap = CoverageNote("resource v1/pods", "resource v1/pods: 403 Forbidden", "forbidden")
    note = CoverageNote("local kubectl", "none found", "note")
    before = cluster("v1.30.4", coverage=(gap,))
    after = cluster("v1.31.1", coverage=(note,))
    comparison = compare_snapshots(before, after, now=NOW)
    assert [n.describe() for n in comparison.coverage] == [
        "before: resource v1/pods: 403 Forbidden",
        "after: local kubectl: none found",
    ]
    assert comparison.verdict is Verdict.REVIEW


def test_swapped_snapshots_are_noted() -> None:
    before = cluster("v1.30.4", collected_at="2026-03-02T00:00:00Z")
    after = cluster("v1.31.1", collected_at="2026-03-01T00:00:00Z")
    [note] = compare_snapshots(before, after, now=NOW).notes
    assert "are they swapped?" in note.reason


def test_manifest_scans_cannot_be_compared() -> None:
    scan = Snapshot(source="manifests", collected_at="x")
    with pytest.raises(CompareError, match=r"^after\.json is a manifests scan"):
        compare_snapshots(cluster("v1.30.4"), scan, files=("before.json", "after.json"))
    with pytest.raises(CompareError, match="the production snapshot is a manifests scan"):
        compare_snapshots(scan, cluster("v1.30.4"), mode=CompareMode.FIDELITY)


def test_two_different_clusters_are_noted() -> None:
    def ns(uid: str) -> Snapshot:
        return cluster("v1.30.4", obj("Namespace", None, "default", metadata={"uid": uid}))

    assert compare_snapshots(ns("1"), ns("1"), now=NOW).notes == ()
    [note] = compare_snapshots(ns("1"), ns("2"), now=NOW).notes
    assert note.subject == "snapshots" and "use --fidelity" in note.reason
    fidelity = compare_snapshots(ns("1"), ns("2"), mode=CompareMode.FIDELITY, now=NOW)
    assert fidelity.notes == ()

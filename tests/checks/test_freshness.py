"""The evidence-freshness decision table (docs/evidence-freshness.md), one test per row."""

from __future__ import annotations

from upgradecheck.assess import assess
from upgradecheck.knowledge.model import KnowledgeBase
from upgradecheck.model import (
    ClusterInfo,
    Evidence,
    EvidenceSource,
    Finding,
    ObjectRef,
    ObservedObject,
    Severity,
    Snapshot,
)

OLD, NEW = "policy/v1beta1", "policy/v1"


def mf(manager: str, api: str, time: str = "2024-01-01T00:00:00Z", sub: str = "") -> Evidence:
    detail = "operation Update" + (f", subresource {sub}" if sub else "")
    return Evidence(EvidenceSource.MANAGED_FIELDS, f"manager {manager}", api, detail, time)


def la(api: str) -> Evidence:
    return Evidence(
        EvidenceSource.LAST_APPLIED, "kubectl.kubernetes.io/last-applied-configuration", api
    )


def findings(kb: KnowledgeBase, *evidence: Evidence) -> list[Finding]:
    obj = ObservedObject(ObjectRef(NEW, "PodDisruptionBudget", "shop", "web"), evidence)
    snap = Snapshot(
        source="cluster",
        collected_at="2024-03-01T00:00:00Z",
        objects=(obj,),
        cluster=ClusterInfo("v1.24.9"),
    )
    return [f for f in assess(snap, kb, target="1.25").findings if f.object is not None]


def test_row1_file_evidence_is_a_blocker(kb: KnowledgeBase) -> None:
    [f] = findings(kb, Evidence(EvidenceSource.FILE, "pdb.yaml:3", OLD))
    assert (f.rule, f.severity) == ("api-removed", Severity.BLOCKER)


def test_row2_client_writer_is_a_blocker_with_its_name_and_age(kb: KnowledgeBase) -> None:
    [f] = findings(
        kb,
        mf("argocd-application-controller", OLD, "2024-02-01T00:00:00Z"),
        mf("kube-controller-manager", NEW, "2024-02-28T00:00:00Z", sub="status"),
    )
    assert (f.rule, f.severity) == ("api-removed", Severity.BLOCKER)
    assert "argocd-application-controller last wrote on 2024-02-01 (29 days" in f.message


def test_row2_status_writer_through_removed_api_is_a_blocker(kb: KnowledgeBase) -> None:
    [f] = findings(kb, mf("pdb-status-operator", OLD, sub="status"), mf("kubectl", NEW))
    assert f.severity is Severity.BLOCKER and "pdb-status-operator" in f.message


def test_row2_newer_writes_never_hide_an_older_writer(kb: KnowledgeBase) -> None:
    [f] = findings(
        kb,
        la(NEW),
        mf("kubectl-client-side-apply", NEW, "2024-02-27T00:00:00Z"),
        mf("legacy-operator", OLD, "2021-01-01T00:00:00Z"),
    )
    assert (f.rule, f.severity) == ("api-removed", Severity.BLOCKER)
    assert "legacy-operator" in f.message


def test_row3_only_control_plane_writers_is_info(kb: KnowledgeBase) -> None:
    [f] = findings(kb, mf("kube-controller-manager", OLD, sub="status"), mf("helm", NEW))
    assert (f.rule, f.severity) == ("api-removed", Severity.INFO)
    assert "upgraded with the control plane" in f.message


def test_row4_annotation_without_managed_fields_is_a_blocker(kb: KnowledgeBase) -> None:
    [f] = findings(kb, la(OLD))
    assert (f.rule, f.severity) == ("api-removed", Severity.BLOCKER)


def test_row5_annotation_contradicted_by_every_writer_is_stale(kb: KnowledgeBase) -> None:
    [f] = findings(
        kb,
        la(OLD),
        mf("kubectl-client-side-apply", NEW, "2024-02-20T00:00:00Z"),
        mf("kube-controller-manager", NEW, "2024-02-21T00:00:00Z", sub="status"),
    )
    assert (f.rule, f.severity) == ("stale-last-applied", Severity.WARNING)
    assert "since written in policy/v1 by kube-controller-manager on 2024-02-21" in f.message
    assert "Re-apply" in f.remediation


def test_row6_annotation_corroborated_by_kubectl_entry_is_a_blocker(kb: KnowledgeBase) -> None:
    [f] = findings(kb, la(OLD), mf("kubectl-client-side-apply", OLD))
    assert (f.rule, f.severity) == ("api-removed", Severity.BLOCKER)
    assert len(f.evidence) == 2

"""Helm release state: duplicate deployed revisions, stuck releases, chart kubeVersion."""

from __future__ import annotations

import pytest

from upgradecheck.assess import assess
from upgradecheck.checks.semver_range import ConstraintError, parse_constraint, parse_version
from upgradecheck.knowledge.model import KnowledgeBase
from upgradecheck.model import ClusterInfo, HelmRelease, ObjectRef, Severity, Snapshot

PDB = ObjectRef("policy/v1beta1", "PodDisruptionBudget", "ing", "nginx")


def rel(rev: int, status: str, kube: str | None = None, name: str = "nginx") -> HelmRelease:
    return HelmRelease(
        name,
        "ing",
        rev,
        status,
        "ingress-nginx",
        f"4.{rev}.0",
        None,
        kube,
        f"2024-01-0{rev}T00:00:00Z",
        "secret",
        (PDB,),
    )


def findings(
    kb: KnowledgeBase,
    *rels: HelmRelease,
    server: str = "v1.24.9",
    platform: str = "unknown",
    target: str = "1.25",
):
    snap = Snapshot(
        source="cluster",
        collected_at="2024-02-01T00:00:00Z",
        cluster=ClusterInfo(server, platform),
        helm_releases=rels,
    )
    return assess(snap, kb, target=target).findings


def test_duplicates_warn_and_only_the_newest_is_judged(kb: KnowledgeBase) -> None:
    fs = findings(kb, rel(1, "deployed"), rel(2, "superseded"), rel(3, "deployed"))
    [dup] = [f for f in fs if f.rule == "helm-release-duplicate-deployed"]
    assert dup.severity is Severity.WARNING and "revisions marked deployed (1 and 3)" in dup.message
    assert "sh.helm.release.v1.nginx.v1 status=superseded" in dup.remediation
    removed = [f for f in fs if f.rule == "helm-release-removed-api"]
    assert [f.evidence[0].location for f in removed] == ["release ing/nginx rev 3"]


@pytest.mark.parametrize(
    "status", ["pending-install", "pending-upgrade", "pending-rollback", "failed"]
)
def test_stuck_or_failed_newest_revision_warns(kb: KnowledgeBase, status: str) -> None:
    fs = findings(kb, rel(1, "deployed"), rel(2, status))
    [f] = [f for f in fs if f.rule == "helm-release-stuck"]
    assert f.severity is Severity.WARNING and status in f.message
    assert "helm -n ing rollback nginx" in f.remediation


def test_superseded_history_is_not_stuck(kb: KnowledgeBase) -> None:
    fs = findings(kb, rel(1, "failed"), rel(2, "deployed"))
    assert not [f for f in fs if f.rule == "helm-release-stuck"]


def test_kube_version_excluding_a_hop_is_a_blocker_in_that_hop(kb: KnowledgeBase) -> None:
    fs = findings(kb, rel(1, "deployed", ">=1.19.0-0 <1.25.0-0"), server="v1.23.4", target="1.26")
    [f] = [f for f in fs if f.rule == "helm-release-kube-version"]
    assert (f.severity, f.hop) == (Severity.BLOCKER, "1.25")


def test_kube_version_admitting_every_hop_is_fine(kb: KnowledgeBase) -> None:
    fs = findings(kb, rel(1, "deployed", ">=1.19.0-0"), target="1.25")
    assert not [f for f in fs if f.rule == "helm-release-kube-version"]


def test_platform_suffix_needs_the_prerelease_trick(kb: KnowledgeBase) -> None:
    # EKS reports v1.25.x-eks-...: Helm treats it as a prerelease that `>=1.19.0` excludes.
    fs = findings(kb, rel(1, "deployed", ">=1.19.0"), platform="eks")
    assert [f.hop for f in fs if f.rule == "helm-release-kube-version"] == ["1.25"]
    fs = findings(kb, rel(1, "deployed", ">=1.19.0"), platform="unknown")
    assert not [f for f in fs if f.rule == "helm-release-kube-version"]


@pytest.mark.parametrize(
    ("constraint", "version", "allowed"),
    [
        (">=1.19.0-0", "1.33.0", True),
        (">=1.19.0-0", "1.33.2-eks-1", True),
        (">=1.19.0", "1.33.2-eks-1", False),
        (">= 1.16.0-0 < 1.26.0-0", "1.26.0", False),
        (">= 1.16.0-0 < 1.26.0-0", "1.25.9", True),
        (">=1.20.0-0, <1.30.0-0", "1.29.3-gke.100", True),
        ("^1.20.0-0", "1.33.0", True),
        ("~1.24.0", "1.25.0", False),
        ("~1.24.0", "1.24.7", True),
        ("1.22 - 1.25", "1.25.9", True),
        ("1.22 - 1.25", "1.26.0", False),
        (">=1.21.0-0 || <1.10", "1.9.0", True),
        ("1.2.x", "1.3.0", False),
        ("*", "1.3.0", True),
        ("<=1.25", "1.25.5", True),
        ("<=1.25", "1.26.0", False),
        (">1.25", "1.25.5", False),
        (">1.25", "1.26.0", True),
    ],
)
def test_constraint_semantics(constraint: str, version: str, allowed: bool) -> None:
    assert parse_constraint(constraint).allows(parse_version(version)) is allowed


def test_bad_constraints_raise() -> None:
    for text in ("", ">=one", "~>"):
        with pytest.raises(ConstraintError):
            parse_constraint(text)

"""Helm release state: duplicate deployed revisions, stuck releases, chart kubeVersion."""

from __future__ import annotations

import pytest
from support.kube_version_cases import CASES

from upgradecheck.assess import assess
from upgradecheck.knowledge import load_knowledge_base
from upgradecheck.knowledge.model import KnowledgeBase
from upgradecheck.model import (
    ClientBinary,
    ClusterInfo,
    EvidenceSource,
    HelmRelease,
    ObjectRef,
    Severity,
    Snapshot,
)
from upgradecheck.semver_range import (
    ConstraintError,
    PrereleaseRule,
    parse_constraint,
    parse_version,
    rule_for_helm,
)

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
    assert "Helm before 3.19 and Helm 3.19 or later (Helm 4 too) refuse it from 1.25" in f.message


def test_kube_version_admitting_every_hop_is_fine(kb: KnowledgeBase) -> None:
    fs = findings(kb, rel(1, "deployed", ">=1.19.0-0"), target="1.25")
    assert not [f for f in fs if f.rule == "helm-release-kube-version"]


def kube_findings(kb: KnowledgeBase, constraint: str, *helms: str, server: str, target: str):
    snap = Snapshot(
        source="cluster",
        collected_at="2024-02-01T00:00:00Z",
        cluster=ClusterInfo(server, "eks" if "eks" in server else "unknown"),
        clients=tuple(ClientBinary("helm", f"/opt/helm-{v}", v) for v in helms),
        helm_releases=(rel(1, "deployed", constraint),),
    )
    return [f for f in assess(snap, kb, target=target).findings if f.rule == HELM_KUBE]


HELM_KUBE = "helm-release-kube-version"


def test_the_local_helm_judges_and_is_named(kb: KnowledgeBase) -> None:
    # `>=1.19.0-0 <1.30.0` on EKS: Helm 3.17 refuses it (its `<1.30.0` names no pre-release),
    # Helm 4 accepts it (one comparator of the group names one).
    constraint, server = ">=1.19.0-0 <1.30.0", "v1.24.9-eks-036c24b"
    [f] = kube_findings(kb, constraint, "v3.17.2", server=server, target="1.26")
    assert (f.severity, f.hop) == (Severity.BLOCKER, None)  # refused already, not from a hop
    assert "helm v3.17.2 (/opt/helm-v3.17.2) refuses it already, at the current " in f.message
    assert "Helm before 3.19 excludes from every comparator that names no pre-release" in (
        f.message
    )
    assert "now, before the cluster upgrade" in f.remediation and "`-0`" in f.remediation
    assert [(e.source, e.location) for e in f.evidence][1:] == [
        (EvidenceSource.CLIENT, "/opt/helm-v3.17.2")
    ]
    assert not kube_findings(kb, constraint, "v4.1.4", server=server, target="1.26")
    assert not kube_findings(kb, constraint, "v3.19.0", server=server, target="1.26")


def test_without_a_known_helm_each_rule_is_told(kb: KnowledgeBase) -> None:
    constraint, server = ">=1.19.0-0 <1.30.0", "v1.24.9-eks-036c24b"
    [f] = kube_findings(kb, constraint, server=server, target="1.26")
    assert f.severity is Severity.WARNING  # whether it blocks depends on the helm
    assert "Helm before 3.19 refuses it already" in f.message
    assert "Helm 3.19 or later (Helm 4 too) accepts it through the target" in f.message
    assert "--helm" in f.remediation
    # A helm whose version cannot be read is no judge either.
    snap_clients = kube_findings(kb, constraint, server=server, target="1.26")
    assert snap_clients[0].message == f.message


def test_both_helms_refuse_a_constraint_without_prerelease_on_eks(kb: KnowledgeBase) -> None:
    [f] = kube_findings(kb, ">=1.19.0 <1.30.0", server="v1.24.9-eks-036c24b", target="1.26")
    assert (f.severity, f.hop) == (Severity.BLOCKER, None)
    # The same chart is fine where the server version has no suffix.
    assert not kube_findings(kb, ">=1.19.0 <1.30.0", server="v1.24.9", target="1.26")


def test_hops_carry_the_current_server_suffix_and_their_patches() -> None:
    kb = load_knowledge_base()  # the calendar's newest patches (1.26.15)
    # Accepted now and at 1.25; at 1.26.0-gke.100 too (a pre-release of 1.26.0 sorts below
    # it), but not at 1.26's newest patch: refused from 1.26, by the numbers.
    [f] = kube_findings(
        kb, ">=1.24.0-gke.0 <1.26.0", "v4.1.4", server="v1.24.3-gke.100", target="1.26"
    )
    assert (f.severity, f.hop) == (Severity.BLOCKER, "1.26")
    assert "refuses it from 1.26 (at v1.26.15-gke.100)" in f.message
    assert "pre-release" not in f.message  # the numbers refuse it, not the suffix
    [f] = kube_findings(kb, ">=1.24.0 <1.26.0", "v4.1.4", server="v1.24.3", target="1.26")
    assert f.hop == "1.26" and "(at " not in f.message


def test_helms_that_disagree_are_each_named(kb: KnowledgeBase) -> None:
    [f] = kube_findings(
        kb, "!=1.24.0", "v3.17.2", "v4.1.4", server="v1.24.9-eks-036c24b", target="1.25"
    )
    assert f.severity is Severity.WARNING
    assert "helm v3.17.2 (/opt/helm-v3.17.2) accepts it through the target" in f.message
    assert "helm v4.1.4 (/opt/helm-v4.1.4) refuses it already" in f.message
    assert "--helm" not in f.remediation  # the local helms are known: no advice to name one


def test_platform_suffix_needs_the_prerelease_trick(kb: KnowledgeBase) -> None:
    # EKS reports v1.25.x-eks-...: Helm treats it as a prerelease that `>=1.19.0` excludes.
    fs = findings(kb, rel(1, "deployed", ">=1.19.0"), platform="eks")
    # The server here reports no suffix (accepted now); the hop gets EKS's form of version.
    assert [f.hop for f in fs if f.rule == HELM_KUBE] == ["1.25"]
    fs = findings(kb, rel(1, "deployed", ">=1.19.0"), platform="unknown")
    assert not [f for f in fs if f.rule == HELM_KUBE]


@pytest.mark.parametrize(("constraint", "version", "helm3", "helm4"), CASES)
def test_constraint_semantics_match_the_real_helms(
    constraint: str, version: str, helm3: bool, helm4: bool
) -> None:
    # The table's values were read from helm 3.17 and 4.1 (test_kube_version_real.py).
    parsed, seen = parse_constraint(constraint), parse_version(version)
    assert parsed.allows(seen, PrereleaseRule.PER_COMPARATOR) is helm3
    assert parsed.allows(seen, PrereleaseRule.PER_GROUP) is helm4


@pytest.mark.parametrize(
    ("constraint", "version", "allowed"),
    [
        (">=1.19.0-0", "1.33.0", True),
        (">= 1.16.0-0 < 1.26.0-0", "1.26.0", False),
        (">= 1.16.0-0 < 1.26.0-0", "1.25.9", True),
        ("^1.20.0-0", "1.33.0", True),
        ("~1.24.0", "1.24.7", True),
        ("1.22 - 1.25", "1.25.9", True),
        ("1.22 - 1.25", "1.26.0", False),
        (">=1.21.0-0 || <1.10", "1.9.0", True),
        ("1.2.x", "1.3.0", False),
        ("*", "1.3.0", True),
        ("^0.2.3", "0.2.9", True),
        ("^0.2.3", "0.3.0", False),
        ("^0.0.3", "0.0.4", False),
        ("~1", "1.9.0", True),
        (">1", "1.9.0", False),
        ("<=1", "1.9.0", True),
        ("!=1.x", "1.2.0", False),
        ("=1.2.3", "1.2.3", True),
        ("v1.2.3", "1.2.3", True),
        (">=1.2.3+build.1", "1.2.3", True),
    ],
)
def test_constraint_numbers(constraint: str, version: str, allowed: bool) -> None:
    for rule in PrereleaseRule:
        assert parse_constraint(constraint).allows(parse_version(version), rule) is allowed


@pytest.mark.parametrize(
    ("reported", "rule"),
    [
        ("v3.17.2", PrereleaseRule.PER_COMPARATOR),
        ("v3.18.6", PrereleaseRule.PER_COMPARATOR),
        ("v3.19.0", PrereleaseRule.PER_GROUP),
        ("v4.1.4+g05fa379", PrereleaseRule.PER_GROUP),
        ("v2.17.0", PrereleaseRule.PER_COMPARATOR),
        ("v3.19.0-rc.1", PrereleaseRule.PER_GROUP),
        (" 3.20.1\n", PrereleaseRule.PER_GROUP),
        ("unknown", None),
        ("v3", None),
        ("v" + "9" * 5000 + ".1.0", None),
    ],
)
def test_rule_for_helm(reported: str, rule: PrereleaseRule | None) -> None:
    assert rule_for_helm(reported) is rule


def test_bad_constraints_raise() -> None:
    for text in ("", ">=one", "~>", ">=1.19 ||", ">=1.19 foo", ">=1.19,,<2", "1.2.3.4"):
        with pytest.raises(ConstraintError):
            parse_constraint(text)

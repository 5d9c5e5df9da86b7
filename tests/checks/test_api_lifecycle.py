"""api-removed / api-deprecated / helm-release-removed-api / addon APIs / upgrade-path."""

from __future__ import annotations

from typing import Any

from upgradecheck.assess import assess as assess_all
from upgradecheck.checks.addon_apis import AddonApiCheck
from upgradecheck.checks.api_lifecycle import ApiLifecycleCheck
from upgradecheck.checks.helm_releases import HelmReleaseCheck
from upgradecheck.checks.upgrade_path import UpgradePathCheck
from upgradecheck.knowledge import load_knowledge_base
from upgradecheck.knowledge.model import KnowledgeBase
from upgradecheck.model import (
    ApiRequest,
    ClusterInfo,
    Evidence,
    EvidenceSource,
    HelmRelease,
    ObjectRef,
    ObservedObject,
    Report,
    Severity,
    Snapshot,
    Verdict,
)

# The API family only: the risk checks (end of life, skew, ...) have their own tests.
API_CHECKS = (UpgradePathCheck(), ApiLifecycleCheck(), HelmReleaseCheck(), AddonApiCheck())


def assess(snapshot: Snapshot, kb: KnowledgeBase, **options: Any) -> Report:
    return assess_all(snapshot, kb, checks=API_CHECKS, **options)


def file_obj(api_version: str, kind: str, name: str, line: int = 1, path: str = "a.yaml"):
    return ObservedObject(
        ObjectRef(api_version, kind, "shop", name),
        (Evidence(EvidenceSource.FILE, f"{path}:{line}", api_version),),
    )


def manifests(*objs: ObservedObject) -> Snapshot:
    return Snapshot(source="manifests", collected_at="2026-01-01T00:00:00Z", objects=objs)


def test_removed_api_in_file_is_a_blocker_in_its_hop(kb: KnowledgeBase) -> None:
    report = assess(
        manifests(file_obj("policy/v1beta1", "PodDisruptionBudget", "web", 7)), kb, target="1.25"
    )
    [f] = report.findings
    assert (f.rule, f.severity, f.hop) == ("api-removed", Severity.BLOCKER, "1.25")
    assert f.replacement == "policy/v1" and f.removed_in == "1.25" and f.deprecated_in == "1.21"
    assert f.evidence[0].location == "a.yaml:7"
    assert "empty selector" in f.remediation
    assert report.verdict is Verdict.BLOCKED
    assert report.hops == ("1.25",) and report.current_version is None


def test_same_api_before_removal_is_a_warning(kb: KnowledgeBase) -> None:
    report = assess(
        manifests(file_obj("policy/v1beta1", "PodDisruptionBudget", "web")), kb, target="1.24"
    )
    [f] = report.findings
    assert (f.rule, f.severity, f.hop) == ("api-deprecated", Severity.WARNING, "1.21")
    assert report.verdict is Verdict.REVIEW


def test_future_deprecation_is_info(kb: KnowledgeBase) -> None:
    report = assess(
        manifests(file_obj("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", "fs")),
        kb,
        target="1.28",
    )
    [f] = report.findings
    assert (f.rule, f.severity, f.hop) == ("api-deprecated", Severity.INFO, None)
    assert "after the target 1.28" in f.message
    assert report.verdict is Verdict.READY


def test_deprecated_without_removal_is_info(kb: KnowledgeBase) -> None:
    report = assess(manifests(file_obj("v1", "Endpoints", "db")), kb, target="1.33")
    [f] = report.findings
    assert (f.rule, f.severity) == ("api-deprecated", Severity.INFO)


def test_served_api_raises_nothing(kb: KnowledgeBase) -> None:
    report = assess(
        manifests(file_obj("policy/v1", "PodDisruptionBudget", "web")), kb, target="1.33"
    )
    assert report.findings == () and report.verdict is Verdict.READY


def test_hop_is_the_removal_release_on_a_multi_hop_path(kb: KnowledgeBase) -> None:
    snap = manifests(
        file_obj("extensions/v1beta1", "Ingress", "old"),
        file_obj("batch/v1beta1", "CronJob", "job"),
    )
    report = assess(snap, kb, target="1.25", current="1.21")
    assert report.hops == ("1.22", "1.23", "1.24", "1.25")
    by_kind = {f.object.kind: f for f in report.findings if f.object}
    assert by_kind["Ingress"].hop == "1.22" and by_kind["CronJob"].hop == "1.25"
    # upgrade-path explains the multi-hop path
    assert any(f.rule == "upgrade-path" and f.severity is Severity.INFO for f in report.findings)
    # blockers sort before info, earlier hops first
    rules = [(f.severity, f.hop) for f in report.findings]
    assert rules == sorted(rules, key=lambda x: (-x[0].rank, x[1] or ""))


def test_already_removed_api_is_wrong_now_with_no_hop(kb: KnowledgeBase) -> None:
    # Wrong today, whatever the target: no hop, and the same finding when the target is the
    # current version (a health check, zero hops).
    snap = manifests(file_obj("extensions/v1beta1", "Ingress", "old"))
    for target in ("1.25", "1.24"):
        [f] = assess(snap, kb, target=target, current="1.24").findings
        assert f.hop is None and "before the current 1.24" in f.message
        assert f.severity is Severity.BLOCKER


def test_same_object_in_two_files_is_one_finding(kb: KnowledgeBase) -> None:
    snap = manifests(
        file_obj("policy/v1beta1", "PodDisruptionBudget", "web", 3, "base/pdb.yaml"),
        file_obj("policy/v1beta1", "PodDisruptionBudget", "web", 9, "overlay/pdb.yaml"),
    )
    [f] = assess(snap, kb, target="1.25").findings
    assert [e.location for e in f.evidence] == ["base/pdb.yaml:3", "overlay/pdb.yaml:9"]


def test_live_object_judged_by_its_evidence_not_its_listed_version(kb: KnowledgeBase) -> None:
    live = ObservedObject(
        ObjectRef("policy/v1", "PodDisruptionBudget", "shop", "web"),
        (
            Evidence(EvidenceSource.LAST_APPLIED, "annotation", "policy/v1beta1"),
            Evidence(EvidenceSource.MANAGED_FIELDS, "manager kubectl", "policy/v1beta1"),
            Evidence(EvidenceSource.MANAGED_FIELDS, "manager kcm", "policy/v1"),
        ),
    )
    snap = Snapshot(
        source="cluster", collected_at="x", objects=(live,), cluster=ClusterInfo("v1.24.3")
    )
    report = assess(snap, kb)
    assert report.current_version == "1.24" and report.target_version == "1.25"
    [f] = report.findings
    assert f.object is not None and f.object.api_version == "policy/v1beta1"
    assert len(f.evidence) == 2 and f.severity is Severity.BLOCKER


def test_metric_requests_raise_findings_without_an_object(kb: KnowledgeBase) -> None:
    snap = Snapshot(
        source="cluster",
        collected_at="x",
        cluster=ClusterInfo("v1.24.0"),
        api_requests=(ApiRequest("batch", "v1beta1", "cronjobs", "", "1.25"),),
    )
    [f] = assess(snap, kb).findings
    assert f.object is None and f.rule == "api-removed"
    assert f.evidence[0].source is EvidenceSource.APISERVER_METRICS


def test_helm_release_only_newest_deployed_revision_counts(kb: KnowledgeBase) -> None:
    pdb = ObjectRef("policy/v1beta1", "PodDisruptionBudget", "ing", "nginx")
    ok = ObjectRef("policy/v1", "PodDisruptionBudget", "ing", "nginx")
    rels = (
        HelmRelease("nginx", "ing", 1, "superseded", "nginx", "1.0", objects=(pdb,)),
        HelmRelease("nginx", "ing", 2, "deployed", "nginx", "2.0", objects=(pdb,)),
        HelmRelease("fixed", "ing", 4, "deployed", "fixed", "2.0", objects=(ok,)),
    )
    snap = Snapshot(
        source="cluster", collected_at="x", cluster=ClusterInfo("v1.24.0"), helm_releases=rels
    )
    [f] = assess(snap, kb).findings
    assert f.rule == "helm-release-removed-api" and f.severity is Severity.BLOCKER
    assert f.evidence[0].location == "release ing/nginx rev 2"
    assert "mapkubeapis" in f.remediation
    assert f.hop == "1.25" and f.remediation.startswith("Before the hop, upgrade the release")


def test_helm_release_with_an_api_already_removed_fails_today(kb: KnowledgeBase) -> None:
    pdb = ObjectRef("policy/v1beta1", "PodDisruptionBudget", "ing", "nginx")
    rel = HelmRelease("nginx", "ing", 2, "deployed", "nginx", "2.0", objects=(pdb,))
    snap = Snapshot(
        source="cluster", collected_at="x", cluster=ClusterInfo("v1.26.0"), helm_releases=(rel,)
    )
    for target in ("1.26", "1.27"):
        [f] = [f for f in assess(snap, kb, target=target).findings if f.rule.startswith("helm")]
        assert f.hop is None and "the cluster is at 1.26" in f.message
        assert "already fails" in f.message
        assert f.remediation.startswith(
            "Rewrite the stored release record with the helm mapkubeapis plugin "
            "(`helm mapkubeapis nginx --namespace ing`)"
        )


def test_addon_api_removed_by_addon_release(kb: KnowledgeBase) -> None:
    [f] = assess(
        manifests(file_obj("cert-manager.io/v1alpha2", "Certificate", "tls")), kb, target="1.30"
    ).findings
    assert (f.rule, f.severity, f.subject) == (
        "addon-api-removed",
        Severity.WARNING,
        "cert-manager",
    )
    assert "cert-manager 1.6" in f.message


def test_findings_say_since_when_the_replacement_is_served() -> None:
    bundled = load_knowledge_base()
    objs = (
        file_obj("policy/v1beta1", "PodDisruptionBudget", "pdb"),  # GA target in k8s.io/api
        file_obj("extensions/v1beta1", "Ingress", "ing"),
        file_obj("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", "crd"),  # overlay
        file_obj("flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema", "fs"),  # a tracked beta
    )
    report = assess(manifests(*objs), bundled, target="1.29")
    since = {
        f.object.name: (f.replacement, f.replacement_since) for f in report.findings if f.object
    }
    assert since == {
        "pdb": ("policy/v1", "1.21"),
        "ing": ("networking.k8s.io/v1", "1.19"),
        "crd": ("apiextensions.k8s.io/v1", "1.16"),
        "fs": ("flowcontrol.apiserver.k8s.io/v1beta3", "1.26"),  # still served at 1.29
    }
    rel = HelmRelease(
        "web", "shop", 3, "deployed", "web", "1.0.0",
        objects=(ObjectRef("batch/v1beta1", "CronJob", "shop", "nightly"),),
    )  # fmt: skip
    snap = Snapshot(source="cluster", collected_at="2026-01-01T00:00:00Z",
                    cluster=ClusterInfo("v1.24.3"), helm_releases=(rel,))  # fmt: skip
    [f] = [f for f in assess(snap, bundled, target="1.25").findings if f.subject]
    assert (f.rule, f.replacement, f.replacement_since) == (
        "helm-release-removed-api", "batch/v1", "1.21"
    )


def _migration(api_version: str, kind: str, target: str, current: str | None = None) -> Any:
    """The one finding for an object of `api_version`/`kind`, judged with the bundled data."""
    cluster = ClusterInfo(f"v{current}.4") if current else None
    snap = Snapshot(
        source="manifests",
        collected_at="2026-01-01T00:00:00Z",
        objects=(file_obj(api_version, kind, "x"),),
        cluster=cluster,
    )
    [f] = [f for f in assess(snap, load_knowledge_base(), target=target).findings if f.object]
    return f


def test_the_replacement_is_served_at_the_target_when_the_ga_version_comes_later() -> None:
    # resource.k8s.io/v1 is served only from 1.34: at 1.33 the objects go to the beta the
    # target serves (the one served longest), and the fix names v1 as the step after.
    claim = _migration("resource.k8s.io/v1alpha2", "ResourceClaim", "1.33")
    assert (claim.replacement, claim.replacement_since) == ("resource.k8s.io/v1beta2", "1.33")
    assert claim.remediation.startswith("Move to resource.k8s.io/v1beta2;")
    assert "resource.k8s.io/v1 is the lasting replacement, served only from 1.34" in (
        claim.remediation
    )
    renamed = _migration("resource.k8s.io/v1alpha2", "ResourceClass", "1.33")
    assert renamed.replacement == "resource.k8s.io/v1beta2"
    assert "Move to resource.k8s.io/v1beta2 DeviceClass;" in renamed.remediation
    at_ga = _migration("resource.k8s.io/v1alpha2", "ResourceClaim", "1.34")
    assert (at_ga.replacement, at_ga.replacement_since) == ("resource.k8s.io/v1", "1.34")
    assert "lasting replacement" not in at_ga.remediation


def test_bridges_follow_each_removal_until_the_replacement_is_served() -> None:
    one = _migration("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", "1.29", "1.25")
    assert one.replacement == "flowcontrol.apiserver.k8s.io/v1beta3"
    assert one.remediation == (
        "Move to flowcontrol.apiserver.k8s.io/v1beta2 before the 1.26 hop "
        "(flowcontrol.apiserver.k8s.io/v1beta3 is served only from 1.26), "
        "then to flowcontrol.apiserver.k8s.io/v1beta3."
    )
    # To 1.32 the GA target (a GA version the data knows only by its introduction) is
    # served from 1.29, after v1beta2 goes: a second bridge holds across that hop.
    two = _migration("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", "1.32", "1.25")
    assert (two.replacement, two.replacement_since) == ("flowcontrol.apiserver.k8s.io/v1", "1.29")
    assert two.remediation == (
        "Move to flowcontrol.apiserver.k8s.io/v1beta2 before the 1.26 hop, then to "
        "flowcontrol.apiserver.k8s.io/v1beta3 before the 1.29 hop "
        "(flowcontrol.apiserver.k8s.io/v1 is served only from 1.29), "
        "then to flowcontrol.apiserver.k8s.io/v1."
    )


def test_a_chart_branch_left_out_at_the_target_weighs_only_when_every_place_is(
    kb: KnowledgeBase,
) -> None:
    def branch(absent: str, line: int) -> Evidence:
        return Evidence(EvidenceSource.TEMPLATE, f"c/t.yaml:{line}", "policy/v1beta1",
                        "branch: ...", not_rendered_for=absent)

    def severity(*evidence: Evidence) -> Severity:
        obj = ObservedObject(ObjectRef("policy/v1beta1", "PodDisruptionBudget", None, "p"),
                             evidence)
        (finding,) = assess(manifests(obj), kb, target="1.25").findings
        return finding.severity

    assert severity(branch(">=1.21", 4)) is Severity.INFO
    assert severity(branch("<1.21 || >=1.25", 4)) is Severity.INFO
    assert severity(branch(">=1.26", 4)) is Severity.BLOCKER  # the chart switches too late
    assert severity(branch("not a constraint", 4)) is Severity.BLOCKER  # a hand-made snapshot
    # Another place writes it unconditionally: that one reaches the target.
    plain = Evidence(EvidenceSource.FILE, "b.yaml:1", "policy/v1beta1")
    assert severity(branch(">=1.21", 4), plain) is Severity.BLOCKER

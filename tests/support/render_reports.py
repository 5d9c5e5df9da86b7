"""Reports for the render tests: a realistic one (1.29 → 1.31 on EKS), an empty one, a hostile
one and large ones, all with a fixed generated_at so that output is deterministic."""

from __future__ import annotations

from dataclasses import replace

from msgspec import structs

from upgradecheck.model import (
    ClientBinary,
    ClusterInfo,
    CoverageNote,
    Evidence,
    EvidenceSource,
    Finding,
    NodeInfo,
    ObjectRef,
    Report,
    Severity,
    Verdict,
)

GENERATED_AT = "2025-03-01T12:00:00Z"
DEPRECATION_GUIDE = "https://kubernetes.io/docs/reference/using-api/deprecation-guide/"


def pdb(namespace: str, name: str, *evidence: Evidence) -> Finding:
    """A blocker: a PodDisruptionBudget written in policy/v1beta1."""
    return Finding(
        rule="api-removed",
        severity=Severity.BLOCKER,
        message="PodDisruptionBudget policy/v1beta1 has not been served since 1.25, before "
        "the current 1.29.",
        remediation="Move to policy/v1. An empty selector now selects every pod.",
        hop=None,  # wrong today: no hop
        object=ObjectRef("policy/v1beta1", "PodDisruptionBudget", namespace, name),
        evidence=evidence,
        link=DEPRECATION_GUIDE + "#poddisruptionbudget-v125",
        replacement="policy/v1",
        deprecated_in="1.21",
        removed_in="1.25",
        replacement_since="1.21",
    )


def realistic_findings() -> tuple[Finding, ...]:
    """Blockers, warnings and info as assess would order them (worst first)."""
    return (
        pdb(
            "shop",
            "web",
            Evidence(EvidenceSource.FILE, "manifests/shop/pdb.yaml:12", "policy/v1beta1"),
        ),
        pdb(
            "shop",
            "api",
            Evidence(
                EvidenceSource.LAST_APPLIED,
                "kubectl.kubernetes.io/last-applied-configuration",
                "policy/v1beta1",
            ),
            Evidence(
                EvidenceSource.MANAGED_FIELDS,
                "manager kubectl-client-side-apply",
                "policy/v1beta1",
                detail="Update",
                time="2024-11-02T09:14:00Z",
            ),
        ),
        Finding(
            rule="helm-release-removed-api",
            severity=Severity.BLOCKER,
            message="Helm release billing/invoicer (chart invoicer 2.3.1, revision 7) was "
            "deployed with CronJob batch/v1beta1, which Kubernetes has not served since 1.25: "
            "the cluster is at 1.29, so the next `helm upgrade` or rollback of it already "
            "fails.",
            remediation="Rewrite the stored release record with the helm mapkubeapis plugin "
            "(`helm mapkubeapis invoicer --namespace billing`), then upgrade the release to a "
            "chart version that uses batch/v1 (its templates, and any hook or CRD that still "
            "names batch/v1beta1, must move too).",
            hop=None,
            object=ObjectRef("batch/v1beta1", "CronJob", "billing", "nightly-invoice"),
            evidence=(
                Evidence(
                    EvidenceSource.HELM_RELEASE,
                    "release billing/invoicer rev 7",
                    "batch/v1beta1",
                    detail="chart invoicer-2.3.1, status deployed",
                    time="2024-06-30T18:00:00Z",
                ),
            ),
            link="https://helm.sh/docs/topics/kubernetes_apis/",
            replacement="batch/v1",
            deprecated_in="1.21",
            removed_in="1.25",
            subject="helm release billing/invoicer",
        ),
        Finding(
            rule="kubelet-skew",
            severity=Severity.BLOCKER,
            message="Node worker-legacy-1 runs kubelet 1.27, more than 3 minor versions older "
            "than an API server at 1.31.",
            remediation="Upgrade the node (or replace its pool) to 1.28 or newer before 1.31.",
            hop="1.31",
            evidence=(Evidence(EvidenceSource.NODE, "node worker-legacy-1", "v1.27.9"),),
            link="https://kubernetes.io/releases/version-skew-policy/#kubelet",
            subject="node worker-legacy-1",
        ),
        Finding(
            rule="api-deprecated",
            severity=Severity.WARNING,
            message="FlowSchema flowcontrol.apiserver.k8s.io/v1beta3 is deprecated since 1.29; "
            "removed in 1.32.",
            remediation="Move to flowcontrol.apiserver.k8s.io/v1.",
            hop="1.30",
            object=ObjectRef(
                "flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", None, "custom-batch"
            ),
            evidence=(
                Evidence(
                    EvidenceSource.MANAGED_FIELDS,
                    "manager helm",
                    "flowcontrol.apiserver.k8s.io/v1beta3",
                    detail="Update",
                    time="2024-09-12T07:30:00Z",
                ),
            ),
            link=DEPRECATION_GUIDE + "#flowcontrol-resources-v132",
            replacement="flowcontrol.apiserver.k8s.io/v1",
            deprecated_in="1.29",
            removed_in="1.32",
        ),
        Finding(
            rule="pdb-blocks-drain",
            severity=Severity.WARNING,
            message="PodDisruptionBudget shop/db allows 0 disruptions: draining its nodes "
            "will wait forever.",
            remediation="Raise maxUnavailable (or lower minAvailable) for the upgrade window.",
            object=ObjectRef("policy/v1", "PodDisruptionBudget", "shop", "db"),
            evidence=(Evidence(EvidenceSource.OBJECT, "cluster shop/db", "policy/v1"),),
        ),
        Finding(
            rule="kubectl-skew",
            severity=Severity.WARNING,
            message="kubectl 1.28 is more than one minor version from an API server at 1.30.",
            remediation="Install kubectl 1.30 or newer.",
            hop="1.30",
            evidence=(Evidence(EvidenceSource.CLIENT, "/usr/local/bin/kubectl", "v1.28.2"),),
            link="https://kubernetes.io/releases/version-skew-policy/#kubectl",
            subject="kubectl /usr/local/bin/kubectl",
        ),
        Finding(
            rule="upgrade-path",
            severity=Severity.INFO,
            message="1.29 to 1.31 spans 2 minor releases; the control plane cannot skip any: "
            "1.29 → 1.30 → 1.31.",
            remediation="Upgrade one minor release at a time.",
            hop="1.30",
            link="https://kubernetes.io/releases/version-skew-policy/",
            subject="control plane",
        ),
    )


def realistic() -> Report:
    """An EKS cluster at 1.29 going to 1.31, with the findings above."""
    findings = realistic_findings()
    return Report(
        target_version="1.31",
        current_version="1.29",
        hops=("1.30", "1.31"),
        verdict=Verdict.BLOCKED,
        findings=findings,
        coverage=(
            CoverageNote(
                "resource policy/v1/poddisruptionbudgets in kube-system",
                "forbidden: the credentials may not list it (403)",
                "forbidden",
            ),
            CoverageNote(
                "helm release monitoring/prometheus rev 3",
                "the release record could not be decoded (gzip: invalid header)",
                "gap",
            ),
        ),
        source="cluster",
        generated_at=GENERATED_AT,
        tool_version="0.1.0",
        cluster=ClusterInfo("v1.29.4-eks-036c24b", "eks", "prod-eu"),
        nodes=(
            NodeInfo(
                "ip-10-0-1-12",
                "v1.29.4-eks-036c24b",
                container_runtime="containerd://1.7.11",
                pool="general",
            ),
            NodeInfo(
                "ip-10-0-1-13",
                "v1.29.4-eks-036c24b",
                container_runtime="containerd://1.7.11",
                pool="general",
            ),
            NodeInfo(
                "worker-legacy-1",
                "v1.27.9-eks-5e0fdde",
                container_runtime="containerd://1.6.19",
                pool="legacy",
                ready=False,
            ),
        ),
        clients=(
            ClientBinary("kubectl", "/usr/local/bin/kubectl", "v1.28.2"),
            ClientBinary("helm", "/usr/local/bin/helm", "v3.14.0"),
        ),
        stats={"objects": 412, "helm_releases": 9},
        knowledge_version="2025-02-15",
    )


def empty(**changes: object) -> Report:
    """A `ready` report with nothing in it, from manifests (no cluster, no nodes)."""
    report = Report(
        target_version="1.30",
        current_version="1.29",
        hops=("1.30",),
        verdict=Verdict.READY,
        findings=(),
        coverage=(),
        source="manifests",
        generated_at=GENERATED_AT,
        tool_version="0.1.0",
        knowledge_version="2025-02-15",
    )
    return replace(report, **changes)  # type: ignore[arg-type]


HOSTILE = (
    "<script>alert(1)</script> | pipe `tick` **bold** [x](javascript:alert(1)) "
    "\x1b[31mred\x1b[0m\n| new row"
)


def hostile() -> Report:
    """A report whose every free-text value tries to break out of its format."""
    finding = Finding(
        rule="api-removed",
        severity=Severity.BLOCKER,
        message=f"message {HOSTILE}",
        remediation=f"remediation {HOSTILE}",
        hop="1.30",
        object=ObjectRef("policy/v1beta1", "PodDisruptionBudget", f"ns {HOSTILE}", HOSTILE),
        evidence=(
            Evidence(
                EvidenceSource.FILE, f"manifests/{HOSTILE}.yaml:3", "policy/v1beta1", detail=HOSTILE
            ),
        ),
        link="javascript:alert(1)",
        replacement="policy/v1",
        subject=HOSTILE,
    )
    warning = structs.replace(
        finding,
        severity=Severity.WARNING,
        rule="api-deprecated",
        link='https://example.com/"><script>alert(2)</script>',
    )
    return replace(
        realistic(),
        findings=(finding, warning),
        coverage=(CoverageNote(f"file {HOSTILE}", f"reason {HOSTILE}", HOSTILE),),
        nodes=(NodeInfo(HOSTILE, "v1.29.0", pool=HOSTILE),),
        clients=(ClientBinary("kubectl", HOSTILE, None, error=HOSTILE),),
        cluster=ClusterInfo(HOSTILE, "unknown", HOSTILE),
    )


def bulk(n: int, namespaces: int = 1) -> Report:
    """`n` blockers spread over `namespaces` namespaces (and a few warnings)."""
    base = pdb("x", "y", Evidence(EvidenceSource.FILE, "manifests/pdb.yaml:1", "policy/v1beta1"))
    findings = tuple(
        structs.replace(
            base,
            object=ObjectRef(
                "policy/v1beta1", "PodDisruptionBudget", f"team-{i % namespaces}", f"budget-{i:06d}"
            ),
            evidence=(
                Evidence(
                    EvidenceSource.FILE, f"manifests/team/pdb-{i:06d}.yaml:1", "policy/v1beta1"
                ),
            ),
        )
        for i in range(n)
    )
    return replace(realistic(), findings=findings)

"""Members for the fleet tests: reports built by hand (fixed dates, so that output is exact),
and the members not assessed."""

from __future__ import annotations

from upgradecheck.fleet.model import Member, Origin, Status
from upgradecheck.model import (
    ClusterInfo,
    CoverageNote,
    Evidence,
    EvidenceSource,
    Finding,
    ObjectRef,
    Report,
    Severity,
    verdict_of,
)

GENERATED_AT = "2025-03-01T12:00:00Z"
GUIDE = "https://kubernetes.io/docs/reference/using-api/deprecation-guide/"


def api_removed(
    kind: str, api: str, to: str, removed: str, ns: str | None, name: str
) -> Finding:
    """A blocker: an object written in an API the target no longer serves."""
    return Finding(
        rule="api-removed",
        severity=Severity.BLOCKER,
        message=f"{kind} {api} is not served from {removed}.",
        remediation=f"Move to {to}.",
        hop=removed,
        object=ObjectRef(api, kind, ns, name),
        evidence=(Evidence(EvidenceSource.LAST_APPLIED, "last-applied", api),),
        link=GUIDE,
        replacement=to,
        removed_in=removed,
    )


def pdb(ns: str, name: str, removed: str = "1.25") -> Finding:
    return api_removed("PodDisruptionBudget", "policy/v1beta1", "policy/v1", removed, ns, name)


def eol(subject: str, severity: Severity = Severity.WARNING) -> Finding:
    """A finding of a rule not about APIs, told apart by its subject."""
    return Finding(
        rule="release-eol",
        severity=severity,
        message=f"{subject} is past its end of life.",
        remediation="Upgrade.",
        subject=subject,
        link="https://kubernetes.io/releases/",
    )


def report(
    current: str,
    target: str,
    findings: tuple[Finding, ...] = (),
    coverage: tuple[CoverageNote, ...] = (),
    *,
    server: str | None = None,
    platform: str = "eks",
    suppressed: tuple[Finding, ...] = (),
) -> Report:
    """A report of a cluster on `current` judged for `target` (one hop)."""
    return Report(
        target_version=target,
        current_version=current,
        hops=(target,),
        verdict=verdict_of((f.severity for f in findings), coverage),
        findings=findings,
        coverage=coverage,
        source="cluster",
        generated_at=GENERATED_AT,
        tool_version="0.1.0",
        cluster=ClusterInfo(server or f"v{current}.3", platform, None),
        knowledge_version="kb-test",
        suppressed=suppressed,
    )


def assessed(name: str, rep: Report, origin: Origin = Origin.CONTEXT) -> Member:
    return Member(name, origin, Status.ASSESSED, report=rep)


def unreachable(name: str, reason: str = "cannot reach the API server") -> Member:
    return Member(name, Origin.CONTEXT, Status.UNREACHABLE, reason=reason)


def failed(name: str, reason: str = "not a snapshot") -> Member:
    return Member(name, Origin.SNAPSHOT, Status.FAILED, reason=reason)


def small_fleet() -> list[Member]:
    """Three assessed clusters sharing a PodDisruptionBudget migration, one unreachable, one
    snapshot that could not be read."""
    prod = report(
        "1.24",
        "1.25",
        (pdb("shop", "web"), pdb("shop", "api"), eol("Kubernetes 1.24 (current)")),
        (CoverageNote("resource v1/secrets", "403 Forbidden", "forbidden"),),
        suppressed=(pdb("ops", "legacy"),),
    )
    staging = report("1.24", "1.25", (pdb("shop", "web"), eol("Kubernetes 1.24 (current)")))
    edge = report(
        "1.29",
        "1.30",
        (
            api_removed(
                "FlowSchema",
                "flowcontrol.apiserver.k8s.io/v1beta2",
                "flowcontrol.apiserver.k8s.io/v1",
                "1.29",
                None,
                "custom",
            ),
            eol("Kubernetes 1.29 (current)", Severity.INFO),
        ),
        platform="unknown",
    )
    return [
        assessed("prod", prod),
        assessed("staging", staging),
        assessed("snapshots/edge.json.gz", edge, Origin.SNAPSHOT),
        unreachable("dr", "cannot reach the API server at https://10.0.0.9:6443: timed out"),
        failed("snapshots/broken.json", "snapshots/broken.json: invalid JSON at line 1"),
    ]

"""The JSON report: the `upgradecheck.report/v1` contract, plus a few more fields."""

from __future__ import annotations

import json
import re
from typing import Any

from upgradecheck.model import (
    REPORT_SCHEMA,
    ClientBinary,
    ClusterInfo,
    CoverageNote,
    Evidence,
    Finding,
    NodeInfo,
    ObjectRef,
    Report,
    Suppression,
)
from upgradecheck.render.interface import Renderer

# json.dumps escapes C0 controls itself; escape DEL, C1 controls (0x9b starts a terminal
# sequence on some terminals) and the line separators too, so `cat report.json` is inert.
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def object_dict(ref: ObjectRef | None) -> dict[str, Any] | None:
    """`{"apiVersion", "kind", "namespace", "name"}`, or None."""
    if ref is None:
        return None
    return {
        "apiVersion": ref.api_version,
        "kind": ref.kind,
        "namespace": ref.namespace,
        "name": ref.name,
    }


def evidence_dict(evidence: Evidence) -> dict[str, Any]:
    """One evidence entry: the contract's source and location, then the extras."""
    return {
        "source": evidence.source.value,
        "location": evidence.location,
        "api_version": evidence.api_version,
        "detail": evidence.detail,
        "time": evidence.time,
    }


def finding_dict(finding: Finding) -> dict[str, Any]:
    """One finding, contract fields first, in the contract's order."""
    return {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "hop": finding.hop,
        "object": object_dict(finding.object),
        "evidence": [evidence_dict(e) for e in finding.evidence],
        "message": finding.message,
        "remediation": finding.remediation,
        "replacement": finding.replacement,
        "deprecated_in": finding.deprecated_in,
        "removed_in": finding.removed_in,
        "link": finding.link,
        "subject": finding.subject,
        "suppressed": suppression_dict(finding.suppression),
    }


def suppression_dict(suppression: Suppression | None) -> dict[str, Any] | None:
    """`{"reason", "expires", "source"}` for a suppressed finding, else None."""
    if suppression is None:
        return None
    return {
        "reason": suppression.reason,
        "expires": suppression.expires,
        "source": suppression.source,
    }


def coverage_dict(notes: tuple[CoverageNote, ...]) -> dict[str, Any]:
    """`{"warnings": ["subject: reason"], "notes": [{subject, reason, kind}]}`."""
    return {
        "warnings": [n.describe() for n in notes],
        "notes": [{"subject": n.subject, "reason": n.reason, "kind": n.kind} for n in notes],
    }


def cluster_dict(cluster: ClusterInfo | None) -> dict[str, Any] | None:
    """The API server's version, platform and context, or None."""
    if cluster is None:
        return None
    return {
        "server_version": cluster.server_version,
        "platform": cluster.platform,
        "context": cluster.context,
    }


def node_dict(node: NodeInfo) -> dict[str, Any]:
    """One node's versions and state."""
    return {
        "name": node.name,
        "pool": node.pool,
        "kubelet_version": node.kubelet_version,
        "kube_proxy_version": node.kube_proxy_version,
        "container_runtime": node.container_runtime,
        "os_image": node.os_image,
        "kernel_version": node.kernel_version,
        "architecture": node.architecture,
        "ready": node.ready,
        "labels": dict(sorted(node.labels.items())),
    }


def client_dict(client: ClientBinary) -> dict[str, Any]:
    """One local client binary."""
    return {
        "name": client.name,
        "path": client.path,
        "version": client.version,
        "error": client.error,
    }


def report_dict(report: Report) -> dict[str, Any]:
    """The whole report as the contract's JSON object (findings in the report's order)."""
    return {
        "schema": REPORT_SCHEMA,
        "current_version": report.current_version,
        "target_version": report.target_version,
        "hops": list(report.hops),
        "verdict": report.verdict.value,
        "summary": {**report.summary, "suppressed": len(report.suppressed)},
        "findings": [finding_dict(f) for f in report.findings],
        "coverage": coverage_dict(report.coverage),
        "generated_at": report.generated_at,
        "tool_version": report.tool_version,
        "knowledge_version": report.knowledge_version,
        "source": report.source,
        "cluster": cluster_dict(report.cluster),
        "nodes": [node_dict(n) for n in report.nodes],
        "clients": [client_dict(c) for c in report.clients],
        "stats": dict(sorted(report.stats.items())),
        "addons": [
            {"name": a.name, "workload": a.workload, "image": a.image, "version": a.version}
            for a in report.addons
        ],
        "suppressed_findings": [finding_dict(f) for f in report.suppressed],
    }


def inert_json(document: Any) -> str:
    """`document` as indented JSON in its own key order, with C1 controls, line separators
    and bidi overrides escaped so that printing it to a terminal is harmless."""
    text = json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


class JsonRenderer(Renderer):
    """Renders `report_dict` with two-space indentation, keys in contract order."""

    def render(self, report: Report) -> str:
        """The JSON document for `report`."""
        return inert_json(report_dict(report))

"""The report document, schema `upgradecheck.report/v1` (docs/design.md): the contract's
fields first, in its order, then the rest. Written only: reports are not read back."""

from __future__ import annotations

from typing import Any

from upgradecheck.codec.common import (
    Form,
    client_to_dict,
    cluster_to_dict,
    coverage_to_dict,
    evidence_to_dict,
    node_to_dict,
    ref_to_dict,
)
from upgradecheck.model import (
    REPORT_SCHEMA,
    AddonLifecycle,
    AddonVersion,
    ConfigUse,
    Finding,
    Report,
    Suppression,
)


def suppression_to_dict(suppression: Suppression | None) -> dict[str, Any] | None:
    """`{"reason", "expires", "source"}` for a suppressed finding, else None."""
    if suppression is None:
        return None
    return {
        "reason": suppression.reason,
        "expires": suppression.expires,
        "source": suppression.source,
    }


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    """One finding, contract fields first, in the contract's order."""
    return {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "hop": finding.hop,
        "object": ref_to_dict(finding.object),
        "evidence": [evidence_to_dict(e, Form.REPORT) for e in finding.evidence],
        "message": finding.message,
        "remediation": finding.remediation,
        "replacement": finding.replacement,
        "deprecated_in": finding.deprecated_in,
        "removed_in": finding.removed_in,
        "link": finding.link,
        "replacement_since": finding.replacement_since,
        "data_source": finding.data_source,
        "subject": finding.subject,
        "suppressed": suppression_to_dict(finding.suppression),
        "replacement_kind": finding.replacement_kind,
        "addon": addon_lifecycle_to_dict(finding.addon),
        "config": config_to_dict(finding.config),
    }


def config_to_dict(config: ConfigUse | None) -> dict[str, Any] | None:
    """`{"component", "flags", "use"}` for an API that is a file a component reads or a
    format it writes rather than a served API, else None."""
    if config is None:
        return None
    return {"component": config.component, "flags": list(config.flags), "use": config.use}


def addon_lifecycle_to_dict(addon: AddonLifecycle | None) -> dict[str, Any] | None:
    """`{"name", "deprecated_in", "removed_in", "replacement_since"}`: an add-on API finding's
    add-on and its own releases (not Kubernetes releases), else None."""
    if addon is None:
        return None
    return {
        "name": addon.name,
        "deprecated_in": addon.deprecated_in,
        "removed_in": addon.removed_in,
        "replacement_since": addon.replacement_since,
    }


def addon_to_dict(addon: AddonVersion) -> dict[str, Any]:
    """One add-on and the version its image names."""
    return {
        "name": addon.name,
        "workload": addon.workload,
        "image": addon.image,
        "version": addon.version,
    }


def report_to_dict(report: Report) -> dict[str, Any]:
    """The whole report as the contract's JSON object (findings in the report's order)."""
    return {
        "schema": REPORT_SCHEMA,
        "current_version": report.current_version,
        "target_version": report.target_version,
        "hops": list(report.hops),
        "verdict": report.verdict.value,
        "summary": {**report.summary, "suppressed": len(report.suppressed)},
        "findings": [finding_to_dict(f) for f in report.findings],
        "coverage": coverage_to_dict(report.coverage),
        "generated_at": report.generated_at,
        "tool_version": report.tool_version,
        "knowledge_version": report.knowledge_version,
        "source": report.source,
        "cluster": cluster_to_dict(report.cluster, Form.REPORT),
        "nodes": [node_to_dict(n, Form.REPORT) for n in report.nodes],
        "clients": [client_to_dict(c) for c in report.clients],
        "stats": dict(sorted(report.stats.items())),
        "addons": [addon_to_dict(a) for a in report.addons],
        "suppressed_findings": [finding_to_dict(f) for f in report.suppressed],
    }

"""The fleet document, schema `upgradecheck.fleet/v1` (docs/fleet.md, docs/fleet.schema.json).
Written only: fleets are not read back."""

from __future__ import annotations

from typing import Any

from upgradecheck.codec.common import Form, cluster_to_dict, coverage_to_dict
from upgradecheck.fleet.model import FLEET_SCHEMA, Fleet, Group, Member, Share, Status
from upgradecheck.model import Verdict


def member_to_dict(member: Member) -> dict[str, Any]:
    """One cluster: every key present, null where a member not assessed has no value."""
    report = member.report
    return {
        "name": member.name,
        "origin": member.origin.value,
        "status": member.status.value,
        "reason": member.reason,
        "current_version": report.current_version if report else None,
        "target_version": report.target_version if report else None,
        "hops": list(report.hops) if report else [],
        "verdict": report.verdict.value if report else None,
        "summary": {**report.summary, "suppressed": len(report.suppressed)} if report else None,
        "cluster": cluster_to_dict(report.cluster, Form.REPORT) if report else None,
        "coverage": coverage_to_dict(report.coverage if report else ()),
        "knowledge_version": report.knowledge_version if report else None,
    }


def share_to_dict(share: Share) -> dict[str, Any]:
    """One cluster's part in a group."""
    return {
        "name": share.cluster,
        "findings": share.findings,
        "severity": share.severity.value,
        "hop": share.hop,
    }


def group_to_dict(group: Group) -> dict[str, Any]:
    """One group of findings and the clusters it is found in."""
    return {
        "rule": group.rule,
        "severity": group.severity.value,
        "api_version": group.api_version,
        "kind": group.kind,
        "subject": group.subject,
        "replacement": group.replacement,
        "removed_in": group.removed_in,
        "link": group.link,
        "findings": group.findings,
        "clusters": [share_to_dict(s) for s in group.shares],
    }


def cluster_counts(fleet: Fleet) -> dict[str, int]:
    """How many clusters: in all, per status, and per verdict of the assessed ones."""
    return {
        "total": len(fleet.members),
        **{status.value: len(fleet.with_status(status)) for status in Status},
        **{verdict.value: len(fleet.with_verdict(verdict)) for verdict in Verdict},
    }


def fleet_to_dict(fleet: Fleet) -> dict[str, Any]:
    """The whole fleet as the schema's JSON object."""
    return {
        "schema": FLEET_SCHEMA,
        "target_version": fleet.target,
        "verdict": fleet.verdict.value,
        "summary": fleet.summary,
        "clusters_summary": cluster_counts(fleet),
        "clusters": [member_to_dict(m) for m in fleet.members],
        "groups": [group_to_dict(g) for g in fleet.groups],
        "generated_at": fleet.generated_at,
        "tool_version": fleet.tool_version,
    }

"""The comparison document, schema `upgradecheck.compare/v1` (docs/compare.md). Written only:
comparisons are not read back."""

from __future__ import annotations

from typing import Any

from upgradecheck.codec.common import coverage_to_dict, ref_to_dict
from upgradecheck.compare.model import COMPARE_SCHEMA, Comparison, Difference, Side


def side_to_dict(side: Side) -> dict[str, Any]:
    """One snapshot's summary."""
    return {
        "label": side.label,
        "file": side.file,
        "collected_at": side.collected_at,
        "server_version": side.server_version,
        "platform": side.platform,
        "context": side.context,
        "nodes": side.nodes,
        "objects": side.objects,
    }


def difference_to_dict(difference: Difference) -> dict[str, Any]:
    """One difference."""
    return {
        "check": difference.check,
        "severity": difference.severity.value,
        "subject": difference.subject,
        "before": difference.before,
        "after": difference.after,
        "message": difference.message,
        "object": ref_to_dict(difference.object),
    }


def comparison_to_dict(comparison: Comparison) -> dict[str, Any]:
    """The whole comparison as the schema's JSON object."""
    return {
        "schema": COMPARE_SCHEMA,
        "mode": comparison.mode.value,
        "verdict": comparison.verdict.value,
        "summary": comparison.summary,
        "before": side_to_dict(comparison.before),
        "after": side_to_dict(comparison.after),
        "differences": [difference_to_dict(d) for d in comparison.differences],
        "coverage": coverage_to_dict(comparison.coverage),
        "generated_at": comparison.generated_at,
        "tool_version": comparison.tool_version,
    }

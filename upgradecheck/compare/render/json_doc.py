"""The compare JSON document: schema `upgradecheck.compare/v1` (docs/compare.md)."""

from __future__ import annotations

from typing import Any

from upgradecheck.compare.model import COMPARE_SCHEMA, Comparison, Difference, Side
from upgradecheck.compare.render.interface import ComparisonRenderer
from upgradecheck.render.json_report import coverage_dict, inert_json, object_dict


def side_dict(side: Side) -> dict[str, Any]:
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


def difference_dict(difference: Difference) -> dict[str, Any]:
    """One difference."""
    return {
        "check": difference.check,
        "severity": difference.severity.value,
        "subject": difference.subject,
        "before": difference.before,
        "after": difference.after,
        "message": difference.message,
        "object": object_dict(difference.object),
    }


def comparison_dict(comparison: Comparison) -> dict[str, Any]:
    """The whole comparison as the schema's JSON object."""
    return {
        "schema": COMPARE_SCHEMA,
        "mode": comparison.mode.value,
        "verdict": comparison.verdict.value,
        "summary": comparison.summary,
        "before": side_dict(comparison.before),
        "after": side_dict(comparison.after),
        "differences": [difference_dict(d) for d in comparison.differences],
        "coverage": coverage_dict(comparison.coverage),
        "generated_at": comparison.generated_at,
        "tool_version": comparison.tool_version,
    }


class JsonRenderer(ComparisonRenderer):
    """Renders `comparison_dict` with two-space indentation."""

    def render(self, comparison: Comparison) -> str:
        """The JSON document for `comparison`."""
        return inert_json(comparison_dict(comparison))

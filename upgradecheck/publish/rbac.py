"""The RBAC rules publishing PolicyReports needs on top of the collector's read-only ones,
and the ClusterRole that grants both (`upgradecheck rbac --publish`, the Helm chart)."""

from __future__ import annotations

from typing import Any

from upgradecheck.collect.cluster.rbac import cluster_role
from upgradecheck.knowledge.model import KnowledgeBase

PUBLISHER_ROLE_NAME = "upgradecheck-publisher"
"""Not the reader's name: a role that may write must never pass for the read-only one."""

REPORT_GROUP = "wgpolicyk8s.io"
REPORT_RESOURCES = ("policyreports", "clusterpolicyreports")
# Server-side apply is a PATCH that creates the object when it is missing (so: create and
# patch); list finds the tool's earlier reports (by label, in every namespace); get reads a
# report back; delete removes the report of a namespace now clean.
REPORT_VERBS = ("get", "list", "create", "patch", "delete")


def publish_rules() -> list[dict[str, Any]]:
    """The rules publishing adds, in ClusterRole form."""
    return [
        {
            "apiGroups": [REPORT_GROUP],
            "resources": list(REPORT_RESOURCES),
            "verbs": list(REPORT_VERBS),
        }
    ]


def publisher_role(kb: KnowledgeBase) -> dict[str, Any]:
    """The collector's ClusterRole plus the publish rules, under its own name."""
    role = cluster_role(kb)
    return {
        **role,
        "metadata": {**role["metadata"], "name": PUBLISHER_ROLE_NAME},
        "rules": [*role["rules"], *publish_rules()],
    }

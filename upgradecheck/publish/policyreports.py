"""Publishing a report into the cluster as PolicyReports: apply this run's reports, then
delete the tool's earlier ones that this run no longer needs, within the run's reach."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from upgradecheck.model import Report
from upgradecheck.publish.cluster import ClusterReports, NamespaceGone
from upgradecheck.publish.interface import Published, Publisher, Reach
from upgradecheck.render.policyreport import (
    CLUSTER_KIND,
    CLUSTER_PLURAL,
    NAMESPACED_KIND,
    NAMESPACED_PLURAL,
    policy_reports,
)

_PLURAL = {NAMESPACED_KIND: NAMESPACED_PLURAL, CLUSTER_KIND: CLUSTER_PLURAL}
_KIND = {plural: kind for kind, plural in _PLURAL.items()}

Key = tuple[str, str | None, str]
"""(plural, namespace or None, name) of one report."""


class PolicyReportPublisher(Publisher):
    """Writes a report's PolicyReports (`--format policyreport`) into the cluster."""

    def __init__(self, reports: ClusterReports) -> None:
        self.reports = reports

    def publish(self, report: Report, reach: Reach) -> Published:
        """Apply every report, then delete the tool's earlier reports that were not written
        again: in the namespaces this run has findings in, in every namespace `reach`
        covers, and the cluster's. The earlier ones are listed first, so that a cluster
        without the CRDs fails before any write."""
        docs = policy_reports(report)
        earlier = [
            _key(plural, item)
            for plural in (CLUSTER_PLURAL, NAMESPACED_PLURAL)
            for item in self.reports.list(plural)
        ]
        applied: list[Key] = []
        skipped: list[str] = []
        gone: set[str] = set()
        for doc in docs:
            key = _key(_PLURAL[doc["kind"]], doc)
            namespace = key[1]
            if namespace in gone:
                continue
            try:
                self.reports.apply(key[0], doc)
            except NamespaceGone:
                gone.add(namespace or "")
                skipped.append(f"{_label(key)}: namespace {namespace} does not exist")
                continue
            applied.append(key)
        reported = {key[1] for key in _keys(docs)}
        written = set(applied)
        stale = sorted(
            (key for key in earlier if key not in written and key[1] not in gone),
            key=lambda k: (k[1] or "", k[0], k[2]),
        )
        deleted = []
        for key in stale:
            plural, namespace, name = key
            if namespace is None or namespace in reported or reach.covers(namespace):
                self.reports.delete(plural, namespace, name)
                deleted.append(_label(key))
        return Published(
            target=self.reports.target,
            applied=tuple(_label(k) for k in applied),
            deleted=tuple(deleted),
            skipped=tuple(skipped),
            dry_run=self.reports.dry_run,
        )


def _key(plural: str, obj: Mapping[str, Any]) -> Key:
    meta = obj.get("metadata") or {}
    namespace = meta.get("namespace") if plural == NAMESPACED_PLURAL else None
    return plural, (str(namespace) if namespace else None), str(meta.get("name", ""))


def _keys(docs: list[dict[str, Any]]) -> list[Key]:
    return [_key(_PLURAL[doc["kind"]], doc) for doc in docs]


def _label(key: Key) -> str:
    plural, namespace, name = key
    return f"{_KIND[plural]} {namespace}/{name}" if namespace else f"{_KIND[plural]} {name}"

"""Hand-built findings and snapshots for the exceptions tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from upgradecheck.model import Finding, ObjectRef, ObservedObject, Severity, Snapshot
from upgradecheck.suppress import ExceptionsConfig, parse_config

TODAY = dt.date(2026, 3, 31)


def finding(
    rule: str,
    kind: str = "Deployment",
    namespace: str | None = "shop",
    name: str = "web",
    severity: Severity = Severity.WARNING,
) -> Finding:
    """A finding of `rule` about one object."""
    return Finding(
        rule=rule,
        severity=severity,
        message=f"{rule} on {kind} {name}.",
        remediation="Fix it.",
        object=ObjectRef("apps/v1", kind, namespace, name),
    )


def subject_finding(rule: str, subject: str, severity: Severity = Severity.BLOCKER) -> Finding:
    """A finding about something that is not an object (a node pool, a client)."""
    return Finding(rule=rule, severity=severity, message="m", remediation="r", subject=subject)


def observed(kind: str, namespace: str | None, name: str, **labels: str) -> ObservedObject:
    """An object of a snapshot, with labels."""
    body: dict[str, Any] = {"metadata": {"name": name, "labels": dict(labels)}}
    if namespace:
        body["metadata"]["namespace"] = namespace
    return ObservedObject(ObjectRef("apps/v1", kind, namespace, name), (), body)


def snapshot(*objects: ObservedObject) -> Snapshot:
    """A manifests snapshot holding `objects`."""
    return Snapshot(source="manifests", collected_at="2026-03-31T00:00:00Z", objects=objects)


def config(text: str, path: str = ".upgradecheck.yaml") -> ExceptionsConfig:
    """The exceptions file `text`, parsed."""
    return parse_config(text, path)

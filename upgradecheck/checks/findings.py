"""Building findings for the risk checks: the rule's documented source as the link, evidence
read from object fields, and long lists cut to a readable length."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from upgradecheck.checks.rules import RULES_BY_ID
from upgradecheck.model import Evidence, EvidenceSource, Finding, ObjectRef, Severity
from upgradecheck.versions import Minor

EVIDENCE_CAP = 10
"""At most this many pieces of evidence per finding; the message gives the full count."""


def field_evidence(ref: ObjectRef, location: str, value: Any = None) -> Evidence:
    """Evidence that an object's field (`spec.maxUnavailable`) holds `value`."""
    detail = "" if value is None else _shown(value)
    return Evidence(EvidenceSource.OBJECT, location, ref.api_version, detail)


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 200 else text[:199] + "…"


def capped(evidence: Iterable[Evidence]) -> tuple[Evidence, ...]:
    """The first EVIDENCE_CAP pieces of evidence."""
    out: list[Evidence] = []
    for e in evidence:
        if len(out) == EVIDENCE_CAP:
            break
        out.append(e)
    return tuple(out)


def finding(
    rule: str,
    severity: Severity,
    message: str,
    remediation: str,
    *,
    obj: ObjectRef | None = None,
    subject: str | None = None,
    hop: Minor | None = None,
    evidence: Iterable[Evidence] = (),
    link: str | None = None,
) -> Finding:
    """A finding of `rule`, linked to the rule's source unless another link is given."""
    return Finding(
        rule=rule,
        severity=severity,
        message=message,
        remediation=remediation,
        hop=str(hop) if hop is not None else None,
        object=obj,
        evidence=capped(evidence),
        link=link or RULES_BY_ID[rule].source,
        subject=subject,
    )

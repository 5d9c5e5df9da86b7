"""Evidence for findings: read from object fields, and long lists cut to a readable length."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from upgradecheck.model import Evidence, EvidenceSource, ObjectRef

EVIDENCE_CAP = 10
"""At most this many pieces of evidence per finding; the message gives the full count."""


def field_evidence(ref: ObjectRef, location: str, value: Any = None) -> Evidence:
    """Evidence that an object's field (`spec.maxUnavailable`) holds `value`."""
    detail = "" if value is None else _shown(value)
    return Evidence(EvidenceSource.OBJECT, location, ref.api_version, detail)


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 200 else text[:199] + "…"


def capped(evidence: Iterable[Evidence], cap: int = EVIDENCE_CAP) -> tuple[Evidence, ...]:
    """The first `cap` pieces of evidence."""
    out: list[Evidence] = []
    for e in evidence:
        if len(out) == cap:
            break
        out.append(e)
    return tuple(out)

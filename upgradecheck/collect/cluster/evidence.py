"""Evidence of the apiVersions an object was written in, read from its metadata: the
last-applied annotation and each managedFields entry."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from upgradecheck.collect.sanitize import LAST_APPLIED
from upgradecheck.model import Evidence, EvidenceSource
from upgradecheck.safetext import printable
from upgradecheck.shapes import as_maps

LAST_APPLIED_LOCATION = LAST_APPLIED
# kubectl writes the annotation as compact JSON with sorted keys: apiVersion comes first.
_API_VERSION = re.compile(r'^\s*\{\s*"apiVersion"\s*:\s*"([^"\\]+)"')


def last_applied_version(annotation: str) -> str | None:
    """The apiVersion recorded in a last-applied-configuration annotation."""
    match = _API_VERSION.match(annotation)
    if match:
        return match.group(1)
    try:
        doc = json.loads(annotation)
    except (json.JSONDecodeError, RecursionError):
        return None
    value = doc.get("apiVersion") if isinstance(doc, Mapping) else None
    return value if isinstance(value, str) else None


def managed_fields_evidence(entry: Mapping[str, Any]) -> Evidence | None:
    """One managedFields entry as evidence: who wrote, through which version, when, how."""
    api_version = entry.get("apiVersion")
    if not isinstance(api_version, str) or not api_version:
        return None
    manager = _text(entry.get("manager")) or "<unnamed manager>"
    detail = f"operation {_text(entry.get('operation')) or 'Update'}"
    subresource = _text(entry.get("subresource"))
    if subresource:
        detail += f", subresource {subresource}"
    time = entry.get("time")
    return Evidence(
        source=EvidenceSource.MANAGED_FIELDS,
        location=f"manager {manager}",
        api_version=printable(api_version, 200),
        detail=detail,
        time=time if isinstance(time, str) else None,
    )


def evidence_of(metadata: Mapping[str, Any]) -> tuple[Evidence, ...]:
    """Every piece of authored-version evidence in an object's metadata."""
    out: list[Evidence] = []
    annotations = metadata.get("annotations")
    if isinstance(annotations, Mapping):
        applied = annotations.get(LAST_APPLIED)
        if isinstance(applied, str):
            version = last_applied_version(applied)
            if version:
                out.append(
                    Evidence(
                        EvidenceSource.LAST_APPLIED, LAST_APPLIED_LOCATION, printable(version, 200)
                    )
                )
    for entry in as_maps(metadata.get("managedFields")):
        ev = managed_fields_evidence(entry)
        if ev is not None:
            out.append(ev)
    return tuple(out)


def _text(value: Any) -> str:
    """A field written by whoever wrote the object, as safe one-line text ("" if not text)."""
    return printable(value, 128) if isinstance(value, str) else ""

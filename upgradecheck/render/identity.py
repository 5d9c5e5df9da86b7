"""A finding's identity across runs and dates: what it is about, never how it is worded. SARIF's
partialFingerprints are made of it, so that a code-scanning alert stays the same alert while
its finding stays, whatever the date, the hop or a message that counts days."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator

from upgradecheck.model import EvidenceSource, Finding

FILE_SOURCES = (EvidenceSource.FILE, EvidenceSource.TEMPLATE)
"""Evidence read from a file the user can change, located `path:line`."""


def file_of(finding: Finding) -> str | None:
    """The file (without its line) of the finding's first file evidence, normalised."""
    for evidence in finding.evidence:
        if evidence.source in FILE_SOURCES:
            path, sep, line = evidence.location.rpartition(":")
            return posixpath.normpath(path if sep and line.isdigit() else evidence.location)
    return None


def identity(finding: Finding) -> str:
    """A hex digest of what the finding is about: rule, object, subject, file, and the facts
    that tell apart two findings of one rule on one object (the link to their source, the
    API and its lifecycle). Never the message, hop, evidence times or lines, which move."""
    obj = finding.object
    parts = (
        finding.rule,
        *(
            ("", "", "", "")
            if obj is None
            else (obj.api_version, obj.kind, obj.namespace or "", obj.name)
        ),
        finding.subject or "",
        file_of(finding) or "",
        finding.link or "",
        finding.replacement or "",
        finding.deprecated_in or "",
        finding.removed_in or "",
    )
    import hashlib  # here: only SARIF needs it, and it costs start-up time

    text = "\x1f".join(parts).encode("utf-8", "surrogatepass")
    return hashlib.sha256(text).hexdigest()[:32]


def identities(findings: Iterable[Finding]) -> Iterator[str]:
    """`identity` of each finding in order, made unique: a repeat gets `:2`, `:3`, ... in the
    order the findings come (which assess keeps stable)."""
    seen: dict[str, int] = {}
    for finding in findings:
        key = identity(finding)
        seen[key] = seen.get(key, 0) + 1
        yield key if seen[key] == 1 else f"{key}:{seen[key]}"

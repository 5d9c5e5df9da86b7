"""SARIF 2.1.0 (the OASIS standard GitHub code scanning reads): one run, the rules that fired
with their help links, one result per finding, placed at its file and line when it was read
from a file, else at its Kubernetes object."""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from upgradecheck import HOMEPAGE
from upgradecheck.checks.rule import Rule
from upgradecheck.checks.rules import RULES, RULES_BY_ID
from upgradecheck.model import CoverageNote, Evidence, Finding, ObjectRef, Report, Severity
from upgradecheck.render.escaping import clean, inert_json
from upgradecheck.render.identity import FILE_SOURCES, identities
from upgradecheck.render.interface import Renderer

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
FINGERPRINT = "upgradecheck/v1"
"""The partialFingerprints key: versioned, so that a change of what it hashes is a new key."""

LEVELS = {Severity.BLOCKER: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
"""SARIF's result level of each severity."""

_NOTE_LEVELS = {"error": "error", "note": "note"}
"""A coverage note's notification level by its kind (any other kind: `warning`)."""

STDIN = "<stdin>"
# Where a document was built by a client whose output could not be mapped to a file:
# `chart (helm template):LINE`, `folder (kustomize build):LINE`.
_HELM_OUTPUT = " (helm template)"
_KUSTOMIZE_OUTPUT = " (kustomize build)"
# A member of a packaged chart: `charts/sub-1.0.0.tgz:sub/templates/pdb.yaml`.
_ARCHIVE_MEMBER = re.compile(r"^(?P<archive>.+?\.(?:tgz|tar\.gz)):(?P<member>.+)$")
# Characters left as they are in a URI path (RFC 3986 pchar, without `:` so that a relative
# path's first segment can never read as a scheme).
_URI_SAFE = "/-._~!$&'()*+,;=@"


@dataclass(frozen=True)
class FilePlace:
    """Where in a file a finding points: a path as the scan wrote it, a line, and a note for
    the message when the line is not the line to change."""

    path: str
    """The file, as the scan names it (relative to where it ran, or absolute)."""
    line: int
    """1-based line."""
    note: str = ""
    """Why the line is only approximate, or where the text really is."""


def file_place(evidence: Evidence) -> FilePlace | None:
    """The file and line a piece of file evidence names (`path:line`), or None when it names
    no file that exists on disk (stdin, a client's unmapped output).

    A document of a chart rendered by helm is already located at its template file and the
    line of its apiVersion there (collect maps helm's `# Source:` comments back); only when
    that template was not found is the place the chart's Chart.yaml, line 1, with the line of
    the rendered output in the note. A template inside a packaged subchart points at the
    archive, line 1, naming the member and line in the note.
    """
    if evidence.source not in FILE_SOURCES:
        return None
    path, sep, number = evidence.location.rpartition(":")
    if not sep or not number.isdigit() or not path:
        return None
    line = max(int(number), 1)
    if path == STDIN:
        return None
    if path.endswith(_KUSTOMIZE_OUTPUT):
        return None
    if path.endswith(_HELM_OUTPUT):
        chart = path[: -len(_HELM_OUTPUT)]
        return FilePlace(
            posixpath.join(chart, "Chart.yaml"),
            1,
            f"Rendered at line {line} of the chart's helm template output; the template that "
            "wrote it is not in the chart folder.",
        )
    member = _ARCHIVE_MEMBER.match(path)
    if member:
        return FilePlace(
            member["archive"],
            1,
            f"Written at line {line} of {member['member']}, inside the packaged chart "
            f"{member['archive']}.",
        )
    return FilePlace(path, line)


def artifact_uri(path: str, base_dir: str | None) -> str:
    """`path` as a SARIF artifact URI: relative to `base_dir` (forward slashes, no scheme)
    when it is relative or under `base_dir`, else an absolute `file://` URI. Bytes that are
    not UTF-8 (a file name read as surrogate escapes) are percent-encoded as they were."""
    native = path.replace(os.sep, "/") if os.sep != "/" else path
    if posixpath.isabs(native):
        base = base_dir.replace(os.sep, "/") if base_dir else None
        if base and posixpath.isabs(base) and _under(native, base):
            native = posixpath.relpath(native, base)
        else:
            return "file://" + _quoted(posixpath.normpath(native))
    return _quoted(posixpath.normpath(native))


def _under(path: str, base: str) -> bool:
    path, base = posixpath.normpath(path), posixpath.normpath(base)
    return posixpath.commonpath([path, base]) == base


def _quoted(path: str) -> str:
    try:
        raw = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that no undecodable byte made (`\ud800`)
        raw = path.encode("utf-8", "backslashreplace")
    return quote(raw, safe=_URI_SAFE)


def logical_location(finding: Finding, cluster: str) -> dict[str, Any]:
    """The Kubernetes object as a SARIF logical location (`Kind/namespace/name`), else the
    finding's subject (a node, a client, a release), else the cluster."""
    obj = finding.object
    if obj is not None:
        return {
            "name": obj.name,
            "fullyQualifiedName": _object_path(obj),
            "kind": "resource",
            "properties": {
                "apiVersion": obj.api_version,
                "kind": obj.kind,
                "namespace": obj.namespace,
                "name": obj.name,
            },
        }
    name = finding.subject or cluster
    return {"name": name, "fullyQualifiedName": name, "kind": "resource"}


def _object_path(obj: ObjectRef) -> str:
    return "/".join(p for p in (obj.kind, obj.namespace, obj.name) if p)


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    """A rule as SARIF's reportingDescriptor, from its declaration."""
    return {
        "id": rule.id,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.what},
        "help": {"text": f"{rule.why} How to fix: {rule.fix}"},
        "helpUri": rule.help_uri,
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": ["kubernetes", "upgrade"]},
    }


def _undeclared_descriptor(rule_id: str, findings: Sequence[Finding]) -> dict[str, Any]:
    """A descriptor for a rule id no check declares: what its findings say of it."""
    worst = max((f.severity for f in findings), key=lambda s: s.rank)
    descriptor: dict[str, Any] = {
        "id": rule_id,
        "shortDescription": {"text": rule_id},
        "defaultConfiguration": {"level": LEVELS[worst]},
    }
    link = next((f.link for f in findings if f.link and f.link.startswith("https://")), None)
    if link:
        descriptor["helpUri"] = link
    return descriptor


def rule_descriptors(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """One descriptor per rule id the findings use: declared rules in the rule table's
    order, then any other id in order of first use."""
    used = {f.rule for f in findings}
    descriptors = [rule_descriptor(r) for r in RULES if r.id in used]
    others = list(dict.fromkeys(f.rule for f in findings if f.rule not in RULES_BY_ID))
    for rule_id in others:
        descriptors.append(
            _undeclared_descriptor(rule_id, [f for f in findings if f.rule == rule_id])
        )
    return descriptors


class SarifRenderer(Renderer[Report]):
    """A SARIF log with one run: file paths relative to `options.base_dir`."""

    def render(self, report: Report) -> str:
        """The SARIF document for `report` (suppressed findings included, marked)."""
        findings = (*report.findings, *report.suppressed)
        rules = rule_descriptors(findings)
        index = {descriptor["id"]: i for i, descriptor in enumerate(rules)}
        cluster = (report.cluster.context if report.cluster else None) or "cluster"
        results = [
            self._result(finding, index[finding.rule], key, cluster)
            for finding, key in zip(findings, identities(findings), strict=True)
        ]
        run: dict[str, Any] = {
            "tool": {
                "driver": {
                    "name": "upgradecheck",
                    "version": report.tool_version,
                    "informationUri": HOMEPAGE,
                    "rules": rules,
                }
            },
            "invocations": [_invocation(report)],
            "results": results,
            "properties": {
                "verdict": report.verdict.value,
                "currentVersion": report.current_version,
                "targetVersion": report.target_version,
                "hops": list(report.hops),
                "summary": {**report.summary, "suppressed": len(report.suppressed)},
                "source": report.source,
                "knowledgeVersion": report.knowledge_version,
            },
        }
        return inert_json({"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]})

    def _result(self, finding: Finding, rule_index: int, key: str, cluster: str) -> dict[str, Any]:
        places = [p for p in (file_place(e) for e in finding.evidence) if p is not None]
        logical = logical_location(finding, cluster)
        locations = [
            self._location(place, logical if i == 0 else None) for i, place in enumerate(places)
        ]
        if not locations:
            locations = [{"logicalLocations": [logical]}]
        notes = [p.note for p in places[:1] if p.note] + _unplaced_notes(finding.evidence)
        text = " ".join([clean(finding.message), *notes])
        if finding.remediation:
            text += f"\n\nHow to fix: {clean(finding.remediation)}"
        result: dict[str, Any] = {
            "ruleId": finding.rule,
            "ruleIndex": rule_index,
            "level": LEVELS[finding.severity],
            "message": {"text": text},
            "locations": locations[:1],
            "partialFingerprints": {FINGERPRINT: key},
            "properties": _properties(finding),
        }
        if len(locations) > 1:
            result["relatedLocations"] = [
                {"id": i, **loc} for i, loc in enumerate(locations[1:], start=1)
            ]
        if finding.link and finding.link.startswith(("https://", "http://")):
            result["properties"]["link"] = finding.link
        if finding.suppression is not None:
            s = finding.suppression
            suppression: dict[str, Any] = {
                "kind": "external",
                "status": "accepted",
                "justification": s.reason,
            }
            if s.expires or s.source:
                suppression["properties"] = {"expires": s.expires, "source": s.source}
            result["suppressions"] = [suppression]
        return result

    def _location(self, place: FilePlace, logical: dict[str, Any] | None) -> dict[str, Any]:
        location: dict[str, Any] = {
            "physicalLocation": {
                "artifactLocation": {"uri": artifact_uri(place.path, self.options.base_dir)},
                "region": {"startLine": place.line},
            }
        }
        if logical is not None:
            location["logicalLocations"] = [logical]
        return location


def _unplaced_notes(evidence: Iterable[Evidence]) -> list[str]:
    """Where file evidence that names no file on disk was found: stdin, a build's output."""
    notes = []
    for e in evidence:
        if e.source in FILE_SOURCES and file_place(e) is None:
            path, _, line = e.location.rpartition(":")
            if path == STDIN:
                notes.append(f"line {line} of standard input")
            elif path.endswith(_KUSTOMIZE_OUTPUT):
                notes.append(
                    f"line {line} of the kustomize build output of "
                    f"{path[: -len(_KUSTOMIZE_OUTPUT)]}"
                )
    return notes[:1]


def _properties(finding: Finding) -> dict[str, Any]:
    """What SARIF has no field for: the severity, hop, API facts and every piece of evidence."""
    props: dict[str, Any] = {"severity": finding.severity.value}
    for key, value in (
        ("hop", finding.hop),
        ("replacement", finding.replacement),
        ("deprecatedIn", finding.deprecated_in),
        ("removedIn", finding.removed_in),
        ("subject", finding.subject),
    ):
        if value is not None:
            props[key] = value
    props["evidence"] = [
        {
            "source": e.source.value,
            "location": e.location,
            "apiVersion": e.api_version,
            **({"detail": e.detail} if e.detail else {}),
            **({"time": e.time} if e.time else {}),
            **({"notRenderedFor": e.not_rendered_for} if e.not_rendered_for else {}),
        }
        for e in finding.evidence
    ]
    return props


def _invocation(report: Report) -> dict[str, Any]:
    """Whether the run read all its input, and every coverage note as a notification."""
    return {
        "executionSuccessful": not any(n.is_input_error for n in report.coverage),
        "endTimeUtc": report.generated_at,
        "toolExecutionNotifications": [_notification(n) for n in report.coverage],
    }


def _notification(note: CoverageNote) -> dict[str, Any]:
    return {
        "message": {"text": clean(note.describe())},
        "level": _NOTE_LEVELS.get(note.kind, "warning"),
        "descriptor": {"id": f"coverage-{note.kind}"},
    }

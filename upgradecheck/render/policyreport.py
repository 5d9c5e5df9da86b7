"""PolicyReports (`wgpolicyk8s.io/v1alpha2`): one report per namespace with findings and one
ClusterPolicyReport for the rest, as YAML documents `kubectl apply -f` takes, and as the
objects `upgradecheck.publish` applies to the cluster."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from upgradecheck.model import CoverageNote, Finding, Report, Severity
from upgradecheck.render.escaping import clean, one_line
from upgradecheck.render.interface import Renderer

GROUP = "wgpolicyk8s.io"
VERSION = "v1alpha2"
API_VERSION = f"{GROUP}/{VERSION}"
NAMESPACED_KIND = "PolicyReport"
CLUSTER_KIND = "ClusterPolicyReport"
NAMESPACED_PLURAL = "policyreports"
CLUSTER_PLURAL = "clusterpolicyreports"
SOURCE = "upgradecheck"
BASE_NAME = "upgradecheck"
"""The first report of each namespace (and of the cluster); the next are `upgradecheck-2`..."""
MANAGED_BY = ("app.kubernetes.io/managed-by", "upgradecheck")
"""The label that marks a report as this tool's: the publisher replaces and deletes only
reports that carry it."""
COVERAGE_POLICY = "coverage-gap"
"""The policy of the `error` results that say what could not be seen."""
CATEGORY = "Kubernetes upgrade"

MAX_REPORT_BYTES = 200_000
"""The largest report, as compact JSON. The API server stores objects up to 1.5 MiB, but a
client-side `kubectl apply -f` copies the whole object into an annotation, and annotations
may hold 256 KiB in all: below that, every way of applying the file works."""
MAX_EVIDENCE = 10
"""Evidence entries spelled out in a result's `evidence` property; the rest are counted."""

_RESULT = {Severity.BLOCKER: "fail", Severity.WARNING: "warn", Severity.INFO: "warn"}
_SEVERITY = {Severity.BLOCKER: "high", Severity.WARNING: "medium", Severity.INFO: "info"}
_SUMMARY_KEYS = ("pass", "fail", "warn", "error", "skip")
# A subject that only counts things ("12 places") changes with the count; the count is not
# what the finding is about.
_COUNTED = re.compile(r"\d+ (\S+)")
_NAMESPACE = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")


@dataclass(frozen=True)
class _Entry:
    """One result before it is placed in a report."""

    namespace: str | None
    """The namespace whose report holds it; None for the ClusterPolicyReport."""
    identity: tuple[str, ...]
    """The stable facts its resultID is made of."""
    tiebreak: tuple[str, ...]
    """More facts, used only when two results share an identity."""
    result: dict[str, Any]
    """The result without its resultID."""


def policy_reports(report: Report) -> list[dict[str, Any]]:
    """The reports as Kubernetes objects: the ClusterPolicyReport(s) first (always at least
    one, so that a clean run still replaces an earlier one), then each namespace's, by name."""
    stamp = _timestamp(report.generated_at)
    target = report.target_version
    entries = [_finding_entry(f, stamp, target) for f in report.findings]
    entries += [_finding_entry(f, stamp, target) for f in report.suppressed]
    entries += [_gap_entry(note, stamp) for note in report.gaps]
    results = _with_ids(entries)
    by_namespace: dict[str | None, list[dict[str, Any]]] = {None: []}
    for entry, result in zip(entries, results, strict=True):
        by_namespace.setdefault(entry.namespace, []).append(result)
    docs = _split(None, by_namespace.pop(None))
    for namespace in sorted(n for n in by_namespace if n is not None):
        docs += _split(namespace, by_namespace[namespace])
    return docs


class PolicyReportRenderer(Renderer[Report]):
    """The reports as a stream of YAML documents, ready for `kubectl apply -f`."""

    def render(self, report: Report) -> str:
        """Every report, each its own YAML document."""
        return dump_documents(policy_reports(report))


def dump_documents(docs: Iterable[dict[str, Any]]) -> str:
    """YAML documents, each starting with `---`, in block style. Written here rather than by
    PyYAML, whose representer spends two minutes on 100,000 results: the documents hold
    only dicts, lists, strings and integers, and each string is written plain where YAML
    reads it back as the same string, else double-quoted with JSON's escapes (which YAML
    reads too)."""
    out: list[str] = []
    for doc in docs:
        out.append("---\n")
        _block(doc, "", out)
    return "".join(out)


def _block(mapping: dict[str, Any], pad: str, out: list[str]) -> None:
    for key, value in mapping.items():
        kind = type(value)
        if kind is dict and value:
            out.append(f"{pad}{_text(key)}:\n")
            _block(value, pad + "  ", out)
        elif kind is list and value:
            out.append(f"{pad}{_text(key)}:\n")
            for item in value:
                if type(item) is dict and item:
                    # The item's first key goes on the dash's line, the rest under it.
                    lines: list[str] = []
                    _block(item, pad + "  ", lines)
                    out.append(f"{pad}- {lines[0][len(pad) + 2:]}")
                    out += lines[1:]
                else:
                    out.append(f"{pad}- {_scalar(item)}\n")
        else:
            out.append(f"{pad}{_text(key)}: {_scalar(value)}\n")


# A string YAML reads back as itself when written plain: it starts with a letter (no
# indicator, number, date or `.inf`), holds no `:` or `#`, and is no YAML 1.1 boolean or
# null (go-yaml, which kubectl uses, reads those as YAML 1.1 does).
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 _./()+,;=@-]*")
_RESERVED = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null"})
# What JSON leaves as it is but YAML may not hold raw: DEL and C1 controls, the Unicode line
# and paragraph separators (a double-quoted scalar folds them), the BOM and non-characters.
_NOT_YAML = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
# A lone surrogate (a name read from undecodable bytes) is no character: kubectl's YAML
# reader refuses its escape, so the file holds "?" in its place, as publishing sends it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _scalar(value: Any) -> str:
    if type(value) is str:
        return _text(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, dict | list):  # empty ones
        return "{}" if isinstance(value, dict) else "[]"
    return _text(str(value))


@functools.lru_cache(maxsize=8192)
def _text(text: str) -> str:
    """A string as a YAML scalar (cached: keys and most values repeat from result to
    result)."""
    if _PLAIN.fullmatch(text) and text[-1] != " " and text.lower() not in _RESERVED:
        return text
    quoted = json.dumps(_SURROGATE.sub("?", text), ensure_ascii=False)
    return _NOT_YAML.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def report_name(index: int) -> str:
    """The name of a namespace's (or the cluster's) `index`-th report, counting from 1."""
    return BASE_NAME if index == 1 else f"{BASE_NAME}-{index}"


# --- results --------------------------------------------------------------------------------


def _finding_entry(finding: Finding, stamp: dict[str, int], target: str) -> _Entry:
    obj = finding.object
    # A namespace that cannot exist (a manifest may name anything) cannot hold a report.
    namespace = obj.namespace if obj is not None and _is_namespace(obj.namespace) else None
    result: dict[str, Any] = {
        "source": SOURCE,
        "policy": finding.rule,
        "category": CATEGORY,
        "message": _line(finding.message),
        "result": "skip" if finding.suppression else _RESULT[finding.severity],
        "severity": _SEVERITY[finding.severity],
        "timestamp": stamp,
    }
    if obj is not None:
        ref = {"apiVersion": obj.api_version, "kind": obj.kind, "name": obj.name}
        if obj.namespace:
            ref["namespace"] = obj.namespace
        result["resources"] = [{k: v if v.isprintable() else clean(v) for k, v in ref.items()}]
    result["properties"] = _properties(finding, target)
    where = (obj.api_version, obj.kind, obj.namespace or "", obj.name) if obj else ("",) * 4
    identity = (
        finding.rule,
        *where,
        _stable_subject(finding.subject),
        finding.link or "",
        finding.replacement or "",
        finding.deprecated_in or "",
        finding.removed_in or "",
    )
    # What the evidence says tells apart findings of one rule about one subject (the runtime
    # versions of one node pool), where the versions it names (kubelets) would not stay put.
    tiebreak = (finding.hop or "", *sorted({e.detail for e in finding.evidence}))
    return _Entry(namespace, identity, tiebreak, result)


def _properties(finding: Finding, target: str) -> dict[str, str]:
    props: dict[str, str | None] = {
        "hop": finding.hop,
        "target": target,
        "subject": finding.subject,
        "replacement": finding.replacement,
        "deprecatedIn": finding.deprecated_in,
        "removedIn": finding.removed_in,
        "evidence": _evidence(finding),
        "remediation": finding.remediation,
        "link": finding.link,
    }
    if finding.suppression is not None:
        props["suppressed"] = finding.suppression.reason
        props["suppressedUntil"] = finding.suppression.expires
        props["exception"] = finding.suppression.source
    return {key: _line(value) for key, value in props.items() if value}


def _evidence(finding: Finding) -> str | None:
    if not finding.evidence:
        return None
    shown = [
        f"{e.source.value} {e.location} ({e.api_version})" for e in finding.evidence[:MAX_EVIDENCE]
    ]
    more = len(finding.evidence) - MAX_EVIDENCE
    if more > 0:
        shown.append(f"and {more} more")
    return "; ".join(shown)


def _line(text: str) -> str:
    """`one_line(text)`, without its regular expressions for the text that needs none
    (printable, no run of spaces, nothing to strip): most of it, on large reports."""
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return one_line(text)


def _is_namespace(name: str | None) -> bool:
    return bool(name) and _NAMESPACE.fullmatch(name or "") is not None


def _stable_subject(subject: str | None) -> str:
    if not subject:
        return ""
    counted = _COUNTED.fullmatch(subject)
    return f"* {counted.group(1).rstrip('s')}" if counted else subject


def _gap_entry(note: CoverageNote, stamp: dict[str, int]) -> _Entry:
    result: dict[str, Any] = {
        "source": SOURCE,
        "policy": COVERAGE_POLICY,
        "category": CATEGORY,
        "message": _line(note.describe()),
        "result": "error",
        "timestamp": stamp,
        "properties": {"subject": _line(note.subject), "kind": _line(note.kind)},
    }
    return _Entry(None, (COVERAGE_POLICY, note.kind, note.subject), (note.reason,), result)


def _with_ids(entries: Sequence[_Entry]) -> list[dict[str, Any]]:
    """Each entry's result with its `resultID`: a digest of its identity, so that the same
    problem with the same object keeps its id from run to run, whatever its message, evidence
    dates or severity say. Entries that share an identity are told apart by their tiebreak,
    then by their order."""
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, entry in enumerate(entries):
        groups.setdefault(entry.identity, []).append(i)
    keys: list[tuple[str, ...]] = [e.identity for e in entries]
    for members in groups.values():
        if len(members) == 1:
            continue
        seen: dict[tuple[str, ...], int] = {}
        for i in sorted(members, key=lambda i: (entries[i].tiebreak, entries[i].result["message"])):
            key = entries[i].identity + entries[i].tiebreak
            seen[key] = seen.get(key, 0) + 1
            keys[i] = key + ((str(seen[key]),) if seen[key] > 1 else ())
    out = []
    for entry, key in zip(entries, keys, strict=True):
        digest = hashlib.sha256(json.dumps(key).encode()).hexdigest()[:32]
        result = dict(entry.result)
        result["properties"] = {"resultID": digest, **entry.result["properties"]}
        out.append(result)
    return out


def _timestamp(iso: str) -> dict[str, int]:
    """`{seconds, nanos}` of an ISO 8601 time (UTC when it names no zone)."""
    try:
        when = dt.datetime.fromisoformat(iso)
    except ValueError:
        when = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    delta = when - epoch
    seconds = delta.days * 86_400 + delta.seconds
    return {"seconds": seconds, "nanos": delta.microseconds * 1000}


# --- reports --------------------------------------------------------------------------------


def _split(namespace: str | None, results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The reports of one namespace (or of the cluster): as few as hold its results within
    MAX_REPORT_BYTES each, named `upgradecheck`, `upgradecheck-2`, ..."""
    chunks: list[list[dict[str, Any]]] = [[]]
    room = MAX_REPORT_BYTES - _size(_report(namespace, 99, []))
    used = 0
    for result in results:
        size = _size(result) + 1  # its comma
        if chunks[-1] and used + size > room:
            chunks.append([])
            used = 0
        chunks[-1].append(result)
        used += size
    return [_report(namespace, i, chunk) for i, chunk in enumerate(chunks, start=1)]


def _report(namespace: str | None, index: int, results: list[dict[str, Any]]) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": report_name(index)}
    if namespace is not None:
        metadata["namespace"] = namespace
    metadata["labels"] = {MANAGED_BY[0]: MANAGED_BY[1]}
    return {
        "apiVersion": API_VERSION,
        "kind": NAMESPACED_KIND if namespace is not None else CLUSTER_KIND,
        "metadata": metadata,
        "summary": _summary(results),
        "results": results,
    }


def _summary(results: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    counts = dict.fromkeys(_SUMMARY_KEYS, 0)
    for result in results:
        counts[result["result"]] += 1
    return counts


def _size(doc: Any) -> int:
    # A lone surrogate (a name read from undecodable bytes) is counted, not refused.
    text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
    return len(text.encode(errors="surrogatepass"))


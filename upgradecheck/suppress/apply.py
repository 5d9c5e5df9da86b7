"""Applying exceptions to findings: which findings they suppress, which still count, and a
note for each exception that expired or matched nothing. Pure: `today` is given."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from msgspec import structs

from upgradecheck.model import CoverageNote, Finding, ObjectRef, Snapshot, Suppression
from upgradecheck.suppress.config import ANY_RULE, ExceptionEntry, ExceptionsConfig

ObjectKey = tuple[str, str | None, str]
"""(kind, namespace, name): how an object is found whatever apiVersion names it."""


@dataclass(frozen=True)
class Applied:
    """Findings split by the exceptions, with the notes the exceptions earned."""

    findings: tuple[Finding, ...]
    """The findings that still count, in their order."""
    suppressed: tuple[Finding, ...]
    """The suppressed findings, in their order, each with its `suppression`."""
    notes: tuple[CoverageNote, ...]
    """Exceptions that expired or matched nothing (kind `note`: they hide nothing)."""


def object_key(ref: ObjectRef) -> ObjectKey:
    """The (kind, namespace, name) of `ref`."""
    return (ref.kind, ref.namespace, ref.name)


def label_index(snapshot: Snapshot) -> dict[ObjectKey, Mapping[str, str]]:
    """Each snapshot object's labels, from its body's metadata."""
    index: dict[ObjectKey, Mapping[str, str]] = {}
    for obj in snapshot.objects:
        metadata = obj.body.get("metadata")
        labels = metadata.get("labels") if isinstance(metadata, Mapping) else None
        if isinstance(labels, Mapping):
            index[object_key(obj.ref)] = {str(k): str(v) for k, v in labels.items()}
    return index


def matches(entry: ExceptionEntry, finding: Finding, labels: Mapping[str, str]) -> bool:
    """Whether `entry` covers `finding`, whose object carries `labels`. Every selector the
    entry gives must hold; an entry with none covers every finding of its rule."""
    if entry.rule not in (ANY_RULE, finding.rule):
        return False
    if entry.selects_all:
        return True
    ref = finding.object
    if ref is None:
        return False
    if entry.namespaces and ref.namespace not in entry.namespaces:
        return False
    if entry.objects and not any(o.matches(ref) for o in entry.objects):
        return False
    return all(labels.get(key) == value for key, value in entry.labels)


def is_expired(entry: ExceptionEntry, today: dt.date) -> bool:
    """True from the day after `expires`: an exception still applies on its expiry date."""
    return entry.expires is not None and entry.expires < today


def suppression(entry: ExceptionEntry) -> Suppression:
    """What a finding suppressed by `entry` carries."""
    expires = entry.expires.isoformat() if entry.expires else None
    return Suppression(reason=entry.reason, expires=expires, source=entry.source)


def apply_exceptions(
    findings: Sequence[Finding],
    config: ExceptionsConfig,
    snapshot: Snapshot,
    today: dt.date,
) -> Applied:
    """Split `findings`: the first unexpired exception that covers a finding suppresses it."""
    if not config.exceptions:
        return Applied(tuple(findings), (), ())  # no entry: nothing to match, nothing to note
    # Labels are indexed only when an entry selects by them: at 270,000 objects the index
    # is over a second of work that no entry would read.
    wanted = any(entry.labels for entry in config.exceptions)
    index = label_index(snapshot) if wanted else {}
    hits: Counter[int] = Counter()
    kept: list[Finding] = []
    suppressed: list[Finding] = []
    for finding in findings:
        labels = index.get(object_key(finding.object), {}) if finding.object else {}
        covering = [e for e in config.exceptions if matches(e, finding, labels)]
        hits.update(e.number for e in covering)
        active = next((e for e in covering if not is_expired(e, today)), None)
        if active is None:
            kept.append(finding)
        else:
            suppressed.append(structs.replace(finding, suppression=suppression(active)))
    notes = tuple(
        note
        for entry in config.exceptions
        if (note := entry_note(entry, hits[entry.number], today)) is not None
    )
    return Applied(tuple(kept), tuple(suppressed), notes)


def entry_note(entry: ExceptionEntry, hits: int, today: dt.date) -> CoverageNote | None:
    """The note an exception earns: expired, or matching nothing; None when it did its job."""
    if is_expired(entry, today):
        assert entry.expires is not None
        again = f": {_count_again(hits)}" if hits else ""
        reason = f"the exception for {entry.describe()} expired on {entry.expires}{again}"
    elif hits == 0:
        reason = f"the exception for {entry.describe()} matched no finding: fix or remove it"
    else:
        return None
    return CoverageNote(entry.source, reason, "note")


def _count_again(n: int) -> str:
    if n == 1:
        return "the finding it covered counts again"
    return f"the {n} findings it covered count again"

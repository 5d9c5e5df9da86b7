"""compare: two snapshots in, one Comparison out, with its verdict."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from upgradecheck import __version__
from upgradecheck.compare import fidelity, rehearsal
from upgradecheck.compare.inventory import same_cluster
from upgradecheck.compare.model import CompareCheck, CompareMode, Comparison, Difference, Side
from upgradecheck.model import CoverageNote, Snapshot, verdict_of

LABELS = {
    CompareMode.REHEARSAL: ("before", "after"),
    CompareMode.FIDELITY: ("production", "test"),
}
# What each mode compares, as the modules that compare declare it.
CHECKS = {
    CompareMode.REHEARSAL: rehearsal.CHECKS,
    CompareMode.FIDELITY: fidelity.CHECKS,
}


class CompareError(Exception):
    """Two snapshots that cannot be compared, e.g. a manifest scan (exit code 2)."""


def compare_snapshots(
    first: Snapshot,
    second: Snapshot,
    *,
    mode: CompareMode = CompareMode.REHEARSAL,
    files: tuple[str, str] = ("", ""),
    now: dt.datetime | None = None,
) -> Comparison:
    """Compare `first` with `second`: before/after an upgrade, or production/test."""
    labels = LABELS[mode]
    _check_sources((first, second), labels, files)
    if mode is CompareMode.REHEARSAL:
        differences = rehearsal.rehearsal_differences(first, second)
    else:
        differences = fidelity.fidelity_differences(first, second)
    checks = CHECKS[mode]
    differences.sort(key=_sort_key(checks))
    coverage = (
        _coverage(first, labels[0]) + _coverage(second, labels[1]) + _doubts(first, second, mode)
    )
    when = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    return Comparison(
        mode=mode,
        before=side(first, labels[0], files[0]),
        after=side(second, labels[1], files[1]),
        verdict=verdict_of((d.severity for d in differences), coverage),
        differences=tuple(differences),
        coverage=coverage,
        generated_at=when.isoformat().replace("+00:00", "Z"),
        tool_version=__version__,
        checks=checks,
    )


def _check_sources(
    snapshots: tuple[Snapshot, Snapshot], labels: tuple[str, str], files: tuple[str, str]
) -> None:
    for snapshot, label, file in zip(snapshots, labels, files, strict=True):
        if snapshot.source != "cluster":
            name = file or f"the {label} snapshot"
            raise CompareError(
                f"{name} is a {snapshot.source} scan; compare needs cluster snapshots"
            )


def side(snapshot: Snapshot, label: str, file: str) -> Side:
    """The summary of one snapshot."""
    cluster = snapshot.cluster
    return Side(
        label=label,
        file=file,
        collected_at=snapshot.collected_at,
        server_version=cluster.server_version if cluster else None,
        platform=cluster.platform if cluster else None,
        context=cluster.context if cluster else None,
        nodes=len(snapshot.nodes),
        objects=len(snapshot.objects),
    )


def _sort_key(checks: tuple[CompareCheck, ...]) -> Callable[[Difference], tuple[int, int, str]]:
    """Worst first, then in the order of `checks`, then by subject."""
    order = {check.id: i for i, check in enumerate(checks)}
    return lambda d: (-d.severity.rank, order.get(d.check, len(order)), d.subject)


def _coverage(snapshot: Snapshot, label: str) -> tuple[CoverageNote, ...]:
    """The snapshot's coverage notes, each prefixed with the side it is from."""
    return tuple(
        CoverageNote(f"{label}: {n.subject}", f"{label}: {n.reason}", n.kind)
        if n.reason.startswith(n.subject)
        else CoverageNote(f"{label}: {n.subject}", n.reason, n.kind)
        for n in snapshot.coverage
    )


def _doubts(first: Snapshot, second: Snapshot, mode: CompareMode) -> tuple[CoverageNote, ...]:
    """Notes when a rehearsal's snapshots look swapped, or of two different clusters."""
    if mode is not CompareMode.REHEARSAL:
        return ()
    notes = []
    if second.collected_at < first.collected_at:
        reason = "the after snapshot was collected before the before snapshot: are they swapped?"
        notes.append(CoverageNote("snapshot order", reason, "note"))
    if same_cluster(first, second) is False:
        reason = (
            "no object present in both keeps its uid: these look like two different clusters "
            "(to compare production with its test cluster, use --fidelity)"
        )
        notes.append(CoverageNote("snapshots", reason, "note"))
    return tuple(notes)

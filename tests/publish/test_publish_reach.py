"""Which namespaces' earlier reports a run may replace or delete (Reach), from the command
line's scope and from a saved snapshot's coverage."""

from __future__ import annotations

from upgradecheck.cli.publish_opts import reach_of, reach_of_snapshot
from upgradecheck.collect.cluster.scope import Scope
from upgradecheck.model import CoverageNote, Report, Verdict
from upgradecheck.publish import Reach


def report(*coverage: CoverageNote) -> Report:
    return Report(
        target_version="1.30", current_version="1.29", hops=("1.30",), verdict=Verdict.READY,
        findings=(), coverage=coverage, source="snapshot", generated_at="2025-03-01T12:00:00Z",
        tool_version="0.1.0",
    )


def test_the_whole_cluster_speaks_for_every_namespace() -> None:
    reach = reach_of(Scope())
    assert reach == Reach() and reach.covers("shop") and reach.covers("kube-system")


def test_namespaces_and_exclusions_narrow_it() -> None:
    only = reach_of(Scope(("shop", "payments"), ("payments",)))
    assert only.covers("shop") and not only.covers("payments") and not only.covers("legacy")
    but = reach_of(Scope(exclude_namespaces=("kube-system",)))
    assert but.covers("shop") and not but.covers("kube-system")


def test_a_selector_speaks_for_no_namespace() -> None:
    assert not reach_of(Scope(selector="team=shop")).covers("shop")


def test_a_snapshot_that_saw_part_of_the_cluster_speaks_for_none() -> None:
    note = Scope(("shop",)).note()
    assert note is not None
    assert not reach_of_snapshot(report(note)).covers("shop")
    whole = report(CoverageNote("resource x", "403 Forbidden", "forbidden"))
    assert reach_of_snapshot(whole).covers("shop")

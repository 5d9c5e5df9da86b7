"""Versions, verdicts and errors of assess."""

from __future__ import annotations

import pytest

from upgradecheck.assess import AssessError, assess
from upgradecheck.exit_codes import ExitCode, FailOn, exit_code
from upgradecheck.knowledge.model import KnowledgeBase
from upgradecheck.model import ClusterInfo, CoverageNote, Snapshot, Verdict
from upgradecheck.versions import VersionError


def snap(**kw: object) -> Snapshot:
    return Snapshot(source="manifests", collected_at="x", **kw)  # type: ignore[arg-type]


def test_target_defaults(kb: KnowledgeBase) -> None:
    assert assess(snap(), kb).target_version == "1.37"  # newest known without a current
    cluster = snap(cluster=ClusterInfo("v1.29.3-gke.1"))
    assert assess(cluster, kb).hops == ("1.30",)


def test_target_older_than_current(kb: KnowledgeBase) -> None:
    with pytest.raises(AssessError, match="older than the current"):
        assess(snap(), kb, target="1.28", current="1.29")


def test_target_beyond_knowledge(kb: KnowledgeBase) -> None:
    with pytest.raises(AssessError, match="newest release the knowledge base knows"):
        assess(snap(), kb, target="1.40")


def test_bad_version_string(kb: KnowledgeBase) -> None:
    with pytest.raises(VersionError):
        assess(snap(), kb, target="1.x")


def test_coverage_gap_never_ready(kb: KnowledgeBase) -> None:
    report = assess(snap(coverage=(CoverageNote("x", "403", "forbidden"),)), kb, target="1.30")
    assert report.verdict is Verdict.REVIEW
    assert exit_code(report, FailOn.BLOCKER) is ExitCode.OK


def test_input_error_gives_exit_2(kb: KnowledgeBase) -> None:
    report = assess(
        snap(coverage=(CoverageNote("bad.yaml", "bad.yaml:3: x", "error"),)), kb, target="1.30"
    )
    assert exit_code(report, FailOn.NONE) is ExitCode.BAD_INPUT


def test_a_note_is_not_a_gap(kb: KnowledgeBase) -> None:
    note = CoverageNote("local kubectl", "no kubectl found on PATH", "note")
    report = assess(snap(coverage=(note,)), kb, target="1.30")
    assert report.verdict is Verdict.READY
    assert report.gaps == () and report.notes == (note,)

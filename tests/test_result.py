"""A Report and a Comparison are one Result: the same severities and coverage earn the same
verdict, summary counts, gaps, notes and exit code."""

from __future__ import annotations

import pytest

from upgradecheck.compare.model import CompareMode, Comparison, Difference, Side
from upgradecheck.exit_codes import ExitCode, FailOn, exit_code
from upgradecheck.model import (
    CoverageNote,
    Finding,
    Report,
    Result,
    Severity,
    Verdict,
    verdict_of,
)

GAP = CoverageNote("resource v1/secrets", "403", "forbidden")
NOTE = CoverageNote("local kubectl", "none on PATH", "note")
BAD = CoverageNote("bad.yaml", "bad.yaml:3: not YAML", "error")
SIDE = Side("before", "", "2026-01-01T00:00:00Z", None, None, None, 0, 0)


def report(severities: tuple[Severity, ...], coverage: tuple[CoverageNote, ...]) -> Report:
    findings = tuple(
        Finding(rule="api-removed", severity=s, message="m", remediation="r") for s in severities
    )
    suppressed = (
        Finding(rule="api-removed", severity=Severity.BLOCKER, message="m", remediation="r"),
    )
    return Report(
        target_version="1.31",
        current_version="1.30",
        hops=("1.31",),
        verdict=verdict_of(severities, coverage),
        findings=findings,
        coverage=coverage,
        source="cluster",
        generated_at="2026-01-01T00:00:00Z",
        tool_version="0",
        suppressed=suppressed,
    )


def comparison(severities: tuple[Severity, ...], coverage: tuple[CoverageNote, ...]) -> Comparison:
    return Comparison(
        mode=CompareMode.REHEARSAL,
        before=SIDE,
        after=SIDE,
        verdict=verdict_of(severities, coverage),
        differences=tuple(Difference("crash-loop", s, "x", "m") for s in severities),
        coverage=coverage,
        generated_at="2026-01-01T00:00:00Z",
        tool_version="0",
    )


@pytest.mark.parametrize(
    ("severities", "coverage", "verdict", "on_blocker", "on_warning"),
    [
        ((), (), Verdict.READY, ExitCode.OK, ExitCode.OK),
        ((Severity.INFO,), (NOTE,), Verdict.READY, ExitCode.OK, ExitCode.OK),
        ((Severity.INFO,), (GAP,), Verdict.REVIEW, ExitCode.OK, ExitCode.OK),
        ((Severity.WARNING, Severity.INFO), (), Verdict.REVIEW, ExitCode.OK, ExitCode.FINDINGS),
        (
            (Severity.INFO, Severity.BLOCKER),
            (),
            Verdict.BLOCKED,
            ExitCode.FINDINGS,
            ExitCode.FINDINGS,
        ),
        ((Severity.BLOCKER,), (BAD,), Verdict.BLOCKED, ExitCode.BAD_INPUT, ExitCode.BAD_INPUT),
    ],
)
def test_reports_and_comparisons_are_judged_alike(
    severities: tuple[Severity, ...],
    coverage: tuple[CoverageNote, ...],
    verdict: Verdict,
    on_blocker: ExitCode,
    on_warning: ExitCode,
) -> None:
    results: list[Result] = [report(severities, coverage), comparison(severities, coverage)]
    for result in results:
        assert result.verdict is verdict
        assert exit_code(result, FailOn.BLOCKER) is on_blocker
        assert exit_code(result, FailOn.WARNING) is on_warning
        assert result.summary == {s.value: severities.count(s) for s in Severity}
        assert result.gaps == tuple(c for c in coverage if c is not NOTE)
        assert result.notes == tuple(c for c in coverage if c is NOTE)
    assert exit_code(results[0], FailOn.NONE) is exit_code(results[1], FailOn.NONE)


def test_suppressed_findings_count_nowhere() -> None:
    clean = report((), ())
    assert clean.suppressed and clean.summary["blocker"] == 0
    assert exit_code(clean, FailOn.BLOCKER) is ExitCode.OK

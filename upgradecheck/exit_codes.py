"""The documented exit codes, and which one a report earns."""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum, StrEnum

from upgradecheck.model import CoverageNote, Report, Severity


class ExitCode(IntEnum):
    """0 clean; 1 findings at or above --fail-on; 2 bad usage or input; 3 cluster unreachable."""

    OK = 0
    FINDINGS = 1
    BAD_INPUT = 2
    CLUSTER_UNREACHABLE = 3


class FailOn(StrEnum):
    """The lowest severity that fails the run."""

    BLOCKER = "blocker"
    WARNING = "warning"
    NONE = "none"


def exit_code_of(
    severities: Iterable[Severity], coverage: Iterable[CoverageNote], fail_on: FailOn
) -> ExitCode:
    """Bad input seen while collecting wins over findings; anything at or above `fail_on`
    gives 1; else 0. Shared by reports and comparisons."""
    if any(note.is_input_error for note in coverage):
        return ExitCode.BAD_INPUT
    if fail_on is FailOn.NONE:
        return ExitCode.OK
    threshold = Severity(fail_on.value).rank
    if any(s.rank >= threshold for s in severities):
        return ExitCode.FINDINGS
    return ExitCode.OK


def exit_code(report: Report, fail_on: FailOn) -> ExitCode:
    """The exit code a report earns (its suppressed findings do not count)."""
    return exit_code_of((f.severity for f in report.findings), report.coverage, fail_on)

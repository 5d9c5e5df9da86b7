"""The documented exit codes, and which one a report earns."""

from __future__ import annotations

from enum import IntEnum, StrEnum

from upgradecheck.model import Report, Severity


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


def exit_code(report: Report, fail_on: FailOn) -> ExitCode:
    """Bad input seen while collecting wins over findings; findings at or above fail_on → 1."""
    if any(note.is_input_error for note in report.coverage):
        return ExitCode.BAD_INPUT
    if fail_on is FailOn.NONE:
        return ExitCode.OK
    threshold = Severity(fail_on.value).rank
    if any(f.severity.rank >= threshold for f in report.findings):
        return ExitCode.FINDINGS
    return ExitCode.OK

"""The documented exit codes, and which one a report or a comparison earns."""

from __future__ import annotations

from enum import IntEnum, StrEnum

from upgradecheck.model import Result, Severity


class ExitCode(IntEnum):
    """0 clean; 1 findings at or above --fail-on; 2 bad usage or input; 3 cluster unreachable;
    4 the report was written but could not be published (`--publish`); 128 + the signal's
    number when stopped by one, as a shell reports it."""

    OK = 0
    FINDINGS = 1
    BAD_INPUT = 2
    CLUSTER_UNREACHABLE = 3
    NOT_PUBLISHED = 4
    INTERRUPTED = 130
    """Ctrl-C (SIGINT)."""
    TERMINATED = 143
    """SIGTERM (a cancelled CI job, a stopped container)."""


class FailOn(StrEnum):
    """The lowest severity that fails the run."""

    BLOCKER = "blocker"
    WARNING = "warning"
    NONE = "none"


def exit_code(result: Result, fail_on: FailOn) -> ExitCode:
    """The exit code a report, a comparison or a fleet earns: bad input seen while collecting
    wins over findings; anything at or above `fail_on` gives 1 (a report's suppressed findings
    do not count); else 3 when a cluster (of a fleet) could not be reached; else 0."""
    if any(note.is_input_error for note in result.coverage):
        return ExitCode.BAD_INPUT
    if fail_on is not FailOn.NONE:
        threshold = Severity(fail_on.value).rank
        if any(s.rank >= threshold for s in result.severities()):
            return ExitCode.FINDINGS
    if result.unreachable:
        return ExitCode.CLUSTER_UNREACHABLE
    return ExitCode.OK

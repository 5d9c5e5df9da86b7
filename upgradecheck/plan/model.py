"""The plan as frozen data: steps, grouped in phases, in order."""

from __future__ import annotations

from dataclasses import dataclass

from upgradecheck.model import Finding, Severity


@dataclass(frozen=True)
class Step:
    """One action of the plan."""

    text: str
    """What to do, in one sentence."""
    command: str | None = None
    """The command that does or checks it (UPPERCASE words are placeholders), if any."""
    findings: tuple[Finding, ...] = ()
    """The findings this step resolves or checks."""
    severity: Severity | None = None
    """The worst severity among `findings` (None for routine steps)."""
    hop: str | None = None
    """For fixes: the hop it must be done before (None when no hop depends on it)."""


@dataclass(frozen=True)
class Phase:
    """A group of steps done together, in order."""

    key: str
    """A stable identifier, e.g. `fix-blockers` or `control-plane-1.30`."""
    title: str
    """The heading, e.g. `Control plane to 1.30`."""
    hop: str | None
    """The hop this phase belongs to (None for the phases before the first hop)."""
    steps: tuple[Step, ...]
    """The steps, in order."""


@dataclass(frozen=True)
class Plan:
    """The whole plan: phases in the order they must be done."""

    phases: tuple[Phase, ...]
    """Before you start, fix blockers, review warnings, then five phases per hop."""

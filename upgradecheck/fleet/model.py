"""The fleet: many clusters judged in one run, what crosses from the fleet's aggregation to its
renderers as a Report does from assess. Plain frozen values only."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from upgradecheck.model import CoverageNote, Report, Result, Severity, Verdict

FLEET_SCHEMA = "upgradecheck.fleet/v1"


class Origin(StrEnum):
    """Where a member of the fleet was read from."""

    CONTEXT = "context"
    """A live cluster, reached through a kubeconfig context."""
    SNAPSHOT = "snapshot"
    """A snapshot file (`collect -o`, or the one the in-cluster CronJob keeps)."""


class Status(StrEnum):
    """Whether a member was judged, and if not, why not in one word."""

    ASSESSED = "assessed"
    """Reached (or read) and assessed: its report holds the verdict."""
    UNREACHABLE = "unreachable"
    """The cluster could not be reached or refused the credentials (exit code 3)."""
    FAILED = "failed"
    """Its input was bad: a malformed snapshot, an unusable kubeconfig context, a target
    older than the cluster (exit code 2)."""


@dataclass(frozen=True)
class Member:
    """One cluster of the fleet: its report, or why there is none."""

    name: str
    """The kubeconfig context, or the snapshot file as named (or found in a folder)."""
    origin: Origin
    """context or snapshot."""
    status: Status
    """assessed, unreachable or failed."""
    report: Report | None = None
    """The assessment, when assessed."""
    reason: str | None = None
    """Why it was not assessed, in one line (None when assessed)."""

    @property
    def coverage(self) -> tuple[CoverageNote, ...]:
        """What the fleet's verdict must know of this member: its report's coverage, with
        subjects prefixed by the member's name, or one note saying why it has no report."""
        if self.report is None:
            kind = "error" if self.status is Status.FAILED else "unreachable"
            return (CoverageNote(self.name, self.reason or self.status.value, kind),)
        return tuple(
            CoverageNote(f"{self.name}: {note.subject}", note.reason, note.kind)
            for note in self.report.coverage
        )


@dataclass(frozen=True)
class Share:
    """One cluster's part in a group of findings."""

    cluster: str
    """The member's name."""
    findings: int
    """How many of the group's findings are in that cluster."""
    severity: Severity
    """The worst of them."""
    hop: str | None
    """The earliest hop they bite in there (None when they do not depend on a hop)."""


@dataclass(frozen=True)
class Group:
    """Findings of one rule about one API (or, for rules about something else, one subject)
    across the fleet: one migration to plan once for every cluster listed."""

    rule: str
    """The rule id."""
    severity: Severity
    """The worst severity in any cluster."""
    api_version: str | None
    """The API (`group/version`) the findings are about, for rules about APIs."""
    kind: str | None
    """The kind written in that API, when the findings name objects."""
    subject: str | None
    """What the findings are about when not an API object: `Kubernetes 1.29 (current)`, a
    Helm release, requests to a resource."""
    replacement: str | None
    """The apiVersion to move to, when the whole group has the same one."""
    removed_in: str | None
    """The release that stops serving the API (or the feature), when the whole group says
    the same."""
    link: str | None
    """The source or documentation every finding of the group links to, if they agree."""
    shares: tuple[Share, ...]
    """Each cluster the group is found in, worst first, then by name."""

    @property
    def findings(self) -> int:
        """How many findings the group holds across the fleet."""
        return sum(s.findings for s in self.shares)


@dataclass(frozen=True)
class Fleet(Result):
    """Everything the fleet renderers receive."""

    target: str | None
    """The target every cluster was judged against, as asked; None: each cluster's next
    minor."""
    members: tuple[Member, ...]
    """Every cluster, in the order they were named (folders' snapshots sorted)."""
    groups: tuple[Group, ...]
    """The findings of the assessed members grouped by rule and API, those shared by the most
    clusters first within each severity."""
    verdict: Verdict
    """blocked when any cluster is; review with warnings, gaps or a cluster not assessed;
    else ready."""
    coverage: tuple[CoverageNote, ...]
    """Every member's coverage (subjects prefixed with its name), and one note for each member
    not assessed."""
    generated_at: str
    """When the fleet was judged (ISO 8601, UTC)."""
    tool_version: str
    """The upgradecheck version."""

    def severities(self) -> Iterator[Severity]:
        """The severity of every finding of every assessed member (suppressed ones do not
        count)."""
        return (s for m in self.members if m.report is not None for s in m.report.severities())

    @property
    def unreachable(self) -> tuple[str, ...]:
        """The members that could not be reached."""
        return tuple(m.name for m in self.members if m.status is Status.UNREACHABLE)

    def with_status(self, status: Status) -> tuple[Member, ...]:
        """The members of one status."""
        return tuple(m for m in self.members if m.status is status)

    def with_verdict(self, verdict: Verdict) -> tuple[Member, ...]:
        """The assessed members of one verdict."""
        return tuple(
            m for m in self.members if m.report is not None and m.report.verdict is verdict
        )

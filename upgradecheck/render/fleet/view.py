"""What the fleet templates show, computed once from a Fleet: the headline, one row per
cluster, and the groups of findings, shared ones first. Pure; no escaping (each format's
job)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from upgradecheck.fleet.model import Fleet, Group, Member, Status
from upgradecheck.model import CoverageNote, Severity, Verdict
from upgradecheck.render.summary import counts_text, path_text
from upgradecheck.render.view import platform_name
from upgradecheck.wording import plural

NONE = "—"
"""What a cell holds when there is no value (a dash that no format reads as markup)."""


@dataclass(frozen=True)
class ClusterRow:
    """One cluster's line in the clusters table."""

    member: Member
    """The member."""
    state: str
    """Its verdict when assessed (blocked, review, ready), else its status (unreachable,
    failed): the word and the style of its tag."""
    versions: str
    """`1.29 → 1.31 via 1.30`, or `—` when not assessed."""
    platform: str
    """`EKS`, `k3s`, ..., or empty when not known."""
    server: str
    """The API server's gitVersion, or `—`."""
    counts: tuple[int, int, int, int] | None
    """Blockers, warnings, info and suppressed findings; None when not assessed."""
    summary: str
    """`2 blockers, 1 warning, 0 info`, or empty when not assessed."""
    gaps: tuple[CoverageNote, ...]
    """Its coverage gaps (what its verdict could not see)."""

    @property
    def why(self) -> str:
        """Why it was not assessed, or how many gaps its report has, or empty."""
        if self.member.reason:
            return self.member.reason
        return plural(len(self.gaps), "coverage gap") if self.gaps else ""


@dataclass(frozen=True)
class GroupRow:
    """One group of findings and where it is found."""

    group: Group
    """The group."""
    what: str
    """`PodSecurityPolicy in policy/v1beta1`, `requests to ... (flowcontrol...)`, or the
    subject; empty for a rule's findings about no one thing."""
    clusters: str
    """`prod (3), staging (1)`: each cluster with its number of findings, worst first."""


@dataclass(frozen=True)
class FleetView:
    """Everything a fleet template needs."""

    fleet: Fleet
    """The fleet itself."""
    title: str
    """`Fleet upgrade readiness: 3 clusters` (`, target 1.33` when one was asked)."""
    sentence: str
    """What the verdict means for the fleet, in one sentence."""
    states: str
    """`1 blocked, 1 review, 0 ready, 1 unreachable`: the clusters by verdict or status."""
    counts: str
    """`2 blockers, 5 warnings, 3 info` across the assessed clusters."""
    clusters: tuple[ClusterRow, ...]
    """One row per member, in the fleet's order."""
    shared: tuple[GroupRow, ...]
    """Groups found in more than one cluster, shown."""
    single: tuple[GroupRow, ...]
    """Groups found in one cluster only, shown."""
    hidden_groups: int
    """Groups not shown (beyond the row limit), counted."""


def cluster_row(member: Member) -> ClusterRow:
    """The clusters-table row of `member`."""
    report = member.report
    if report is None:
        return ClusterRow(member, member.status.value, NONE, "", NONE, None, "", ())
    counts = (
        report.count(Severity.BLOCKER),
        report.count(Severity.WARNING),
        report.count(Severity.INFO),
        len(report.suppressed),
    )
    server = report.cluster.server_version if report.cluster is not None else NONE
    platform = platform_name(report)
    platform = "" if platform == "unknown" else platform
    return ClusterRow(
        member,
        report.verdict.value,
        path_text(report),
        platform,
        server,
        counts,
        counts_text(report),
        report.gaps,
    )


def group_what(group: Group) -> str:
    """What a group is about, for people: the kind and its API, else the subject (with the
    API when it does not name it), else the API; empty for a rule about no one thing."""
    api = group.api_version
    if api and group.kind:
        return f"{group.kind} in {api}"
    if group.subject:
        return group.subject if not api or api in group.subject else f"{group.subject} ({api})"
    return api or ""


def group_row(group: Group) -> GroupRow:
    """The row of `group`."""
    clusters = ", ".join(f"{s.cluster} ({s.findings})" for s in group.shares)
    return GroupRow(group, group_what(group), clusters)


def states_text(fleet: Fleet) -> str:
    """The clusters by verdict, then those not assessed when there are any."""
    parts = [f"{len(fleet.with_verdict(v))} {v.value}" for v in Verdict]
    parts += [
        f"{len(fleet.with_status(s))} {s.value}"
        for s in (Status.UNREACHABLE, Status.FAILED)
        if fleet.with_status(s)
    ]
    return ", ".join(parts)


def sentence(fleet: Fleet) -> str:
    """What the verdict means for the fleet."""
    total = len(fleet.members)
    missing = len(fleet.with_status(Status.UNREACHABLE)) + len(fleet.with_status(Status.FAILED))
    unseen = f"; {plural(missing, 'cluster')} could not be assessed" if missing else ""
    blocked = len(fleet.with_verdict(Verdict.BLOCKED))
    if blocked:
        return (
            f"{blocked} of {plural(total, 'cluster')} cannot take the upgrade yet: fix their "
            f"blockers first{unseen}."
        )
    if fleet.verdict is Verdict.REVIEW:
        if missing and not fleet.with_verdict(Verdict.REVIEW):
            return f"No blockers in the clusters assessed{unseen}."
        return f"No blockers, but review the warnings and coverage gaps{unseen}."
    return f"Every cluster can take its upgrade: nothing found that would break it{unseen}."


def title(fleet: Fleet) -> str:
    """The document title."""
    target = f", target {fleet.target}" if fleet.target else ""
    return f"Fleet upgrade readiness: {plural(len(fleet.members), 'cluster')}{target}"


def build_view(fleet: Fleet, rows: int | None = None) -> FleetView:
    """The view of `fleet`, showing at most `rows` groups (shared ones first)."""
    groups: Sequence[Group] = fleet.groups
    shared = [g for g in groups if len(g.shares) > 1]
    single = [g for g in groups if len(g.shares) == 1]
    limit = len(groups) if rows is None else rows
    shown_shared = shared[:limit]
    shown_single = single[: max(limit - len(shown_shared), 0)]
    return FleetView(
        fleet=fleet,
        title=title(fleet),
        sentence=sentence(fleet),
        states=states_text(fleet),
        counts=counts_text(fleet),
        clusters=tuple(cluster_row(m) for m in fleet.members),
        shared=tuple(group_row(g) for g in shown_shared),
        single=tuple(group_row(g) for g in shown_single),
        hidden_groups=len(groups) - len(shown_shared) - len(shown_single),
    )

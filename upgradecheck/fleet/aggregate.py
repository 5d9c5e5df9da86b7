"""The fleet from its members: a pure function of their reports. Findings are grouped by rule
and API (or subject), so that a migration several clusters need is planned once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from upgradecheck import __version__
from upgradecheck.checks.rules import RULES_BY_ID
from upgradecheck.fleet.model import Fleet, Group, Member, Share
from upgradecheck.model import Finding, Severity, verdict_of
from upgradecheck.plan.common import api_of, worst
from upgradecheck.versions import minor_key

_Key = tuple[str, str | None, str | None, str | None, str | None]
"""rule, API, kind, subject, link."""


def group_key(finding: Finding) -> _Key:
    """What makes two findings (of any clusters) one migration. For a rule about APIs: the
    rule, the API and the kind written in it (or, for requests the API server saw, what was
    requested). For any other rule: the rule, its subject and its link, which tells apart what
    one rule finds (each removed feature links its own source)."""
    rule = RULES_BY_ID.get(finding.rule)
    if rule is not None and rule.about_api:
        kind = finding.object.kind if finding.object is not None else None
        subject = finding.subject if finding.object is None else None
        return (finding.rule, api_of(finding), kind, subject, None)
    return (finding.rule, None, None, finding.subject, finding.link)


@dataclass
class _Gathering:
    by_cluster: dict[str, list[Finding]] = field(default_factory=dict)

    def common(self, value: Callable[[Finding], str | None]) -> str | None:
        """The value every finding of the group has, else None (a replacement is shown only
        when it is the same for the whole group)."""
        values = {value(f) for found in self.by_cluster.values() for f in found}
        return values.pop() if len(values) == 1 else None


def _share(cluster: str, findings: Sequence[Finding]) -> Share:
    hops = [f.hop for f in findings if f.hop is not None]
    return Share(
        cluster=cluster,
        findings=len(findings),
        severity=worst(findings) or Severity.INFO,
        hop=min(hops, key=minor_key) if hops else None,
    )


def _group(key: _Key, gathering: _Gathering) -> Group:
    shares = [_share(name, found) for name, found in gathering.by_cluster.items()]
    shares.sort(key=lambda s: (-s.severity.rank, s.cluster))
    return Group(
        rule=key[0],
        severity=max((s.severity for s in shares), key=lambda s: s.rank),
        api_version=key[1],
        kind=key[2],
        subject=key[3],
        replacement=gathering.common(lambda f: f.replacement),
        removed_in=gathering.common(lambda f: f.removed_in),
        link=key[4] if key[4] is not None else gathering.common(lambda f: f.link),
        shares=tuple(shares),
    )


def group_findings(members: Sequence[Member]) -> tuple[Group, ...]:
    """The assessed members' findings grouped by `group_key`: worst first, then those found
    in the most clusters, then the most findings, then by rule and API."""
    gatherings: dict[_Key, _Gathering] = {}
    for member in members:
        if member.report is None:
            continue
        for finding in member.report.findings:
            key = group_key(finding)
            gathering = gatherings.setdefault(key, _Gathering())
            gathering.by_cluster.setdefault(member.name, []).append(finding)
    groups = [_group(key, g) for key, g in gatherings.items()]
    groups.sort(
        key=lambda g: (
            -g.severity.rank,
            -len(g.shares),
            -g.findings,
            g.rule,
            g.api_version or "",
            g.kind or "",
            g.subject or "",
        )
    )
    return tuple(groups)


def build_fleet(
    members: Sequence[Member], *, target: str | None, now: dt.datetime | None = None
) -> Fleet:
    """The fleet of `members` (in their order), judged against `target` as asked (None: each
    cluster's next minor)."""
    coverage = tuple(note for m in members for note in m.coverage)
    severities = [s for m in members if m.report is not None for s in m.report.severities()]
    when = now or dt.datetime.now(dt.UTC)
    return Fleet(
        target=target,
        members=tuple(members),
        groups=group_findings(members),
        verdict=verdict_of(severities, coverage),
        coverage=coverage,
        generated_at=when.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        tool_version=__version__,
    )

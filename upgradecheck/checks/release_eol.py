"""`release-eol`: the cluster's current minor or the target minor is past, or within 60 days
of, its end of patch support in the knowledge base's release calendar. Judged only when
the current version is known (a cluster, or `--current`): a plain manifest scan says
nothing about the release it will run on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from upgradecheck.checks.interface import Check, CheckContext
from upgradecheck.checks.rule import Rule
from upgradecheck.model import Finding, Severity
from upgradecheck.versions import Minor

SOON = dt.timedelta(days=60)

RELEASE_EOL = Rule(
    id="release-eol",
    title="Kubernetes minor past or near its end of life",
    what="When the current version is known (a cluster, or `--current`): the target "
    "minor (warning) or the current minor (info; a warning when the target is the current "
    "version, a health check with no upgrade) is past, or within 60 days of, its end of "
    "patch support in the knowledge base's release calendar, measured from the report "
    "date.",
    why="An end-of-life minor gets no more patch releases, security fixes included; "
    "upgrading to one means planning the next upgrade at once.",
    fix="Choose a later target, or plan to continue to a supported minor; managed "
    "platforms may publish their own, longer calendars.",
    source="https://kubernetes.io/releases/",
    severity=Severity.WARNING,
)


def _newest_supported(ctx: CheckContext, today: dt.date) -> Minor | None:
    """The newest minor of the calendar whose support lasts beyond the warning window."""
    alive = [
        r.minor
        for r in ctx.kb.releases
        if r.released <= today and (r.end_of_life is None or r.end_of_life > today + SOON)
    ]
    return max(alive) if alive else None


class ReleaseEolCheck(Check):
    """End of life of the current and the target minor, measured from the report date."""

    rules = (RELEASE_EOL,)

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        if ctx.current is None:
            return
        if not ctx.hops:
            # No upgrade (the target is the current version): the current minor alone, and
            # an end of life matters as much as it would for a target.
            yield from self._judge(ctx, ctx.current, "current", Severity.WARNING)
            return
        yield from self._judge(ctx, ctx.current, "current", Severity.INFO)
        yield from self._judge(ctx, ctx.target, "target", Severity.WARNING)

    def _judge(
        self, ctx: CheckContext, minor: Minor, role: str, severity: Severity
    ) -> Iterator[Finding]:
        release = ctx.kb.release(minor)
        today = ctx.report_date
        if release is None or release.end_of_life is None:
            return
        eol = release.end_of_life
        if eol > today + SOON:
            return
        days = (eol - today).days
        when = (
            f"reached end of life on {eol} ({-days} days ago)"
            if days < 0
            else f"reaches end of life on {eol}, in {days} days"
        )
        newest = _newest_supported(ctx, today)
        later = f" such as {newest}" if newest is not None and newest > minor else ""
        if role == "target":
            message = (
                f"The target Kubernetes {minor} {when}: after the upgrade the cluster gets no "
                "more patch releases, security fixes included."
            )
            remediation = (
                f"Plan to continue past {minor} to a supported minor{later}, or choose a later "
                "target; managed platforms may run their own, longer support calendars."
            )
        elif severity is Severity.INFO:
            message = (
                f"The current Kubernetes {minor} {when}: the cluster runs without upstream "
                "patch releases, which is a reason to upgrade, not a risk of upgrading."
            )
            remediation = "Upgrade; the findings of this report say what must be done first."
        else:
            message = (
                f"The current Kubernetes {minor} {when}: the cluster gets no more patch "
                "releases, security fixes included."
            )
            remediation = (
                f"Plan an upgrade to a supported minor{later} (assess it with --target); "
                "managed platforms may run their own, longer support calendars."
            )
        yield RELEASE_EOL.finding(
            message,
            remediation,
            severity=severity,
            subject=f"Kubernetes {minor} ({role})",
        )

"""Building the plan from a Report: the phases in the order the upgrade needs them."""

from __future__ import annotations

from upgradecheck.model import Report, Severity
from upgradecheck.plan.before import before_steps, gaps_step
from upgradecheck.plan.common import Context
from upgradecheck.plan.fixes import fix_steps
from upgradecheck.plan.hop import hop_phases
from upgradecheck.plan.model import Phase, Plan


def build_plan(report: Report) -> Plan:
    """The phased plan for `report`: every hop in order, blockers fixed before they bite."""
    platform = report.cluster.platform if report.cluster is not None else "unknown"
    ctx = Context(report, platform)
    blockers = [f for f in report.findings if f.severity is Severity.BLOCKER]
    warnings = [f for f in report.findings if f.severity is Severity.WARNING]
    # No hop (the target is the current version) is a health check of the cluster as it is:
    # what to fix, without the preparation for an upgrade.
    phases = [Phase("before", "Before you start", None, before_steps(ctx))] if report.hops else []
    if not report.hops and report.gaps:
        phases.append(Phase("coverage", "Check what could not be seen", None, (gaps_step(ctx),)))
    if blockers:
        phases.append(Phase("fix-blockers", "Fix blockers", None, fix_steps(blockers, report)))
    if warnings:
        phases.append(
            Phase("review-warnings", "Review warnings", None, fix_steps(warnings, report))
        )
    previous = ctx.current
    for hop in report.hops:
        phases.extend(hop_phases(ctx, previous, hop, blockers))
        previous = hop
    return Plan(tuple(phases))

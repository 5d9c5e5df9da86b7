"""The one line said of a report on the terminal, and the counts and path it is made of:
what the command line prints after writing a report, without importing the plan and the
views that the documents are built from (render/view.py)."""

from __future__ import annotations

from collections.abc import Sequence

from upgradecheck.model import CoverageNote, Report, Result
from upgradecheck.wording import plural


def counts_text(result: Result) -> str:
    """`3 blockers, 1 warning, 0 info`: a report's findings, a comparison's differences, a
    fleet's findings."""
    summary = result.summary
    return (
        f"{plural(summary['blocker'], 'blocker')}, {plural(summary['warning'], 'warning')}, "
        f"{summary['info']} info"
    )


def path_text(report: Report) -> str:
    """`1.29 → 1.31 via 1.30`, `1.29 → 1.30`, or `target 1.31` when the current is unknown."""
    target = report.target_version
    if report.current_version is None:
        return f"target {target}"
    if not report.hops:
        return f"{report.current_version}, no upgrade"
    path = f"{report.current_version} → {target}"
    via = report.hops[:-1]
    return f"{path} via {', '.join(via)}" if via else path


def path_nodes(report: Report) -> tuple[str, ...]:
    """Every version on the way: the current one (when known), then each hop."""
    first = (report.current_version,) if report.current_version else ()
    return (*first, *report.hops)


def document_kind(report: Report) -> str:
    """What the document is: `manifest review` (a scan), `health check` (the target is the
    current version: no upgrade, what is wrong today) or `upgrade plan`."""
    if report.source == "manifests":
        return "manifest review"
    if report.current_version is not None and not report.hops:
        return "health check"
    return "upgrade plan"


def coverage_counts(coverage: Sequence[CoverageNote]) -> str:
    """`1 coverage gap`, `2 coverage gaps and 1 note`, or empty: gaps (something not seen)
    and notes (worth saying, nothing missed) counted apart, the same way everywhere."""
    gaps = sum(1 for n in coverage if n.is_gap)
    notes = len(coverage) - gaps
    parts = [plural(gaps, "coverage gap")] if gaps else []
    if notes:
        parts.append(plural(notes, "note"))
    return " and ".join(parts)


def summary_text(report: Report) -> str:
    """One line for the terminal: verdict, counts, coverage gaps and what was assessed
    (`blocked: 3 blockers, 1 warning, 0 info, 1 coverage gap (upgrade 1.29 → 1.30 → 1.31)`)."""
    gaps = len(report.gaps)
    extra = f", {plural(gaps, 'coverage gap')}" if gaps else ""
    if document_kind(report) == "health check":
        what = f"health check of {report.current_version}, no upgrade"
    else:
        what = "upgrade " + " → ".join(path_nodes(report))
    return f"{report.verdict.value}: {counts_text(report)}{extra} ({what})"

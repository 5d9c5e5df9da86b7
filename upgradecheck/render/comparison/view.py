"""What the compare templates show, computed once from a Comparison: title, verdict sentence,
and the differences in sections, one per check. Pure; no escaping (each format's job)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from upgradecheck.compare.model import CompareCheck, CompareMode, Comparison, Difference, Side
from upgradecheck.model import CoverageNote, Severity, Verdict
from upgradecheck.render.summary import counts_text
from upgradecheck.wording import plural


@dataclass(frozen=True)
class Section:
    """The differences of one check, some of them shown."""

    check: str
    """The check id."""
    title: str
    """Its title, e.g. `Workloads no longer ready`."""
    total: int
    """How many differences it holds."""
    shown: tuple[Difference, ...]
    """The ones shown, worst first."""

    @property
    def hidden(self) -> int:
        """How many are not shown."""
        return self.total - len(self.shown)


@dataclass(frozen=True)
class CompareView:
    """Everything a compare template needs."""

    comparison: Comparison
    """The comparison itself."""
    title: str
    """`Upgrade rehearsal: before → after` or `Rehearsal fidelity: production vs test`."""
    counts: str
    """`2 blockers, 1 warning, 3 info`."""
    sentence: str
    """What the verdict means, in one sentence."""
    sections: tuple[Section, ...]
    """The differences by check, in the order of the comparison's checks."""
    sides: tuple[tuple[str, str, str], ...]
    """Rows of the side-by-side table: (what, first, second)."""
    gaps: tuple[CoverageNote, ...]
    """Coverage gaps of either snapshot."""
    notes: tuple[CoverageNote, ...]
    """Notes that hide nothing."""


def title(comparison: Comparison) -> str:
    """The document title."""
    first, second = comparison.before, comparison.after
    if comparison.mode is CompareMode.FIDELITY:
        return f"Rehearsal fidelity: {side_name(first)} vs {side_name(second)}"
    return f"Upgrade rehearsal: {side_name(first)} → {side_name(second)}"


def side_name(side: Side) -> str:
    """`before (before.json)`, or the label alone."""
    return f"{side.label} ({side.file})" if side.file else side.label


def sentence(comparison: Comparison) -> str:
    """What the verdict means for this comparison."""
    verdict = comparison.verdict
    if comparison.mode is CompareMode.FIDELITY:
        if verdict is Verdict.BLOCKED:
            return "The test cluster does not rehearse this upgrade: resolve the blockers first."
        if verdict is Verdict.REVIEW:
            return f"The rehearsal will not show everything: review the {_to_review(comparison)}."
        return "The test cluster matches production in everything compared."
    if verdict is Verdict.BLOCKED:
        broke = plural(comparison.count(Severity.BLOCKER), "thing")
        return f"{broke} broke in the upgrade: fix before upgrading production."
    if verdict is Verdict.REVIEW:
        return f"Nothing broke, but review the {_to_review(comparison)}."
    return "Nothing broke: every workload, node and release is as healthy as before."


def _to_review(comparison: Comparison) -> str:
    warnings, gaps = comparison.count(Severity.WARNING), len(comparison.gaps)
    reasons = [plural(warnings, "warning")] if warnings else []
    if gaps:
        reasons.append(plural(gaps, "coverage gap"))
    return " and the ".join(reasons)


def sides(comparison: Comparison) -> tuple[tuple[str, str, str], ...]:
    """The side-by-side rows: file, server, platform, context, nodes, objects, collected."""
    a, b = comparison.before, comparison.after

    def row(what: str, x: object, y: object) -> tuple[str, str, str]:
        return (what, "-" if x in (None, "") else str(x), "-" if y in (None, "") else str(y))

    return (
        row("snapshot", a.label, b.label),
        row("file", a.file, b.file),
        row("server", a.server_version, b.server_version),
        row("platform", a.platform, b.platform),
        row("context", a.context, b.context),
        row("nodes", a.nodes, b.nodes),
        row("objects", a.objects, b.objects),
        row("collected", a.collected_at, b.collected_at),
    )


def change(difference: Difference) -> str:
    """`3/3 ready → 1/3 ready`, or whichever side is known."""
    before, after = difference.before, difference.after
    if before is not None and after is not None:
        return f"{before} → {after}"
    return before or after or ""


def sections(
    differences: Sequence[Difference], checks: Sequence[CompareCheck], rows: int | None = None
) -> tuple[Section, ...]:
    """The differences by check (in the order of `checks`, any other after them by id), at
    most `rows` shown in each."""
    by_check: dict[str, list[Difference]] = {}
    for difference in differences:
        by_check.setdefault(difference.check, []).append(difference)
    titles = {c.id: c.title for c in checks}
    order = [c for c in titles if c in by_check] + sorted(by_check.keys() - titles.keys())
    return tuple(
        Section(
            check,
            titles.get(check, check),
            len(by_check[check]),
            tuple(sorted(by_check[check], key=lambda d: -d.severity.rank)[:rows]),
        )
        for check in order
    )


def build_view(comparison: Comparison, rows: int | None = None) -> CompareView:
    """The view of `comparison`, showing at most `rows` differences per section."""
    return CompareView(
        comparison=comparison,
        title=title(comparison),
        counts=counts_text(comparison),
        sentence=sentence(comparison),
        sections=sections(comparison.differences, comparison.checks, rows),
        sides=sides(comparison),
        gaps=comparison.gaps,
        notes=comparison.notes,
    )

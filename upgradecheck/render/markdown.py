"""The Markdown summary: compact, GitHub-flavoured, always small enough for a PR comment."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from upgradecheck.model import Finding, Report, Severity
from upgradecheck.render.interface import Renderer, RenderOptions
from upgradecheck.render.templating import render_template
from upgradecheck.render.view import (
    ReportView,
    build_view,
    by_severity,
    object_label,
)

# GitHub refuses comments of 65,536 characters or more; stay well under it.
MAX_CHARS = 60_000
# Coverage notes listed before "and N more".
COVERAGE_ROWS = 20
# Longest message or fix, in characters, shown open in its cell; a longer one is shown whole
# behind a <details> (never cut: a fix ends with the command that does it).
CELL_TEXT = 200
# Suppressed findings listed before "and N more".
SUPPRESSED_ROWS = 20


@dataclass(frozen=True)
class Row:
    """One table row, unescaped (the template escapes each cell)."""

    severity: str
    """blocker or warning."""
    rule: str
    """The rule id."""
    hop: str | None
    """The hop it bites in."""
    object: str
    """`Kind ns/name`, or the subject."""
    api_version: str | None
    """The object's apiVersion, if any."""
    source: str
    """The first evidence's source, or empty."""
    location: str
    """The first evidence's location, or empty."""
    more_evidence: int
    """How many more evidence entries there are."""
    message: str
    """What is wrong: the finding's message."""
    fix: str
    """The remediation."""
    replacement: str | None
    """The apiVersion to move to, when the remediation does not already name it."""
    replacement_since: str | None = None
    """The first release serving `replacement`, when shown and known."""


def to_row(finding: Finding) -> Row:
    """The table row of `finding`."""
    first = finding.evidence[0] if finding.evidence else None
    replacement = finding.replacement
    if replacement and replacement in finding.remediation:
        replacement = None
    return Row(
        severity=finding.severity.value,
        rule=finding.rule,
        hop=finding.hop,
        object=object_label(finding),
        api_version=finding.object.api_version if finding.object is not None else None,
        source=first.source.value if first else "",
        location=first.location if first else "",
        more_evidence=max(len(finding.evidence) - 1, 0),
        message=finding.message,
        fix=finding.remediation,
        replacement=replacement,
        replacement_since=finding.replacement_since if replacement else None,
    )


def info_by_rule(report: Report) -> tuple[tuple[str, int], ...]:
    """Info findings counted per rule, most frequent first."""
    counter = Counter(f.rule for f in report.findings if f.severity is Severity.INFO)
    return tuple(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def fit(render: Callable[[int], str], total: int, limit: int = MAX_CHARS) -> str:
    """`render(n)` for the largest n ≤ total whose text is under `limit` characters.

    `render(0)` is assumed to fit (every other part of the document is bounded).
    """
    full = render(total)
    if len(full) < limit or total == 0:
        return full
    empty = render(0)
    per_row = max((len(full) - len(empty)) / total, 1.0)
    low, high = 0, min(total - 1, int((limit - len(empty)) / per_row) * 2 + 1)
    best = empty
    while low <= high:
        middle = (low + high) // 2
        text = render(middle)
        if len(text) < limit:
            best, low = text, middle + 1
        else:
            high = middle - 1
    return best


class MarkdownRenderer(Renderer[Report]):
    """Renders `templates/report.md.j2`, listing as many rows as fit under `max_chars`."""

    def __init__(self, options: RenderOptions | None = None, *, max_chars: int = MAX_CHARS) -> None:
        super().__init__(options)
        self.max_chars = max_chars

    def render(self, report: Report) -> str:
        """The Markdown section for `report`."""
        view = build_view(report, coverage_rows=COVERAGE_ROWS)
        rows = [to_row(f) for f in by_severity(report.findings) if f.severity.rank > 0]
        info = info_by_rule(report)

        def render_rows(n: int) -> str:
            return self._document(report, view, rows[:n], len(rows), info)

        return fit(render_rows, len(rows), self.max_chars)

    @staticmethod
    def _document(
        report: Report,
        view: ReportView,
        rows: Sequence[Row],
        total: int,
        info: Sequence[tuple[str, int]],
    ) -> str:
        return render_template(
            "report.md.j2",
            report=report,
            view=view,
            rows=rows,
            cut=total - len(rows),
            total_rows=total,
            info=info,
            cell_text=CELL_TEXT,
            object_label=object_label,
            suppressed_rows=SUPPRESSED_ROWS,
        )

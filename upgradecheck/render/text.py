"""Terminal text: a findings table (each row followed by the finding's message and fix), the
verdict, the coverage gaps; severities and the verdict coloured when the options ask for colour
(a terminal that does not refuse it)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from upgradecheck.model import Finding, Report, Severity, Verdict
from upgradecheck.render.escaping import shorten, terminal_text
from upgradecheck.render.interface import Renderer, RenderOptions
from upgradecheck.render.summary import counts_text, path_text
from upgradecheck.render.view import by_severity, evidence_label, object_label, scope_text

HEADERS = ("SEVERITY", "RULE", "HOP", "OBJECT", "EVIDENCE")
GAP = "  "
# The columns that give way when the table is wider than the terminal (OBJECT, EVIDENCE),
# the widest first, down to MIN_WIDTH.
SHRINKABLE = (3, 4)
MIN_WIDTH = 16

# SGR colours: bold red for what blocks, yellow for what needs review, cyan for information.
_SEVERITY_COLOURS = {Severity.BLOCKER: "1;31", Severity.WARNING: "33", Severity.INFO: "36"}
_VERDICT_COLOURS = {Verdict.BLOCKED: "1;31", Verdict.REVIEW: "1;33", Verdict.READY: "1;32"}


def paint(text: str, sgr: str, colour: bool) -> str:
    """`text` in the SGR colour `sgr` when `colour`, else as it is."""
    return f"\x1b[{sgr}m{text}\x1b[0m" if colour and text else text


def row(finding: Finding) -> tuple[str, ...]:
    """The table cells of `finding`, each one line of inert text."""
    obj = object_label(finding)
    if finding.object is not None:
        obj = f"{obj} ({finding.object.api_version})"
    evidence = evidence_label(finding.evidence[0]) if finding.evidence else ""
    if len(finding.evidence) > 1:
        evidence += f" (+{len(finding.evidence) - 1})"
    cells = (finding.severity.value, finding.rule, finding.hop or "-", obj, evidence or "-")
    return tuple(terminal_text(c) for c in cells)


def column_widths(rows: Sequence[tuple[str, ...]], width: int | None) -> list[int]:
    """Each column's width: its longest cell, the shrinkable ones cut to fit `width`."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADERS))]
    if width is None:
        return widths
    excess = sum(widths) + len(GAP) * (len(widths) - 1) - width
    while excess > 0:
        column = max(SHRINKABLE, key=lambda c: widths[c])
        if widths[column] <= MIN_WIDTH:
            break
        widths[column] -= 1
        excess -= 1
    return widths


def details(
    finding: Finding, indent: int, width: int | None, cut: Sequence[tuple[str, str]] = ()
) -> list[str]:
    """What the finding says and what to do, under its row: whole (wrapped to the terminal
    when there is one, never cut), so that two findings on one object read apart; then each
    cell the row had to shorten (`cut`: label and whole text), whole."""
    lines = []
    parts = (("", finding.message), ("Fix: ", finding.remediation), *cut)
    for label, text in parts:
        body = label + terminal_text(text)
        if not terminal_text(text):
            continue
        if width is None or width - indent < MIN_WIDTH:
            lines.append(" " * indent + body)
            continue
        lines += textwrap.wrap(
            body,
            width=width,
            initial_indent=" " * indent,
            subsequent_indent=" " * (indent + len(label)),
            break_long_words=False,
            break_on_hyphens=False,
        )
    return lines


def table(findings: Sequence[Finding], width: int | None, colour: bool = False) -> list[str]:
    """The findings table's lines, header first (each severity in its colour if asked); under
    each row its message and its fix, indented to the RULE column."""
    rows = [HEADERS, *(row(f) for f in findings)]
    widths = column_widths(rows, width)
    indent = widths[0] + len(GAP)
    lines = []
    for index, cells in enumerate(rows):
        fitted = [shorten(c, w).ljust(w) for c, w in zip(cells, widths, strict=True)]
        if index:  # colour after padding, so the escapes do not count toward the widths
            severity = findings[index - 1].severity
            fitted[0] = paint(fitted[0], _SEVERITY_COLOURS[severity], colour)
        lines.append(GAP.join(fitted).rstrip())
        if index:
            # A cell cut to fit the terminal is given whole under the row.
            cut = [
                (f"{HEADERS[i].capitalize()}: ", cells[i])
                for i in SHRINKABLE
                if len(cells[i]) > widths[i]
            ]
            lines += details(findings[index - 1], indent, width, cut)
    return lines


def suppressed_lines(report: Report) -> list[str]:
    """The suppressed findings with their reasons, or nothing when there are none."""
    if not report.suppressed:
        return []
    lines = ["", f"Suppressed ({len(report.suppressed)}), not counted in the verdict:"]
    for f in report.suppressed:
        assert f.suppression is not None
        s = f.suppression
        until = f"until {s.expires}; " if s.expires else ""
        lines.append(
            f"  - {f.severity.value} {terminal_text(f.rule)} {terminal_text(object_label(f))}: "
            f"{terminal_text(f.message)} Accepted: {terminal_text(s.reason)} "
            f"({until}{terminal_text(s.source)})"
        )
    return lines


def coverage_lines(report: Report) -> list[str]:
    """The coverage gaps, or nothing when everything was seen."""
    lines = []
    if report.gaps:
        gaps = len(report.gaps)
        lines += ["", f"Coverage: incomplete — {gaps} not checked, so the verdict cannot see them:"]
        lines += [
            f"  - {terminal_text(n.describe())} [{terminal_text(n.kind)}]" for n in report.gaps
        ]
    if report.notes:
        lines += ["", "Notes:"] + [f"  - {terminal_text(n.describe())}" for n in report.notes]
    return lines


class TextRenderer(Renderer[Report]):
    """A table for a terminal `options.width` characters wide (None: never cut a cell), in
    colour when `options.colour`."""

    def __init__(self, options: RenderOptions | None = None) -> None:
        super().__init__(options)
        self.width = self.options.width

    def render(self, report: Report) -> str:
        """The text for `report`."""
        colour = self.options.colour
        verdict = paint(report.verdict.value.upper(), _VERDICT_COLOURS[report.verdict], colour)
        lines = [
            f"upgradecheck: Kubernetes {terminal_text(path_text(report))}",
            f"Verdict: {verdict} — {counts_text(report)}",
            terminal_text(scope_text(report)),
            "",
        ]
        if report.findings:
            lines += table(by_severity(report.findings), self.width, colour)
        else:
            lines.append("No findings.")
        lines += suppressed_lines(report)
        lines += coverage_lines(report)
        lines += [
            "",
            f"Generated {terminal_text(report.generated_at)} by upgradecheck "
            f"{terminal_text(report.tool_version)} (knowledge "
            f"{terminal_text(report.knowledge_version) or 'unknown'}).",
        ]
        return "\n".join(lines) + "\n"

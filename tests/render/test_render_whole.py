"""Every format says, for each finding, which rule and what, whole: a long fix keeps the
command it ends with, and three removals on one node pool read as three different things."""

from __future__ import annotations

import html
import re
from dataclasses import replace

import pytest
from msgspec import structs
from support.render_reports import realistic

from upgradecheck.model import Evidence, EvidenceSource, Finding, Report, Severity
from upgradecheck.render import REPORT_FORMATS, OutputFormat
from upgradecheck.render.interface import RenderOptions
from upgradecheck.render.markdown import CELL_TEXT
from upgradecheck.render.text import TextRenderer

COMMAND = "helm mapkubeapis shop-frontend --namespace storefront-production"
LONG_FIX = (
    "Rewrite the stored release record before anything else, because after the control "
    "plane moved past the removal Helm can no longer map the old kinds of this release and "
    "every upgrade or rollback of it fails until the record is rewritten; the plugin does "
    f"it in place: {COMMAND}"
)
REMOVALS = (
    ("dockershim", "Move each node to a CRI runtime such as containerd."),
    ("cgroup-v1", "Move the node pool to an OS image that mounts the unified cgroup v2."),
    ("containerd-1x", "Upgrade containerd on these nodes to 2.0 or later."),
)


def legacy_pool_report() -> Report:
    """Three removals on node pool legacy, and one finding whose fix is long."""
    removals = tuple(
        Finding(
            rule="removed-feature",
            severity=Severity.BLOCKER,
            message=f"[{rid}] {rid} is removed: 2 nodes of node pool legacy (a and b).",
            remediation=fix,
            hop="1.31",
            evidence=(Evidence(EvidenceSource.NODE, "a", "v1.30.1"),),
            subject="node pool legacy",
        )
        for rid, fix in REMOVALS
    )
    long_fix = structs.replace(realistic().findings[2], remediation=LONG_FIX)
    return replace(realistic(), findings=(*removals, long_fix))


def render(fmt: OutputFormat, report: Report) -> str:
    return REPORT_FORMATS.renderer(fmt).render(report)


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_no_format_cuts_a_message_or_a_fix(fmt: OutputFormat) -> None:
    assert len(LONG_FIX) > CELL_TEXT
    text = render(fmt, legacy_pool_report())
    if fmt is OutputFormat.HTML:
        text = html.unescape(text)
    if fmt in (OutputFormat.MARKDOWN, OutputFormat.CHECKLIST):
        text = text.replace("\\", "")
    # the checklist lists steps and findings' messages: the long fix is the plan's step text
    if fmt is not OutputFormat.CHECKLIST:
        assert COMMAND in text, fmt
    for rid, fix in REMOVALS:
        assert f"[{rid}] {rid} is removed" in text
        if fmt is not OutputFormat.CHECKLIST:
            assert fix in text


def test_text_wraps_a_long_fix_to_the_terminal_but_keeps_it_whole() -> None:
    text = TextRenderer(RenderOptions(width=80)).render(legacy_pool_report())
    table = text.partition("\nSEVERITY")[2].partition("\n\n")[0].splitlines()
    assert len(table) > 1 + 3 * 4 and all(len(line) <= 80 for line in table)
    assert COMMAND in " ".join(line.strip() for line in table)


def test_markdown_folds_a_long_fix_into_details_and_keeps_short_ones_open() -> None:
    md = render(OutputFormat.MARKDOWN, legacy_pool_report())
    [row] = [line for line in md.splitlines() if "helm-release-removed-api" in line]
    assert "<details><summary>" in row and COMMAND in row.replace("\\", "")
    for _, fix in REMOVALS:
        assert f"| {fix} |" in md


def test_three_removals_on_one_pool_read_apart_in_every_format() -> None:
    report = legacy_pool_report()
    text = render(OutputFormat.TEXT, report)
    # text: each row is followed by its message and fix
    blocks = re.split(r"\n(?=blocker|warning|info)", text.partition("\nSEVERITY")[2])
    legacy = [b for b in blocks if "node pool legacy" in b.splitlines()[0]]
    assert len(legacy) == 3 and len(set(legacy)) == 3
    assert all("removed-feature" in b and "is removed" in b for b in legacy)

    md = render(OutputFormat.MARKDOWN, report)
    rows = [line for line in md.splitlines() if "node pool legacy" in line]
    assert len(rows) == 3 and len(set(rows)) == 3
    assert all("`removed-feature`" in r for r in rows)

    checklist = render(OutputFormat.CHECKLIST, report)
    lines = [line for line in checklist.splitlines() if "- [ ] `removed-feature`" in line]
    # listed under each removal's own fix step, and again under the hop's gate: each line
    # names the rule and the removal
    assert len(lines) == 6 and len(set(lines)) == 3
    for rid, fix in REMOVALS:
        assert sum(f"\\[{rid}\\]" in line for line in lines) == 2
        assert f"- [ ] **Before 1.31:** {fix}" in checklist

    page = render(OutputFormat.HTML, report)
    rows = re.findall(r"<tr class=\"sev-blocker\".*?</tr>", page, re.S)
    legacy_rows = [r for r in rows if "node pool legacy" in r]
    assert len(legacy_rows) == 3 and len(set(legacy_rows)) == 3

"""Exact output of the text formats for the realistic report (tests/render/golden/), and the
text report's colours on a terminal."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from support.render_reports import empty, realistic

from upgradecheck.model import Report
from upgradecheck.render import REPORT_FORMATS, OutputFormat
from upgradecheck.render.interface import RenderOptions
from upgradecheck.render.text import TextRenderer

Golden = Callable[[str, str], None]


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        (OutputFormat.MARKDOWN, "report.md.golden"),
        (OutputFormat.CHECKLIST, "checklist.md.golden"),
        (OutputFormat.JSON, "report.json.golden"),
        (OutputFormat.TEXT, "report.txt.golden"),
    ],
)
def test_realistic_report(fmt: OutputFormat, name: str, report: Report, golden: Golden) -> None:
    golden(name, REPORT_FORMATS.renderer(fmt).render(report))


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        (OutputFormat.MARKDOWN, "empty.md.golden"),
        (OutputFormat.TEXT, "empty.txt.golden"),
    ],
)
def test_empty_report(fmt: OutputFormat, name: str, golden: Golden) -> None:
    golden(name, REPORT_FORMATS.renderer(fmt).render(empty()))


def test_text_fits_a_narrow_terminal(report: Report, golden: Golden) -> None:
    text = TextRenderer(RenderOptions(width=100)).render(report)
    table = [line for line in text.splitlines() if line.startswith(("SEVERITY", "blocker"))]
    assert all(len(line) <= 100 for line in table)
    golden("report-100-columns.txt.golden", text)


def test_text_is_not_cut_when_not_writing_to_a_terminal(report: Report) -> None:
    text = REPORT_FORMATS.renderer(OutputFormat.TEXT).render(report)
    assert "FlowSchema custom-batch (flowcontrol.apiserver.k8s.io/v1beta3)" in text


def test_coloured_text_keeps_its_columns() -> None:
    plain = TextRenderer(RenderOptions(width=120)).render(realistic())
    coloured = TextRenderer(RenderOptions(width=120, colour=True)).render(realistic())
    assert "\x1b[1;31mblocker" in coloured and "\x1b[1;31mBLOCKED\x1b[0m" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain
    assert "\x1b" not in plain

"""The fleet's documents from a fleet built by hand: exact text, Markdown and HTML
(golden/), names that try to be markup or terminal escapes, and a fleet too large for one
pull-request comment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from support.fleet_reports import assessed, failed, pdb, report, small_fleet, unreachable
from support.goldens import golden_checker

from upgradecheck.fleet.aggregate import build_fleet
from upgradecheck.fleet.model import Fleet
from upgradecheck.model import Finding, Severity
from upgradecheck.render import FLEET_FORMATS, OutputFormat
from upgradecheck.render.fleet.templated import MarkdownRenderer

golden = golden_checker(Path(__file__).parent / "golden")
NOW = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)


def fleet() -> Fleet:
    return build_fleet(small_fleet(), target="1.25", now=NOW)


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        (OutputFormat.TEXT, "small.txt"),
        (OutputFormat.MARKDOWN, "small.md"),
        (OutputFormat.HTML, "small.html"),
        (OutputFormat.JSON, "small.json"),
    ],
)
def test_small_fleet(fmt: OutputFormat, name: str) -> None:
    golden(name, FLEET_FORMATS.renderer(fmt).render(fleet()))


@pytest.mark.parametrize("fmt", FLEET_FORMATS.choices)
def test_every_format_renders_an_empty_fleet_and_one_with_nobody_reached(
    fmt: OutputFormat,
) -> None:
    renderer = FLEET_FORMATS.renderer(fmt)
    for members in ([], [unreachable("a"), failed("b.json")]):
        text = renderer.render(build_fleet(members, target=None, now=NOW))
        assert text.endswith("\n") and text.strip()


HOSTILE = "<script>alert(1)</script> | **bold** \x1b[31mred\x1b[0m `tick`"


def hostile_fleet() -> Fleet:
    finding = Finding(
        rule="release-eol",
        severity=Severity.WARNING,
        message="m",
        remediation="r",
        subject=HOSTILE,
        link="javascript:alert(1)",
    )
    members = [
        assessed(HOSTILE, report("1.24", "1.25", (pdb("a", "b"), finding))),
        assessed("plain", report("1.24", "1.25", (pdb("a", "b"),))),
        unreachable("dead\x1b]0;title\x07", HOSTILE),
    ]
    return build_fleet(members, target=None, now=NOW)


def test_names_and_reasons_stay_text_in_html() -> None:
    html = FLEET_FORMATS.renderer(OutputFormat.HTML).render(hostile_fleet())
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "\x1b" not in html and 'href="javascript:' not in html


def test_names_and_reasons_stay_text_in_markdown_and_the_terminal() -> None:
    markdown = FLEET_FORMATS.renderer(OutputFormat.MARKDOWN).render(hostile_fleet())
    assert "<script>" not in markdown and "\x1b" not in markdown
    rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    header_cells = rows[0].count(" | ")
    # A name holding a pipe does not add a cell to its row.
    clusters = rows[1:4]  # the separator row starts "|---"
    assert len(clusters) == 3 and "&lt;script&gt;" in clusters[0]
    assert all(row.replace("\\|", "").count(" | ") == header_cells for row in clusters)
    text = FLEET_FORMATS.renderer(OutputFormat.TEXT).render(hostile_fleet())
    assert "\x1b" not in text and "\x07" not in text


def test_markdown_lists_what_fits_and_counts_the_rest() -> None:
    many = tuple(
        Finding(
            rule="release-eol",
            severity=Severity.WARNING,
            message="m",
            remediation="r",
            subject=f"subject number {n}",
        )
        for n in range(3000)
    )
    members = [assessed("a", report("1.24", "1.25", many)), assessed("b", report("1.24", "1.25"))]
    text = MarkdownRenderer(max_chars=20_000).render(build_fleet(members, target=None))
    assert len(text) < 20_000
    assert "more groups, not listed to keep this short" in text
    assert "| a (context) | **review** |" in text  # the clusters table is always whole

"""Hostile names, paths and messages come out inert in every format."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from support.render_reports import HOSTILE, hostile

from upgradecheck.render import REPORT_FORMATS, OutputFormat
from upgradecheck.render.html import table_script

# A pipe that ends a GFM table cell: one not escaped by an odd number of backslashes.
_CELL_PIPE = re.compile(r"(?<!\\)(?:\\\\)*\|")


def render(fmt: OutputFormat) -> str:
    return REPORT_FORMATS.renderer(fmt).render(hostile())


def test_no_format_lets_a_terminal_escape_through() -> None:
    for fmt in OutputFormat:
        text = render(fmt)
        assert "\x1b" not in text, fmt
        assert "\x9b" not in text, fmt


def test_html_shows_markup_as_text() -> None:
    html = render(OutputFormat.HTML)
    # the page's own script is the only one, and the policy runs no other
    page, _, script = html.rpartition("<script>")
    assert script.startswith(table_script()[0] + "</script>")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html

    class Tags(HTMLParser):
        seen: list[tuple[str, dict[str, str | None]]] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.seen.append((tag, dict(attrs)))

    parser = Tags()
    parser.feed(page)
    assert "script" not in {tag for tag, _ in parser.seen}
    hrefs = [a["href"] for tag, a in parser.seen if tag == "a"]
    # javascript: links are shown as text, never linked; an http link keeps its quote escaped.
    assert not any(h and h.lower().startswith("javascript") for h in hrefs)
    assert 'https://example.com/"><script>alert(2)</script>' in hrefs


def markdown_to_html(text: str) -> str:
    """Render Markdown as a CommonMark parser with GFM tables and raw HTML enabled would."""
    markdown_it = pytest.importorskip("markdown_it")
    html: str = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    return html


def assert_inert(html: str) -> None:
    """Rendered Markdown holds no markup that came from a value: no script, link or image."""
    assert "<script" not in html
    assert "<a " not in html and "<img" not in html
    assert "**bold**" in html  # shown as typed, not made bold
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_markdown_table_keeps_its_shape() -> None:
    md = render(OutputFormat.MARKDOWN)
    rows = [line for line in md.splitlines() if line.startswith("| ")]
    assert len(rows) == 3  # the header and the two findings, nothing spilled onto new rows
    for row in rows:
        assert len(_CELL_PIPE.findall(row)) == 6, row
    html = markdown_to_html(md)
    assert_inert(html)
    assert html.count("<tr>") == 3
    assert html.count("<td>") == 10


def test_checklist_keeps_its_structure() -> None:
    checklist = render(OutputFormat.CHECKLIST)
    for line in checklist.splitlines():
        assert not line.startswith("| "), line
    html = markdown_to_html(checklist)
    assert_inert(html)
    # Each phase heading is one of ours: no value became a heading.
    headings = re.findall(r"<h[1-6]>(.*?)</h[1-6]>", html)
    assert all(h.startswith(("Upgrade rehearsal", "Hop ")) or h[0].isdigit() for h in headings)


def test_json_keeps_values_exactly() -> None:
    data = json.loads(render(OutputFormat.JSON))
    finding = data["findings"][0]
    assert finding["object"]["name"] == HOSTILE
    assert finding["evidence"][0]["location"] == f"manifests/{HOSTILE}.yaml:3"
    assert data["coverage"]["notes"][0]["kind"] == HOSTILE


def test_text_keeps_one_line_per_row() -> None:
    text = render(OutputFormat.TEXT)
    rows = [line for line in text.splitlines() if line.startswith(("blocker", "warning"))]
    assert len(rows) == 2
    assert "new row" not in "".join(line for line in text.splitlines() if line.startswith("|"))

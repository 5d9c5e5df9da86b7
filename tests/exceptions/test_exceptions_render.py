"""Suppressed findings are shown in every format, with their reasons, and counted apart."""

from __future__ import annotations

import json
from collections.abc import Callable

from msgspec import structs
from support.exception_fixtures import finding, subject_finding

from upgradecheck.model import CoverageNote, Report, Severity, Suppression, Verdict
from upgradecheck.render import REPORT_FORMATS, OutputFormat
from upgradecheck.render.markdown import SUPPRESSED_ROWS
from upgradecheck.render.text import TextRenderer

Golden = Callable[[str, str], None]


def render(fmt: OutputFormat, report: Report) -> str:
    return REPORT_FORMATS.renderer(fmt).render(report)


def suppressed_report(hidden: int = 2) -> Report:
    """A report with one warning still counted and `hidden` suppressed findings."""
    reasons = [
        Suppression(
            "batch jobs tolerate <downtime> | *really*", "2027-03-31", ".upgradecheck.yaml:3"
        ),
        Suppression("CI pins its own kubectl", None, ".upgradecheck.yaml:8"),
    ]
    candidates = [
        finding("single-replica", namespace="batch-jobs", name="etl"),
        subject_finding("kubectl-skew", "kubectl /usr/local/bin/kubectl"),
    ]
    suppressed = tuple(
        structs.replace(candidates[i % 2], suppression=reasons[i % 2]) for i in range(hidden)
    )
    return Report(
        target_version="1.31",
        current_version="1.30",
        hops=("1.31",),
        verdict=Verdict.REVIEW,
        findings=(finding("image-latest", severity=Severity.WARNING),),
        coverage=(
            CoverageNote(".upgradecheck.yaml:12", "the exception for x matched no finding", "note"),
        ),
        source="snapshot",
        generated_at="2026-03-31T12:00:00Z",
        tool_version="0.1.0",
        knowledge_version="2025-02-15",
        suppressed=suppressed,
    )


def test_json_lists_them_apart_with_their_reasons() -> None:
    doc = json.loads(render(OutputFormat.JSON, suppressed_report()))
    assert doc["summary"] == {"blocker": 0, "warning": 1, "info": 0, "suppressed": 2}
    assert [f["rule"] for f in doc["findings"]] == ["image-latest"]
    assert doc["findings"][0]["suppressed"] is None
    first, second = doc["suppressed_findings"]
    assert first["rule"] == "single-replica" and first["severity"] == "warning"
    assert first["suppressed"] == {
        "reason": "batch jobs tolerate <downtime> | *really*",
        "expires": "2027-03-31",
        "source": ".upgradecheck.yaml:3",
    }
    assert second["suppressed"]["expires"] is None


def test_html_shows_a_suppressed_section_escaped() -> None:
    html = render(OutputFormat.HTML, suppressed_report())
    assert '<section id="suppressed">' in html and "Suppressed <span" in html
    assert "batch jobs tolerate &lt;downtime&gt; | *really*" in html
    assert "<downtime>" not in html
    assert "2027-03-31" in html and "never" in html
    assert '<a href="#suppressed">' in html


def test_html_without_suppressed_findings_has_no_section() -> None:
    html = render(OutputFormat.HTML, suppressed_report(hidden=0))
    assert 'id="suppressed"' not in html and 'href="#suppressed"' not in html


def test_markdown(golden: Golden) -> None:
    golden("suppressed.md.golden", render(OutputFormat.MARKDOWN, suppressed_report()))


def test_markdown_lists_a_bounded_number(golden: Golden) -> None:
    text = render(OutputFormat.MARKDOWN, suppressed_report(hidden=SUPPRESSED_ROWS + 5))
    assert f"**Suppressed ({SUPPRESSED_ROWS + 5})**" in text
    assert "- … and 5 more (see the HTML or JSON report)" in text


def test_text(golden: Golden) -> None:
    golden("suppressed.txt.golden", TextRenderer().render(suppressed_report()))


def test_checklist_asks_to_confirm_each_reason() -> None:
    text = render(OutputFormat.CHECKLIST, suppressed_report())
    assert "## Suppressed findings (2)" in text
    # each line names the rule, the object and what the finding says, then the reason
    line = "- [ ] `kubectl-skew` kubectl /usr/local/bin/kubectl: m Accepted: CI pins its own"
    assert line + " kubectl\n" in text
    assert r"tolerate &lt;downtime&gt; \| \*really\* (until 2027-03-31)" in text

"""The Markdown summary: the headline contract and the pull-request size limit."""

from __future__ import annotations

from dataclasses import replace

from support.render_reports import bulk, empty, realistic

from upgradecheck.model import CoverageNote
from upgradecheck.render.markdown import MAX_CHARS, MarkdownRenderer, fit


def test_headline() -> None:
    md = MarkdownRenderer().render(realistic())
    assert ("**Verdict: blocked** — 4 blockers, 3 warnings, 1 info (1.29 → 1.31 via 1.30)") in md


def test_headline_of_a_single_hop_and_of_an_unknown_current_version() -> None:
    assert "(1.29 → 1.30)" in MarkdownRenderer().render(empty())
    assert "(target 1.30)" in MarkdownRenderer().render(empty(current_version=None))


def test_table_lists_blockers_and_warnings_and_counts_info() -> None:
    md = MarkdownRenderer().render(realistic())
    assert "| Severity | Rule | Object | Finding | Fix |" in md
    assert md.count("| **blocker**") == 4 and md.count("| **warning**") == 3
    assert "Info (not listed): `upgrade-path` \u00d7 1." in md
    assert "**Coverage gaps**" in md


def test_ten_thousand_findings_fit_a_comment_with_a_cut_note() -> None:
    md = MarkdownRenderer().render(bulk(10_000))
    assert len(md) < MAX_CHARS
    rows = md.count("| **blocker**")
    assert 100 < rows < 10_000
    assert f"**{10_000 - rows} of 10000 blockers and warnings are not listed**" in md
    assert "see the HTML or JSON report" in md


def test_many_coverage_gaps_are_counted_not_listed() -> None:
    notes = tuple(CoverageNote(f"file f{i}.yaml", "unreadable", "error") for i in range(5000))
    md = MarkdownRenderer().render(replace(realistic(), coverage=notes))
    assert len(md) < MAX_CHARS
    assert "… and 4980 more" in md


def test_fit_takes_the_most_rows_that_fit() -> None:
    def render(n: int) -> str:
        return "h" * 10 + "r" * (7 * n)

    assert len(fit(render, 1000, limit=100)) == 94  # 10 + 7 * 12
    assert fit(render, 5, limit=100) == render(5)

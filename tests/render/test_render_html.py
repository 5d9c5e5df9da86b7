"""The HTML page: self-contained, verdict first, blockers before warnings, bounded in size."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

from msgspec import structs
from support.render_reports import bulk, empty, realistic

from upgradecheck.model import AddonLifecycle, Report
from upgradecheck.render.html import HtmlRenderer, table_script


@dataclass
class Page:
    """What the parser saw: tags with their attributes, and where each id stands."""

    tags: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    ids: dict[str, int] = field(default_factory=dict)
    classes: list[tuple[int, str]] = field(default_factory=list)
    text: list[str] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        index = len(self.page.tags)
        attributes = dict(attrs)
        self.page.tags.append((tag, attributes))
        if attributes.get("id"):
            self.page.ids[str(attributes["id"])] = index
        for name in (attributes.get("class") or "").split():
            self.page.classes.append((index, name))

    def handle_data(self, data: str) -> None:
        self.page.text.append(data)


def parse(html: str) -> Page:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.page


def first(page: Page, css_class: str) -> int:
    return min(i for i, name in page.classes if name == css_class)


def render(report: Report) -> str:
    return HtmlRenderer().render(report)


def script_bodies(html: str) -> list[str]:
    return re.findall(r"<script>(.*?)</script>", html, re.S)


def test_is_self_contained() -> None:
    report = realistic()
    html = render(report)
    page = parse(html)
    finding_links = {f.link for f in report.findings if f.link}
    names = {tag for tag, _ in page.tags}
    assert not names & {"link", "img", "iframe", "object", "embed", "base", "form"}
    # one inline script, the table's, allowed by its hash and by nothing else
    [script] = script_bodies(html)
    assert script == table_script()[0] and html.count("<script") == 1
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    [csp] = [a["content"] for t, a in page.tags if a.get("http-equiv") == "Content-Security-Policy"]
    assert csp is not None and f"script-src 'sha256-{digest}'" in csp
    assert "unsafe-inline'" not in csp.partition("script-src")[2]
    for tag, attrs in page.tags:
        assert "src" not in attrs, tag
        assert not any(name.startswith("on") for name in attrs), tag
        href = attrs.get("href")
        if href is not None:
            assert href.startswith("#") or href in finding_links, href
    assert "@import" not in html and "url(" not in html
    assert "<style>" in html and "@media print" in html


def test_verdict_and_counts_come_before_the_findings() -> None:
    page = parse(render(realistic()))
    assert page.ids["verdict"] < page.ids["findings"] < page.ids["plan"]
    assert page.ids["coverage"] < page.ids["findings"]
    text = " ".join(page.text)
    assert "blocked" in text
    assert first(page, "count-blocker") < first(page, "finding")


def test_blockers_come_before_warnings_before_info() -> None:
    page = parse(render(realistic()))
    assert page.ids["blocker"] < page.ids["warning"] < page.ids["info"]
    severities = [name for _, name in page.classes if name.startswith("sev-")]
    ranks = {"sev-blocker": 0, "sev-warning": 1, "sev-info": 2}
    assert severities == sorted(severities, key=ranks.__getitem__)


def test_findings_are_one_compact_table_with_each_card_folded_in_its_row() -> None:
    report = realistic()
    html = render(report)
    page = parse(html)
    assert page.ids["findings-table"] < page.ids["plan"]
    rows = html.partition('id="findings-table"')[2].partition("</tbody>")[0]
    assert rows.count("<tr class=\"sev-") == len(report.findings)
    # every row: severity, hop, rule, object, and the message as the summary of its card
    assert rows.count('<details class="finding">') == len(report.findings)
    assert " open" not in rows.partition("<tbody>")[2].split("<details")[1].partition(">")[0]
    for f in report.findings:
        assert f"<summary>{escape(f.message)}</summary>" in rows
    # sort keys: severity rank and hop as text that orders (no hop first: wrong today)
    assert '<td data-sort="0"><span class="tag tag-blocker">' in rows
    assert 'data-sort="000.000"' in rows and 'data-sort="001.031"' in rows


def test_hop_strip_counts_what_is_due_at_each_version() -> None:
    text = " ".join(parse(render(realistic())).text)
    compact = re.sub(r"\s+", " ", text)
    # current: the findings with no hop (3 blockers, 1 warning); 1.30: 2 warnings; 1.31: 1
    assert re.search(r"1\.29 current 3 blockers · 1 warning", compact), compact[:800]
    assert "1.30 hop 1 2 warnings" in compact and "1.31 target 1 blocker" in compact


def test_footer_labels_the_counters_for_people() -> None:
    footer = render(realistic()).rpartition("<footer>")[2]
    assert "412 objects, 9 Helm release revisions" in footer
    assert "helm_releases" not in footer


def test_shows_each_finding_with_its_evidence_fix_and_hop() -> None:
    html = render(realistic())
    for text in (
        "manifests/shop/pdb.yaml:12",
        "release billing/invoicer rev 7",
        "manager kubectl-client-side-apply",
        "Move to policy/v1. An empty selector now selects every pod.",
        "deprecated 1.21 · removed 1.25",
        '<code>policy/v1</code> <span class="muted">served since 1.21</span>',
        "bites at 1.31",
        'href="https://helm.sh/docs/topics/kubernetes_apis/"',
    ):
        assert text in html, text


def test_shows_the_hop_path_and_the_plan() -> None:
    page = parse(render(realistic()))
    text = " ".join(page.text)
    assert re.search(r"1\.29\s*current.*1\.30\s*hop 1.*1\.31\s*target", text, re.S)
    for key in ("before", "fix-blockers", "review-warnings", "control-plane-1.30", "nodes-1.31"):
        assert f"phase-{key}" in page.ids
    assert page.ids["phase-control-plane-1.30"] < page.ids["phase-control-plane-1.31"]


def test_coverage_gaps_are_prominent_and_complete_data_says_so() -> None:
    html = render(realistic())
    assert "Incomplete data: 2 things could not be checked" in html
    assert "Complete data" in render(empty())


def test_footer_names_tool_and_knowledge_versions() -> None:
    footer = render(realistic()).rpartition("<footer>")[2]
    assert "upgradecheck 0.1.0" in footer
    assert "knowledge base 2025-02-15" in footer
    assert "2025-03-01T12:00:00Z" in footer


def test_long_groups_are_summarised_with_counts() -> None:
    html = render(bulk(120))
    assert "Findings <span class=\"muted\">(120)</span>" in html
    assert "and 70 more api-removed findings in team-0 (showing 50 of 120" in html
    assert html.count('<tr class="sev-blocker"') == 50


def test_hundred_thousand_findings_stay_under_ten_megabytes() -> None:
    html = render(bulk(100_000, namespaces=400))
    assert len(html.encode()) < 10_000_000
    page = parse(html)
    assert page.ids["verdict"] < page.ids["findings"]
    assert "<b>100000</b>" in html
    # 400 groups of 250: the first 200 groups shown, 5 findings each, the rest counted.
    assert html.count('<tr class="sev-blocker"') == 1000
    assert "and 245 more api-removed findings in team-0 (showing 5 of 250" in html
    assert "and 200 more groups of blockers with 50000 findings" in html


def test_a_finding_judged_by_the_users_data_names_the_file() -> None:
    report = realistic()
    first = structs.replace(report.findings[0], data_source="platform/kb-inhouse.yaml")
    html = render(dataclasses.replace(report, findings=(first, *report.findings[1:])))
    assert "<dt>Data</dt><dd>your data file <code>platform/kb-inhouse.yaml</code></dd>" in html
    assert "your data file" not in render(report)


def test_title_says_what_the_document_is() -> None:
    scan = render(empty())  # a manifest scan
    assert "<title>Manifest review for Kubernetes 1.29 → 1.30: ready</title>" in scan
    assert "upgradecheck · Manifest review for Kubernetes 1.29 → 1.30" in scan
    unknown = render(empty(current_version=None))
    assert "<title>Manifest review for Kubernetes 1.30: ready</title>" in unknown
    plan = render(realistic())
    assert "<title>Upgrade plan 1.29 → 1.31 via 1.30: blocked</title>" in plan
    health = render(dataclasses.replace(realistic(), target_version="1.29", hops=()))
    assert "<title>Health check of Kubernetes 1.29: blocked</title>" in health
    assert "<h2>What to fix</h2>" in health and "No upgrade:" in health


def test_one_coverage_gap_is_singular() -> None:
    report = realistic()
    one = render(dataclasses.replace(report, coverage=report.coverage[:1]))
    assert "Incomplete data: 1 thing could not be checked" in one


def test_an_add_on_finding_shows_the_add_on_releases_not_kubernetes_ones() -> None:
    report = realistic()
    first = structs.replace(
        report.findings[0],
        deprecated_in=None,
        removed_in=None,
        addon=AddonLifecycle("cert-manager", "1.4", "1.6", "1.0"),
    )
    html = render(dataclasses.replace(report, findings=(first, *report.findings[1:])))
    assert "<dt>Lifecycle</dt><dd>cert-manager: deprecated 1.4 · removed 1.6</dd>" in html

"""The compare formats: exact text and Markdown (golden files), the JSON schema, HTML that
escapes what the cluster wrote, and Markdown that fits a pull-request comment."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from support.compare_fixtures import cluster, deployment, node, obj, pod, pvc, release

from upgradecheck.compare import CHECKS, CompareMode, Comparison, compare_snapshots
from upgradecheck.model import CoverageNote
from upgradecheck.render import COMPARISON_FORMATS, OutputFormat, Renderer
from upgradecheck.render.comparison import MarkdownRenderer
from upgradecheck.render.comparison.view import build_view

Golden = Callable[[str, str], None]
NOW = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)


def render(fmt: OutputFormat, comparison: Comparison) -> str:
    return COMPARISON_FORMATS.renderer(fmt).render(comparison)


def rehearsal() -> Comparison:
    """A 1.30 → 1.31 rehearsal that broke a few things."""
    before = cluster(
        "v1.30.4-eks-1",
        deployment("web", 3),
        deployment("api", 2, replicas=2),
        obj("Deployment", "legacy", "reports", spec={"replicas": 1}, status={"readyReplicas": 1}),
        pod("api", "77aa", "a"),
        pvc("data", "Bound"),
        nodes=(node("ip-10-0-1-1", "v1.30.4-eks-1"), node("ip-10-0-1-2", "v1.30.4-eks-1")),
        releases=(release("web", 3, "deployed"),),
        collected_at="2026-03-01T09:00:00Z",
        coverage=(CoverageNote("resource v1/secrets", "resource v1/secrets: 403", "forbidden"),),
    )
    after = cluster(
        "v1.31.2-eks-3",
        deployment("web", 1),
        deployment("api", 2, replicas=2),
        pod("api", "9c0d", "b", waiting="CrashLoopBackOff", restarts=12),
        pvc("data", "Pending"),
        nodes=(
            node("ip-10-0-2-1", "v1.31.2-eks-3"),
            node("ip-10-0-2-2", "v1.31.2-eks-3", ready=False),
        ),
        releases=(release("web", 3, "superseded"), release("web", 4, "failed")),
        collected_at="2026-03-01T15:00:00Z",
    )
    return compare_snapshots(before, after, files=("before.json", "after.json"), now=NOW)


def fidelity() -> Comparison:
    """Production against a kind test cluster."""
    production = cluster(
        "v1.29.4-eks-1",
        obj("CustomResourceDefinition", None, "widgets.example.com"),
        obj("MutatingWebhookConfiguration", None, "istio-sidecar-injector"),
        nodes=(node("p1", "v1.29.4", runtime="containerd://1.7.2"),),
        releases=(release("web", 2, "deployed", "web", "4.2.0"),),
        served=("v1", "apps/v1", "example.com/v1", "autoscaling/v2"),
    )
    test = cluster(
        "v1.29.6",
        nodes=(node("t1", "v1.29.6", runtime="containerd://1.7.11"),),
        releases=(release("web", 9, "deployed", "web", "4.3.0"),),
        served=("v1", "apps/v1", "batch/v1"),
        platform="kind",
    )
    files = ("prod.json.gz", "test.json.gz")
    return compare_snapshots(production, test, mode=CompareMode.FIDELITY, files=files, now=NOW)


@pytest.mark.parametrize(
    ("build", "fmt", "name"),
    [
        (rehearsal, OutputFormat.TEXT, "rehearsal.txt.golden"),
        (rehearsal, OutputFormat.MARKDOWN, "rehearsal.md.golden"),
        (fidelity, OutputFormat.TEXT, "fidelity.txt.golden"),
        (fidelity, OutputFormat.MARKDOWN, "fidelity.md.golden"),
    ],
)
def test_exact_output(
    build: Callable[[], Comparison], fmt: OutputFormat, name: str, golden: Golden
) -> None:
    golden(name, render(fmt, build()))


def test_no_differences() -> None:
    same = cluster("v1.31.2", deployment("web", 3), collected_at="2026-03-01T09:00:00Z")
    comparison = compare_snapshots(same, same, mode=CompareMode.FIDELITY, now=NOW)
    assert "\nNo differences.\n" in render(OutputFormat.TEXT, comparison)
    assert "\nNo differences.\n" in render(OutputFormat.MARKDOWN, comparison)
    assert "No differences." in render(OutputFormat.HTML, comparison)


def test_json_schema() -> None:
    doc = json.loads(render(OutputFormat.JSON, rehearsal()))
    assert list(doc) == [
        "schema",
        "mode",
        "verdict",
        "summary",
        "before",
        "after",
        "differences",
        "coverage",
        "generated_at",
        "tool_version",
    ]
    assert doc["schema"] == "upgradecheck.compare/v1" and doc["mode"] == "rehearsal"
    assert doc["verdict"] == "blocked"
    assert doc["summary"] == {"blocker": 5, "warning": 1, "info": 2}
    assert doc["before"] == {
        "label": "before",
        "file": "before.json",
        "collected_at": "2026-03-01T09:00:00Z",
        "server_version": "v1.30.4-eks-1",
        "platform": "eks",
        "context": "test-cluster",
        "nodes": 2,
        "objects": 5,
    }
    first = doc["differences"][0]
    assert list(first) == ["check", "severity", "subject", "before", "after", "message", "object"]
    assert first["check"] == "node-not-ready" and first["object"] is None
    ready = next(d for d in doc["differences"] if d["check"] == "workload-not-ready")
    assert ready["object"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "namespace": "shop",
        "name": "web",
    }
    assert doc["coverage"]["warnings"] == ["before: resource v1/secrets: 403"]
    assert doc["generated_at"] == "2026-03-02T12:00:00Z"


def test_html_escapes_what_the_cluster_wrote() -> None:
    hostile = "<script>alert(1)</script>"
    before = cluster("v1.30.4", deployment(hostile, 3))
    after = cluster("v1.31.1", deployment(hostile, 0))
    html = render(OutputFormat.HTML, compare_snapshots(before, after, now=NOW))
    assert hostile not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html
    markdown = render(OutputFormat.MARKDOWN, compare_snapshots(before, after, now=NOW))
    assert "<script>" not in markdown


def test_html_shows_sections_and_verdict() -> None:
    html = render(OutputFormat.HTML, rehearsal())
    assert 'class="verdict verdict-blocked"' in html
    assert '<section id="crash-loop">' in html and "1 restart → 12 restarts" not in html
    assert "0 restarts → 12 restarts" in html


def test_markdown_fits_a_pull_request_comment() -> None:
    before = cluster("v1.30.4", *(deployment(f"app-{i:04}", 1, replicas=1) for i in range(3000)))
    comparison = compare_snapshots(before, cluster("v1.31.1"), now=NOW)
    text = MarkdownRenderer(max_chars=20_000).render(comparison)
    assert len(text) < 20_000
    assert "more (see the HTML or JSON output)." in text


@pytest.mark.parametrize("fmt", list(COMPARISON_FORMATS.choices))
def test_every_format_has_a_renderer(fmt: OutputFormat) -> None:
    renderer = COMPARISON_FORMATS.renderer(fmt)
    assert isinstance(renderer, Renderer)
    assert renderer.render(fidelity()).endswith("\n")


@pytest.mark.parametrize("build", [rehearsal, fidelity])
def test_every_difference_has_a_declared_check_and_section(build: Callable[[], Comparison]) -> None:
    comparison = build()
    assert comparison.checks == CHECKS[comparison.mode]
    found = {d.check for d in comparison.differences}
    assert found <= {c.id for c in comparison.checks}
    shown = [(s.check, s.title) for s in build_view(comparison).sections]
    assert shown == [(c.id, c.title) for c in comparison.checks if c.id in found]


def test_a_check_id_has_one_title() -> None:
    declared = {c for checks in CHECKS.values() for c in checks}
    assert len({c.id for c in declared}) == len(declared)

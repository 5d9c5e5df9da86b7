"""One registry for reports, comparisons and fleets: every output format maps to a report
renderer and to an output file extension, a comparison and a fleet offer their four, each
command's --format offers exactly its registry's formats, and every renderer renders every
kind of report."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from support.cli_runner import run_cli
from support.render_reports import empty, hostile, realistic

from upgradecheck.model import Report
from upgradecheck.render import (
    COMPARISON_FORMATS,
    FLEET_FORMATS,
    REPORT_FORMATS,
    OutputFormat,
    Renderer,
    RenderError,
    templating,
)
from upgradecheck.render.escaping import encoded
from upgradecheck.render.registry import SUFFIXES, format_of

REPORT_CHOICES = ["html", "markdown", "checklist", "json", "text", "sarif", "junit", "policyreport"]
COMPARISON_CHOICES = ["text", "markdown", "html", "json"]
FLEET_CHOICES = ["html", "markdown", "json", "text"]


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_every_format_has_a_report_renderer(fmt: OutputFormat) -> None:
    assert isinstance(REPORT_FORMATS.renderer(fmt), Renderer)


def test_format_values_are_the_cli_names() -> None:
    assert [f.value for f in OutputFormat] == REPORT_CHOICES
    assert [f.value for f in REPORT_FORMATS.choices] == REPORT_CHOICES
    assert [f.value for f in COMPARISON_FORMATS.choices] == COMPARISON_CHOICES
    assert [f.value for f in FLEET_FORMATS.choices] == FLEET_CHOICES
    assert OutputFormat("checklist") is OutputFormat.CHECKLIST
    assert str(OutputFormat.HTML) == "html"


def test_a_format_a_comparison_lacks_is_a_render_error() -> None:
    with pytest.raises(RenderError, match="a comparison is not written as checklist"):
        COMPARISON_FORMATS.renderer(OutputFormat.CHECKLIST)


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_every_format_has_an_output_file_extension(fmt: OutputFormat) -> None:
    assert fmt in SUFFIXES.values()


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("report.html", OutputFormat.HTML),
        ("r.HTM", OutputFormat.HTML),
        ("r.md", OutputFormat.MARKDOWN),
        ("r.markdown", OutputFormat.MARKDOWN),
        ("rehearsal.checklist.md", OutputFormat.CHECKLIST),
        ("r.json", OutputFormat.JSON),
        ("results.sarif", OutputFormat.SARIF),
        ("results.SARIF.json", OutputFormat.SARIF),
        ("junit.xml", OutputFormat.JUNIT),
        ("reports.yaml", OutputFormat.POLICYREPORT),
        ("r.YML", OutputFormat.POLICYREPORT),
        ("r.txt", OutputFormat.TEXT),
        ("plan.pdf", None),
        ("plan", None),
        (".md", None),
    ],
)
def test_the_extension_names_the_format(name: str, fmt: OutputFormat | None) -> None:
    assert format_of(name) is fmt


def test_the_comparison_and_fleet_formats_have_their_extensions_too() -> None:
    for fmt in (*COMPARISON_FORMATS.choices, *FLEET_FORMATS.choices):
        assert format_of(f"out{next(s for s, f in SUFFIXES.items() if f is fmt)}") is fmt


def test_names_are_read_in_any_case_and_others_name_the_choices() -> None:
    assert COMPARISON_FORMATS.parse("MarkDown") is OutputFormat.MARKDOWN
    assert REPORT_FORMATS.parse("SARIF") is OutputFormat.SARIF
    with pytest.raises(ValueError, match="'pdf' is not one of html, markdown, checklist, json"):
        REPORT_FORMATS.parse("pdf")


@pytest.mark.parametrize(
    ("command", "choices"),
    [
        ("assess", REPORT_CHOICES),
        ("scan", REPORT_CHOICES),
        ("plan", REPORT_CHOICES),
        ("compare", COMPARISON_CHOICES),
        ("fleet", FLEET_CHOICES),
    ],
)
def test_each_command_offers_its_formats(
    monkeypatch, capsys, command: str, choices: list[str]
) -> None:
    code, out, _ = run_cli(monkeypatch, capsys, command, "--help")
    assert code == 0
    assert f"-f, --format <{'|'.join(choices)}>" in out


def test_fleet_refuses_a_report_only_format(monkeypatch, capsys) -> None:
    code, _, err = run_cli(monkeypatch, capsys, "fleet", "a.json", "-f", "checklist")
    assert code == 2
    assert "'checklist' is not one of html, markdown, json, text" in err
    code, _, err = run_cli(monkeypatch, capsys, "fleet", "a.json", "-o", "fleet.sarif")
    assert code == 2 and "a fleet is not written as sarif" in err
    with pytest.raises(RenderError, match="a fleet is not written as checklist"):
        FLEET_FORMATS.renderer(OutputFormat.CHECKLIST)


def test_compare_refuses_a_report_only_format(monkeypatch, capsys) -> None:
    code, _, err = run_cli(monkeypatch, capsys, "compare", "a.json", "b.json", "-f", "checklist")
    assert code == 2
    assert "'checklist' is not one of text, markdown, html, json" in err


def unknown_current() -> Report:
    return empty(current_version=None, hops=("1.30",), source="manifests")


def already_there() -> Report:
    return empty(current_version="1.30", hops=())


BUILDERS = {
    "realistic": realistic,
    "empty": empty,
    "hostile": hostile,
    "unknown-current": unknown_current,
    "already-there": already_there,
}


@pytest.mark.parametrize("fmt", list(OutputFormat))
@pytest.mark.parametrize("build", list(BUILDERS.values()), ids=list(BUILDERS))
def test_every_renderer_renders(fmt: OutputFormat, build: Callable[[], Report]) -> None:
    renderer = REPORT_FORMATS.renderer(fmt)
    text = renderer.render(build())
    assert text.strip()
    assert text.endswith("\n")
    # What a file or standard output receives is that text's UTF-8 (JSON makes it directly).
    assert renderer.render_bytes(build()) == encoded(text)


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_rendering_is_deterministic(fmt: OutputFormat) -> None:
    renderer = REPORT_FORMATS.renderer(fmt)
    assert renderer.render(realistic()) == renderer.render(realistic())


def test_a_broken_template_is_a_render_error() -> None:
    with pytest.raises(RenderError, match="no-such-template"):
        templating.render_template("no-such-template.md.j2")


def test_html_templates_autoescape_and_markdown_templates_do_not() -> None:
    env = templating.environment()
    assert env.autoescape("report.html.j2") is True  # type: ignore[operator]
    assert env.autoescape("report.md.j2") is False  # type: ignore[operator]


@pytest.mark.parametrize(
    ("formats", "fmt"),
    [(f, fmt) for f in (REPORT_FORMATS, COMPARISON_FORMATS, FLEET_FORMATS) for fmt in f.choices],
    ids=lambda v: v.what if hasattr(v, "what") else str(v),
)
def test_every_renderer_named_in_a_registry_can_be_made(formats, fmt: OutputFormat) -> None:
    # The registries name each renderer's module and class, imported when one is made.
    renderer = formats.renderer(fmt)
    assert isinstance(renderer, Renderer)
    assert type(renderer).__name__.lower() == f"{fmt.value}renderer"

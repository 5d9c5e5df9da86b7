"""Every output format maps to a renderer, and every renderer renders every kind of report."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from render_reports import empty, hostile, realistic

from upgradecheck.model import Report
from upgradecheck.render import OutputFormat, Renderer, RenderError, templating


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_every_format_has_a_renderer(fmt: OutputFormat) -> None:
    assert isinstance(fmt.to_renderer(), Renderer)


def test_format_values_are_the_cli_names() -> None:
    assert [f.value for f in OutputFormat] == ["html", "markdown", "checklist", "json", "text"]
    assert OutputFormat("checklist") is OutputFormat.CHECKLIST
    assert str(OutputFormat.HTML) == "html"


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
    text = fmt.to_renderer().render(build())
    assert text.strip()
    assert text.endswith("\n")


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_rendering_is_deterministic(fmt: OutputFormat) -> None:
    assert fmt.to_renderer().render(realistic()) == fmt.to_renderer().render(realistic())


def test_a_broken_template_is_a_render_error() -> None:
    with pytest.raises(RenderError, match="no-such-template"):
        templating.render_template("no-such-template.md.j2")


def test_html_templates_autoescape_and_markdown_templates_do_not() -> None:
    env = templating.environment()
    assert env.autoescape("report.html.j2") is True  # type: ignore[operator]
    assert env.autoescape("report.md.j2") is False  # type: ignore[operator]

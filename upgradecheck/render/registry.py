"""Which renderer writes which format, for reports, comparisons and fleets alike: OutputFormat
names every format once, each kind of result registers its renderers by those names, in the
order `--format` offers them, and SUFFIXES names the format an output file's extension asks
for."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Generic

from upgradecheck.render.interface import R, Renderer, RenderError, RenderOptions

if TYPE_CHECKING:
    from upgradecheck.compare.model import Comparison
    from upgradecheck.fleet.model import Fleet
    from upgradecheck.model import Report


class OutputFormat(StrEnum):
    """Every output format, by the name `--format` takes."""

    HTML = "html"
    MARKDOWN = "markdown"
    CHECKLIST = "checklist"
    JSON = "json"
    TEXT = "text"
    SARIF = "sarif"
    JUNIT = "junit"
    POLICYREPORT = "policyreport"


SUFFIXES: Mapping[str, OutputFormat] = {
    ".html": OutputFormat.HTML,
    ".htm": OutputFormat.HTML,
    ".checklist.md": OutputFormat.CHECKLIST,
    ".md": OutputFormat.MARKDOWN,
    ".markdown": OutputFormat.MARKDOWN,
    ".sarif.json": OutputFormat.SARIF,
    ".sarif": OutputFormat.SARIF,
    ".json": OutputFormat.JSON,
    ".txt": OutputFormat.TEXT,
    ".xml": OutputFormat.JUNIT,
    ".yaml": OutputFormat.POLICYREPORT,
    ".yml": OutputFormat.POLICYREPORT,
}
"""The format each output file extension names (matched in any case, the longest first, so
that `plan.checklist.md` is a checklist and `plan.md` Markdown)."""


def format_of(name: str) -> OutputFormat | None:
    """The format the extension of the file `name` names, or None."""
    lowered = name.lower()
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if lowered.endswith(suffix) and len(lowered) > len(suffix):
            return SUFFIXES[suffix]
    return None


@dataclass(frozen=True)
class Formats(Generic[R]):
    """The formats one kind of result is written in, each with its renderer."""

    what: str
    """What is written, for messages: `report`, `comparison`, `fleet`."""
    renderers: Mapping[OutputFormat, Callable[[RenderOptions], Renderer[R]]]
    """Each format's renderer, made from the run's RenderOptions, in the order `--format`
    offers them."""

    @property
    def choices(self) -> tuple[OutputFormat, ...]:
        """The formats offered, in order."""
        return tuple(self.renderers)

    def parse(self, name: str) -> OutputFormat:
        """The offered format called `name` (in any case); ValueError naming the choices."""
        for fmt in self.renderers:
            if fmt.value.casefold() == name.casefold():
                return fmt
        raise ValueError(f"{name!r} is not one of {self.offered()}")

    def offered(self) -> str:
        """The choices for messages: `html, markdown, ...`."""
        return ", ".join(fmt.value for fmt in self.renderers)

    def renderer(self, fmt: OutputFormat, options: RenderOptions | None = None) -> Renderer[R]:
        """A renderer of `fmt` made from `options`; RenderError when this kind of result is
        not written in it."""
        make = self.renderers.get(fmt)
        if make is None:
            raise RenderError(
                f"a {self.what} is not written as {fmt.value} (only {self.offered()})"
            )
        return make(options or RenderOptions())


def _imported(where: str) -> Callable[[RenderOptions], Renderer[Any]]:
    """The renderer class at `where` (`module:Class` under upgradecheck.render), imported
    when a renderer is made: a run writing text does not import the templates' engine, the
    plan behind the HTML and checklist, or the other results' renderers."""

    def make(options: RenderOptions) -> Renderer[Any]:
        module, _, name = where.partition(":")
        renderer: type[Renderer[Any]] = getattr(
            importlib.import_module(f"upgradecheck.render.{module}"), name
        )
        return renderer(options)

    return make


REPORT_FORMATS: Formats[Report] = Formats(
    "report",
    {
        OutputFormat.HTML: _imported("html:HtmlRenderer"),
        OutputFormat.MARKDOWN: _imported("markdown:MarkdownRenderer"),
        OutputFormat.CHECKLIST: _imported("checklist:ChecklistRenderer"),
        OutputFormat.JSON: _imported("json_report:JsonRenderer"),
        OutputFormat.TEXT: _imported("text:TextRenderer"),
        OutputFormat.SARIF: _imported("sarif:SarifRenderer"),
        OutputFormat.JUNIT: _imported("junit:JunitRenderer"),
        OutputFormat.POLICYREPORT: _imported("policyreport:PolicyReportRenderer"),
    },
)
"""Every format: what `plan`, `assess` and `scan` offer."""

COMPARISON_FORMATS: Formats[Comparison] = Formats(
    "comparison",
    {
        OutputFormat.TEXT: _imported("comparison.templated:TextRenderer"),
        OutputFormat.MARKDOWN: _imported("comparison.templated:MarkdownRenderer"),
        OutputFormat.HTML: _imported("comparison.templated:HtmlRenderer"),
        OutputFormat.JSON: _imported("comparison.json_doc:JsonRenderer"),
    },
)
"""What `compare` offers."""

FLEET_FORMATS: Formats[Fleet] = Formats(
    "fleet",
    {
        OutputFormat.HTML: _imported("fleet.templated:HtmlRenderer"),
        OutputFormat.MARKDOWN: _imported("fleet.templated:MarkdownRenderer"),
        OutputFormat.JSON: _imported("fleet.json_doc:JsonRenderer"),
        OutputFormat.TEXT: _imported("fleet.templated:TextRenderer"),
    },
)
"""What `fleet` offers."""

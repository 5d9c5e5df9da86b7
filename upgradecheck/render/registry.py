"""Which renderer writes which format, for reports, comparisons and fleets alike: OutputFormat
names every format once, each kind of result registers its renderers by those names, in the
order `--format` offers them, and SUFFIXES names the format an output file's extension asks
for."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic

from upgradecheck.compare.model import Comparison
from upgradecheck.fleet.model import Fleet
from upgradecheck.model import Report
from upgradecheck.render import comparison, fleet
from upgradecheck.render.checklist import ChecklistRenderer
from upgradecheck.render.html import HtmlRenderer
from upgradecheck.render.interface import R, Renderer, RenderError, RenderOptions
from upgradecheck.render.json_report import JsonRenderer
from upgradecheck.render.junit import JunitRenderer
from upgradecheck.render.markdown import MarkdownRenderer
from upgradecheck.render.policyreport import PolicyReportRenderer
from upgradecheck.render.sarif import SarifRenderer
from upgradecheck.render.text import TextRenderer


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


REPORT_FORMATS: Formats[Report] = Formats(
    "report",
    {
        OutputFormat.HTML: HtmlRenderer,
        OutputFormat.MARKDOWN: MarkdownRenderer,
        OutputFormat.CHECKLIST: ChecklistRenderer,
        OutputFormat.JSON: JsonRenderer,
        OutputFormat.TEXT: TextRenderer,
        OutputFormat.SARIF: SarifRenderer,
        OutputFormat.JUNIT: JunitRenderer,
        OutputFormat.POLICYREPORT: PolicyReportRenderer,
    },
)
"""Every format: what `plan`, `assess` and `scan` offer."""

COMPARISON_FORMATS: Formats[Comparison] = Formats(
    "comparison",
    {
        OutputFormat.TEXT: comparison.TextRenderer,
        OutputFormat.MARKDOWN: comparison.MarkdownRenderer,
        OutputFormat.HTML: comparison.HtmlRenderer,
        OutputFormat.JSON: comparison.JsonRenderer,
    },
)
"""What `compare` offers."""

FLEET_FORMATS: Formats[Fleet] = Formats(
    "fleet",
    {
        OutputFormat.HTML: fleet.HtmlRenderer,
        OutputFormat.MARKDOWN: fleet.MarkdownRenderer,
        OutputFormat.JSON: fleet.JsonRenderer,
        OutputFormat.TEXT: fleet.TextRenderer,
    },
)
"""What `fleet` offers."""

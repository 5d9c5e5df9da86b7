"""Which renderer writes which format, for reports and comparisons alike: OutputFormat names
every format once, and each kind of result registers its renderers by those names, in the
order `--format` offers them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic

from upgradecheck.compare.model import Comparison
from upgradecheck.model import Report
from upgradecheck.render import comparison
from upgradecheck.render.checklist import ChecklistRenderer
from upgradecheck.render.html import HtmlRenderer
from upgradecheck.render.interface import R, Renderer, RenderError
from upgradecheck.render.json_report import JsonRenderer
from upgradecheck.render.markdown import MarkdownRenderer
from upgradecheck.render.text import TextRenderer, terminal_width


class OutputFormat(StrEnum):
    """Every output format, by the name `--format` takes."""

    HTML = "html"
    MARKDOWN = "markdown"
    CHECKLIST = "checklist"
    JSON = "json"
    TEXT = "text"


@dataclass(frozen=True)
class Formats(Generic[R]):
    """The formats one kind of result is written in, each with its renderer."""

    what: str
    """What is written, for messages: `report`, `comparison`."""
    renderers: Mapping[OutputFormat, Callable[[], Renderer[R]]]
    """Each format's renderer, in the order `--format` offers them."""

    @property
    def choices(self) -> tuple[OutputFormat, ...]:
        """The formats offered, in order."""
        return tuple(self.renderers)

    def parse(self, name: str) -> OutputFormat:
        """The offered format called `name` (in any case); ValueError naming the choices."""
        for fmt in self.renderers:
            if fmt.value.casefold() == name.casefold():
                return fmt
        offered = ", ".join(repr(fmt.value) for fmt in self.renderers)
        raise ValueError(f"{name!r} is not one of {offered}.")

    def renderer(self, fmt: OutputFormat) -> Renderer[R]:
        """A renderer of `fmt`; RenderError when this kind of result is not written in it."""
        make = self.renderers.get(fmt)
        if make is None:
            offered = ", ".join(f.value for f in self.renderers)
            raise RenderError(f"a {self.what} is not written as {fmt.value} (only {offered})")
        return make()


REPORT_FORMATS: Formats[Report] = Formats(
    "report",
    {
        OutputFormat.HTML: HtmlRenderer,
        OutputFormat.MARKDOWN: MarkdownRenderer,
        OutputFormat.CHECKLIST: ChecklistRenderer,
        OutputFormat.JSON: JsonRenderer,
        # Text fits the terminal when writing to one.
        OutputFormat.TEXT: lambda: TextRenderer(width=terminal_width()),
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

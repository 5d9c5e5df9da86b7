"""Renderers: turn a Report into HTML, Markdown, a rehearsal checklist, JSON or text."""

from __future__ import annotations

from enum import StrEnum
from typing import assert_never

from upgradecheck.render.checklist import ChecklistRenderer
from upgradecheck.render.html import HtmlRenderer
from upgradecheck.render.interface import Renderer, RenderError
from upgradecheck.render.json_report import JsonRenderer
from upgradecheck.render.markdown import MarkdownRenderer
from upgradecheck.render.text import TextRenderer, terminal_width


class OutputFormat(StrEnum):
    """The output formats `--format` accepts."""

    HTML = "html"
    MARKDOWN = "markdown"
    CHECKLIST = "checklist"
    JSON = "json"
    TEXT = "text"

    def to_renderer(self) -> Renderer:
        """The renderer of this format (text fits the terminal when writing to one)."""
        match self:
            case OutputFormat.HTML:
                return HtmlRenderer()
            case OutputFormat.MARKDOWN:
                return MarkdownRenderer()
            case OutputFormat.CHECKLIST:
                return ChecklistRenderer()
            case OutputFormat.JSON:
                return JsonRenderer()
            case OutputFormat.TEXT:
                return TextRenderer(width=terminal_width())
            case _:
                assert_never(self)


__all__ = [
    "ChecklistRenderer",
    "HtmlRenderer",
    "JsonRenderer",
    "MarkdownRenderer",
    "OutputFormat",
    "RenderError",
    "Renderer",
    "TextRenderer",
]

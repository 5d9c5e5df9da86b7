"""Renderers of a Comparison: text, Markdown, HTML and JSON, chosen by CompareFormat."""

from __future__ import annotations

from enum import StrEnum
from typing import assert_never

from upgradecheck.compare.render.interface import ComparisonRenderer
from upgradecheck.compare.render.json_doc import JsonRenderer
from upgradecheck.compare.render.templated import HtmlRenderer, MarkdownRenderer, TextRenderer


class CompareFormat(StrEnum):
    """The formats `compare --format` accepts."""

    TEXT = "text"
    MARKDOWN = "markdown"
    HTML = "html"
    JSON = "json"

    def to_renderer(self) -> ComparisonRenderer:
        """The renderer of this format."""
        match self:
            case CompareFormat.TEXT:
                return TextRenderer()
            case CompareFormat.MARKDOWN:
                return MarkdownRenderer()
            case CompareFormat.HTML:
                return HtmlRenderer()
            case CompareFormat.JSON:
                return JsonRenderer()
            case _:
                assert_never(self)


__all__ = [
    "CompareFormat",
    "ComparisonRenderer",
    "HtmlRenderer",
    "JsonRenderer",
    "MarkdownRenderer",
    "TextRenderer",
]

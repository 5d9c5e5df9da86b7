"""Renderers of a Comparison: text, Markdown and HTML from templates (over the view they
share), and JSON."""

from __future__ import annotations

from upgradecheck.render.comparison.json_doc import JsonRenderer
from upgradecheck.render.comparison.templated import HtmlRenderer, MarkdownRenderer, TextRenderer

__all__ = ["HtmlRenderer", "JsonRenderer", "MarkdownRenderer", "TextRenderer"]

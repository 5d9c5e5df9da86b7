"""Renderers of a Fleet: HTML, Markdown and text from templates (over the view they share),
and JSON."""

from __future__ import annotations

from upgradecheck.render.fleet.json_doc import JsonRenderer
from upgradecheck.render.fleet.templated import HtmlRenderer, MarkdownRenderer, TextRenderer

__all__ = ["HtmlRenderer", "JsonRenderer", "MarkdownRenderer", "TextRenderer"]

"""Renderers: turn a Report into HTML, Markdown, a rehearsal checklist, JSON or text, and a
Comparison into text, Markdown, HTML or JSON, each chosen by name from one registry."""

from __future__ import annotations

from upgradecheck.render.checklist import ChecklistRenderer
from upgradecheck.render.html import HtmlRenderer
from upgradecheck.render.interface import Renderer, RenderError
from upgradecheck.render.json_report import JsonRenderer
from upgradecheck.render.markdown import MarkdownRenderer
from upgradecheck.render.registry import (
    COMPARISON_FORMATS,
    REPORT_FORMATS,
    Formats,
    OutputFormat,
)
from upgradecheck.render.text import TextRenderer

__all__ = [
    "COMPARISON_FORMATS",
    "REPORT_FORMATS",
    "ChecklistRenderer",
    "Formats",
    "HtmlRenderer",
    "JsonRenderer",
    "MarkdownRenderer",
    "OutputFormat",
    "RenderError",
    "Renderer",
    "TextRenderer",
]

"""Renderers: turn a Report into HTML, Markdown, a rehearsal checklist, JSON, text, SARIF or
JUnit XML, a Comparison into text, Markdown, HTML or JSON, and a Fleet into HTML, Markdown,
JSON or text, each chosen by name from one registry and made from the run's RenderOptions."""

from __future__ import annotations

from upgradecheck.render.checklist import ChecklistRenderer
from upgradecheck.render.html import HtmlRenderer
from upgradecheck.render.interface import Renderer, RenderError, RenderOptions
from upgradecheck.render.json_report import JsonRenderer
from upgradecheck.render.junit import JunitRenderer
from upgradecheck.render.markdown import MarkdownRenderer
from upgradecheck.render.registry import (
    COMPARISON_FORMATS,
    FLEET_FORMATS,
    REPORT_FORMATS,
    Formats,
    OutputFormat,
)
from upgradecheck.render.sarif import SarifRenderer
from upgradecheck.render.text import TextRenderer

__all__ = [
    "COMPARISON_FORMATS",
    "FLEET_FORMATS",
    "REPORT_FORMATS",
    "ChecklistRenderer",
    "Formats",
    "HtmlRenderer",
    "JsonRenderer",
    "JunitRenderer",
    "MarkdownRenderer",
    "OutputFormat",
    "RenderError",
    "RenderOptions",
    "Renderer",
    "SarifRenderer",
    "TextRenderer",
]

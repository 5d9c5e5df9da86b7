"""Renderers: turn a Report into HTML, Markdown, a rehearsal checklist, JSON, text, SARIF or
JUnit XML, a Comparison into text, Markdown, HTML or JSON, and a Fleet into HTML, Markdown,
JSON or text, each chosen by name from one registry and made from the run's RenderOptions.
Each renderer's module is imported when a renderer of its format is made."""

from __future__ import annotations

from upgradecheck.render.interface import Renderer, RenderError, RenderOptions
from upgradecheck.render.registry import (
    COMPARISON_FORMATS,
    FLEET_FORMATS,
    REPORT_FORMATS,
    Formats,
    OutputFormat,
)

__all__ = [
    "COMPARISON_FORMATS",
    "FLEET_FORMATS",
    "REPORT_FORMATS",
    "Formats",
    "OutputFormat",
    "RenderError",
    "RenderOptions",
    "Renderer",
]

"""The fleet documents written by templates: HTML (`fleet.html.j2`), Markdown (`fleet.md.j2`,
kept under a pull-request comment's size) and text (`fleet.txt.j2`)."""

from __future__ import annotations

from upgradecheck.fleet.model import Fleet
from upgradecheck.render.fleet.view import build_view
from upgradecheck.render.interface import Renderer, RenderOptions
from upgradecheck.render.markdown import MAX_CHARS, fit
from upgradecheck.render.templating import render_template

# Groups of findings listed in HTML before "and N more".
HTML_ROWS = 1000
# Coverage gaps listed per cluster before "and N more".
GAP_ROWS = 10
# Longest Markdown cell texts, in characters, before they are cut with an ellipsis.
CELL = 160


class TextRenderer(Renderer[Fleet]):
    """Plain text for a terminal: one line per cluster, two per group of findings."""

    def render(self, fleet: Fleet) -> str:
        """The text for `fleet`."""
        return render_template("fleet.txt.j2", view=build_view(fleet), gap_rows=GAP_ROWS)


class HtmlRenderer(Renderer[Fleet]):
    """One self-contained page (inline CSS, no scripts), autoescaped."""

    def render(self, fleet: Fleet) -> str:
        """The page for `fleet`."""
        view = build_view(fleet, HTML_ROWS)
        return render_template("fleet.html.j2", view=view, gap_rows=GAP_ROWS)


class MarkdownRenderer(Renderer[Fleet]):
    """GitHub-flavoured Markdown, listing as many groups as fit under `max_chars`."""

    def __init__(self, options: RenderOptions | None = None, *, max_chars: int = MAX_CHARS) -> None:
        super().__init__(options)
        self.max_chars = max_chars

    def render(self, fleet: Fleet) -> str:
        """The Markdown document for `fleet`."""

        def document(rows: int) -> str:
            view = build_view(fleet, rows)
            return render_template("fleet.md.j2", view=view, cell=CELL, gap_rows=GAP_ROWS)

        return fit(document, len(fleet.groups), self.max_chars)

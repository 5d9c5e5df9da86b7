"""The compare documents written by templates: text (`compare.txt.j2`), Markdown
(`compare.md.j2`, kept under a pull-request comment's size) and HTML (`compare.html.j2`)."""

from __future__ import annotations

from upgradecheck.compare.model import Comparison
from upgradecheck.render.comparison.view import build_view, change
from upgradecheck.render.interface import Renderer, RenderOptions
from upgradecheck.render.markdown import MAX_CHARS, fit
from upgradecheck.render.templating import render_template

# Differences listed per section in HTML before "and N more".
HTML_ROWS = 500
# Longest Markdown cell text, in characters, shown open; a longer one is shown whole behind a
# <details>.
CELL = 160


class TextRenderer(Renderer[Comparison]):
    """Plain text for a terminal: every difference, one line each."""

    def render(self, comparison: Comparison) -> str:
        """The text for `comparison`."""
        return render_template("compare.txt.j2", view=build_view(comparison), change=change)


class HtmlRenderer(Renderer[Comparison]):
    """One self-contained page (inline CSS, no scripts), autoescaped."""

    def render(self, comparison: Comparison) -> str:
        """The page for `comparison`."""
        view = build_view(comparison, HTML_ROWS)
        return render_template("compare.html.j2", view=view, change=change)


class MarkdownRenderer(Renderer[Comparison]):
    """GitHub-flavoured Markdown, listing as many rows per section as fit under `max_chars`."""

    def __init__(self, options: RenderOptions | None = None, *, max_chars: int = MAX_CHARS) -> None:
        super().__init__(options)
        self.max_chars = max_chars

    def render(self, comparison: Comparison) -> str:
        """The Markdown section for `comparison`."""
        largest = max((len(s.shown) for s in build_view(comparison).sections), default=0)

        def document(rows: int) -> str:
            view = build_view(comparison, rows)
            return render_template("compare.md.j2", view=view, change=change, cell=CELL)

        return fit(document, largest, self.max_chars)

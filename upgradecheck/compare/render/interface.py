"""The compare renderers' one interface; their errors are the render layer's RenderError."""

from __future__ import annotations

from abc import ABC, abstractmethod

from upgradecheck.compare.model import Comparison


class ComparisonRenderer(ABC):
    """Turns a Comparison into the text of one output format."""

    @abstractmethod
    def render(self, comparison: Comparison) -> str:  # pragma: no cover
        """The whole document for `comparison`, ending with a newline."""
        raise NotImplementedError

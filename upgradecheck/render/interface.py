"""The render layer's one interface (Renderer) and its one exception base (RenderError)."""

from __future__ import annotations

from abc import ABC, abstractmethod

from upgradecheck.model import Report


class RenderError(Exception):
    """A report could not be rendered or written (a missing template, an unwritable file)."""


class Renderer(ABC):
    """Turns a Report into the text of one output format."""

    @abstractmethod
    def render(self, report: Report) -> str:  # pragma: no cover
        """The whole document for `report`, ending with a newline."""
        raise NotImplementedError

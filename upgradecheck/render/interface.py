"""The render layer's one interface (Renderer) and its one exception base (RenderError)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Generic, TypeVar

from upgradecheck.model import Result

R = TypeVar("R", bound=Result)


class RenderError(Exception):
    """A result could not be rendered or written (a missing template, an unwritable file)."""


class Renderer(ABC, Generic[R]):
    """Turns one kind of result (a Report, a Comparison) into the text of one output format."""

    @abstractmethod
    def render(self, result: R) -> str:  # pragma: no cover
        """The whole document for `result`, ending with a newline."""
        raise NotImplementedError

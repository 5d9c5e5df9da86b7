"""The render layer's one interface (Renderer, made from RenderOptions) and its one exception
base (RenderError)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Generic, TypeVar

from upgradecheck.exit_codes import FailOn
from upgradecheck.model import Result

R = TypeVar("R", bound=Result)


class RenderError(Exception):
    """A result could not be rendered or written (a missing template, an unwritable file)."""


@dataclass(frozen=True)
class RenderOptions:
    """How the run asked for its output: what a renderer may need besides the result. Every
    renderer is made from one; most need none of it."""

    fail_on: FailOn = FailOn.BLOCKER
    """The lowest severity that fails the run (JUnit marks those findings as failures)."""
    width: int | None = None
    """The terminal's width when writing to one (text fits its table to it); None: never cut."""
    colour: bool = False
    """Colour the text for a terminal."""
    base_dir: str | None = None
    """The folder relative paths in the result are relative to (the run's current folder):
    SARIF names files relative to it. None: paths as written."""


class Renderer(ABC, Generic[R]):
    """Turns one kind of result (a Report, a Comparison) into the text of one output format."""

    def __init__(self, options: RenderOptions | None = None) -> None:
        self.options = options or RenderOptions()

    @abstractmethod
    def render(self, result: R) -> str:  # pragma: no cover
        """The whole document for `result`, ending with a newline."""
        raise NotImplementedError

    def render_bytes(self, result: R) -> bytes:
        """The document's bytes as a file or standard output receives them: `render`'s
        text with a final newline, in UTF-8 (see `escaping.encoded`). A renderer that makes
        bytes itself overrides it, sparing a large document's copies."""
        from upgradecheck.render.escaping import encoded

        text = self.render(result)
        return encoded(text if text.endswith("\n") else text + "\n")

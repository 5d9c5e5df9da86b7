"""The compare JSON document: schema `upgradecheck.compare/v1` (docs/compare.md)."""

from __future__ import annotations

from upgradecheck.codec.comparison import comparison_to_dict
from upgradecheck.compare.model import Comparison
from upgradecheck.render.escaping import inert_json
from upgradecheck.render.interface import Renderer


class JsonRenderer(Renderer[Comparison]):
    """Renders `comparison_to_dict` with two-space indentation."""

    def render(self, comparison: Comparison) -> str:
        """The JSON document for `comparison`."""
        return inert_json(comparison_to_dict(comparison))

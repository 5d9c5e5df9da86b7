"""The JSON report: the `upgradecheck.report/v1` contract, plus a few more fields."""

from __future__ import annotations

from upgradecheck.codec.report import report_to_dict
from upgradecheck.model import Report
from upgradecheck.render.escaping import inert_json, inert_json_bytes
from upgradecheck.render.interface import Renderer


class JsonRenderer(Renderer[Report]):
    """Renders `report_to_dict` with two-space indentation, keys in contract order."""

    def render(self, report: Report) -> str:
        """The JSON document for `report`."""
        # A report's fields are strings, integers, booleans and null: no float.
        return inert_json(report_to_dict(report), floats=False)

    def render_bytes(self, report: Report) -> bytes:
        """`render`'s document as bytes, made without the text between (a large report)."""
        return inert_json_bytes(report_to_dict(report))

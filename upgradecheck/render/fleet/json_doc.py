"""The fleet JSON document: schema `upgradecheck.fleet/v1` (docs/fleet.md,
docs/fleet.schema.json)."""

from __future__ import annotations

from upgradecheck.codec.fleet import fleet_to_dict
from upgradecheck.fleet.model import Fleet
from upgradecheck.render.escaping import inert_json
from upgradecheck.render.interface import Renderer


class JsonRenderer(Renderer[Fleet]):
    """Renders `fleet_to_dict` with two-space indentation."""

    def render(self, fleet: Fleet) -> str:
        """The JSON document for `fleet`."""
        return inert_json(fleet_to_dict(fleet))

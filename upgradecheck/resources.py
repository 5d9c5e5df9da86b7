"""Where the bundled data lives: inside the installed package, or at the top of a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    # A wheel carries the folders under upgradecheck/_data/; a checkout (or an editable
    # install) has them beside the package.
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"upgradecheck's {name}/ folder is missing from the installation")


def deprecations_dir() -> Path:
    """The folder of knowledge-base data files (`deprecations/`)."""
    return _find("deprecations")


def templates_dir() -> Path:
    """The folder of Jinja templates (`templates/`)."""
    return _find("templates")


def report_schema() -> Path:
    """The JSON Schema of the report document (`docs/report.schema.json`)."""
    return _find("docs") / "report.schema.json"


def fleet_schema() -> Path:
    """The JSON Schema of the fleet document (`docs/fleet.schema.json`)."""
    return _find("docs") / "fleet.schema.json"

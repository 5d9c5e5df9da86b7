"""`upgradecheck schema`: print the JSON Schema of a document the tool writes."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from upgradecheck.render.interface import RenderError
from upgradecheck.resources import fleet_schema, report_schema


class Document(StrEnum):
    """The documents whose schema ships with the tool."""

    REPORT = "report"
    FLEET = "fleet"


_SCHEMAS: dict[Document, Callable[[], Path]] = {
    Document.REPORT: report_schema,
    Document.FLEET: fleet_schema,
}


def schema(
    document: Annotated[
        Document,
        typer.Argument(
            help="Which document: report (`--format json`) or fleet (`fleet --format json`)."
        ),
    ] = Document.REPORT,
) -> None:
    """Print the JSON Schema (draft 2020-12) of the JSON report or the fleet, as installed.

    Examples:

      upgradecheck schema report > report.schema.json

      check-jsonschema --schemafile report.schema.json plan.json

      upgradecheck schema fleet > fleet.schema.json
    """
    try:
        text = _SCHEMAS[document]().read_text(encoding="utf-8")
    except OSError as exc:  # FileNotFoundError included
        raise RenderError(
            f"the {document.value} schema is missing from the installation: {exc}"
        ) from None
    typer.echo(text, nl=False)

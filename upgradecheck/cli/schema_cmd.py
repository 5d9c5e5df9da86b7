"""`upgradecheck schema`: print the JSON Schema of a document the tool writes."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from upgradecheck.render.interface import RenderError
from upgradecheck.resources import report_schema


class Document(StrEnum):
    """The documents whose schema ships with the tool."""

    REPORT = "report"


def schema(
    document: Annotated[
        Document, typer.Argument(help="Which document: report (`--format json`).")
    ] = Document.REPORT,
) -> None:
    """Print the JSON Schema (draft 2020-12) of the JSON report, as installed.

    Examples:

      upgradecheck schema report > report.schema.json

      check-jsonschema --schemafile report.schema.json plan.json
    """
    try:
        text = report_schema().read_text(encoding="utf-8")
    except OSError as exc:  # FileNotFoundError included
        raise RenderError(
            f"the {document.value} schema is missing from the installation: {exc}"
        ) from None
    typer.echo(text, nl=False)

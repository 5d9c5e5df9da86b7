"""The JSON Schemas of the documents the tool writes (docs/report.schema.json,
docs/fleet.schema.json) as validators, for the tests."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator

from upgradecheck.resources import fleet_schema, report_schema


def _validator(path: Path) -> Draft202012Validator:
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@cache
def report_validator() -> Draft202012Validator:
    """A validator of the shipped report schema, checking formats (dates) too."""
    return _validator(report_schema())


@cache
def fleet_validator() -> Draft202012Validator:
    """A validator of the shipped fleet schema, checking formats too."""
    return _validator(fleet_schema())

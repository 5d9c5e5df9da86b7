"""The report's JSON Schema (docs/report.schema.json) as a validator, for the tests."""

from __future__ import annotations

import json
from functools import cache

from jsonschema import Draft202012Validator

from upgradecheck.resources import report_schema


@cache
def report_validator() -> Draft202012Validator:
    """A validator of the shipped schema, checking formats (dates) too."""
    schema = json.loads(report_schema().read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)

"""docs/report.schema.json: the JSON report's shipped schema. It requires every field of the
design's contract and describes every field the codec writes; every JSON report the suite
renders is validated against it (tests/conftest.py); the wheel and `upgradecheck schema
report` carry the same file."""

from __future__ import annotations

import json
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from msgspec import structs
from support.cli_runner import run_cli
from support.render_reports import empty, hostile, realistic
from support.schemas import report_validator

from upgradecheck.codec.report import report_to_dict
from upgradecheck.model import Suppression
from upgradecheck.resources import report_schema

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "docs" / "report.schema.json").read_text(encoding="utf-8"))

# The design's JSON contract (docs: design.md, "JSON report").
CONTRACT_TOP = {
    "schema", "current_version", "target_version", "hops", "verdict", "summary", "findings",
    "coverage",
}  # fmt: skip
CONTRACT_FINDING = {
    "rule", "severity", "hop", "object", "evidence", "message", "remediation", "replacement",
    "deprecated_in", "removed_in",
}  # fmt: skip


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    """`node` with a local `$ref` (or a one-entry `allOf`) followed."""
    while True:
        if "$ref" in node:
            node = SCHEMA["$defs"][node["$ref"].rpartition("/")[2]]
        elif "allOf" in node and "properties" not in node:
            node = node["allOf"][0]
        else:
            return node


def described(value: Any, node: dict[str, Any], where: str) -> list[str]:
    """The paths of `value` that the schema node does not describe by name."""
    node = resolve(node)
    variants = node.get("oneOf")
    if variants is not None:
        fits = [v for v in variants if resolve(v).get("type") != "null"]
        return described(value, fits[0], where) if value is not None and fits else []
    missing = []
    if isinstance(value, dict) and "properties" in node:
        props = dict(node["properties"])
        for part in node.get("allOf", []):
            props = {**resolve(part).get("properties", {}), **props}
        for key, item in value.items():
            if key not in props:
                missing.append(f"{where}.{key}")
            else:
                missing += described(item, props[key], f"{where}.{key}")
    elif isinstance(value, list) and "items" in node:
        for item in value[:3]:
            missing += described(item, node["items"], f"{where}[]")
    return missing


def suppressed_report() -> Any:
    first = realistic().findings[0]
    covered = structs.replace(first, suppression=Suppression("accepted", "2027-01-31", ".x.yaml:3"))
    return replace(realistic(), suppressed=(covered,))


def test_the_schema_is_valid_draft_2020_12() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(SCHEMA)


def test_the_contract_fields_are_required() -> None:
    assert set(SCHEMA["required"]) >= CONTRACT_TOP
    assert set(SCHEMA["$defs"]["finding"]["required"]) >= CONTRACT_FINDING
    assert {"source", "location"} <= set(SCHEMA["$defs"]["evidence"]["required"])
    assert SCHEMA["properties"]["schema"]["const"] == "upgradecheck.report/v1"


@pytest.mark.parametrize("make", [realistic, empty, hostile, suppressed_report])
def test_every_field_the_codec_writes_is_required_and_described(make: Any) -> None:
    doc = report_to_dict(make())
    assert set(doc) == set(SCHEMA["required"]) == set(SCHEMA["properties"])
    assert described(doc, SCHEMA, "$") == []
    finding = SCHEMA["$defs"]["finding"]
    for f in doc["findings"] + doc["suppressed_findings"]:
        assert set(f) == set(finding["required"]) == set(finding["properties"])
    for key, node in SCHEMA["properties"].items():
        assert resolve(node).get("description") or node.get("description"), key


def test_the_validator_rejects_what_the_contract_forbids() -> None:
    validator = report_validator()
    doc = report_to_dict(realistic())
    assert not list(validator.iter_errors(doc))
    for path, bad in (
        (("findings", 0, "hop"), "now"),  # a hop is a minor release or null
        (("findings", 0, "severity"), "fatal"),
        (("verdict",), "fine"),
        (("summary", "blocker"), -1),
    ):
        broken = json.loads(json.dumps(doc))
        target = broken
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = bad
        assert list(validator.iter_errors(broken)), path
    del doc["findings"][0]["remediation"]
    assert list(validator.iter_errors(doc))
    suppressed = report_to_dict(suppressed_report())
    suppressed["suppressed_findings"][0]["suppressed"] = None
    assert list(validator.iter_errors(suppressed))


def test_the_wheel_and_the_command_carry_the_same_schema(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    included = project["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert included["docs/report.schema.json"] == "upgradecheck/_data/docs/report.schema.json"
    assert report_schema() == REPO / "docs" / "report.schema.json"
    code, out, _ = run_cli(monkeypatch, capsys, "schema", "report")
    assert code == 0 and json.loads(out) == SCHEMA


def test_an_undescribed_field_is_found() -> None:
    doc = report_to_dict(realistic())
    doc["findings"][0]["new_field"] = 1
    doc["nodes"][0]["extra"] = "x"
    doc["findings"][0]["evidence"][0]["more"] = "y"
    assert described(doc, SCHEMA, "$") == [
        "$.findings[].evidence[].more",
        "$.findings[].new_field",
        "$.nodes[].extra",
    ]

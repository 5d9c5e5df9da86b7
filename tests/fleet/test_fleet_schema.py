"""docs/fleet.schema.json: the fleet document's shipped schema. It requires and describes
every field the codec writes; every fleet JSON the suite renders is validated against it
(tests/conftest.py); the wheel and `upgradecheck schema fleet` carry the same file."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from support.cli_runner import run_cli
from support.fleet_reports import small_fleet
from support.schemas import fleet_validator

from upgradecheck.codec.fleet import fleet_to_dict
from upgradecheck.fleet.aggregate import build_fleet
from upgradecheck.resources import fleet_schema

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "docs" / "fleet.schema.json").read_text(encoding="utf-8"))


def document() -> dict[str, Any]:
    return fleet_to_dict(build_fleet(small_fleet(), target="1.25"))


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["properties"]["schema"]["const"] == "upgradecheck.fleet/v1"


def test_every_field_the_codec_writes_is_required_and_described() -> None:
    doc = document()
    assert set(doc) == set(SCHEMA["required"]) == set(SCHEMA["properties"])
    for name, items in (("cluster", doc["clusters"]), ("group", doc["groups"])):
        node = SCHEMA["$defs"][name]
        for item in items:
            assert set(item) == set(node["required"]) == set(node["properties"]), name
    share = SCHEMA["$defs"]["share"]
    assert set(doc["groups"][0]["clusters"][0]) == set(share["required"])
    assert set(doc["clusters_summary"]) == set(SCHEMA["properties"]["clusters_summary"]["required"])
    for key, node in SCHEMA["properties"].items():
        assert node.get("description") or node.get("$ref") or key in ("schema", "tool_version")


def test_the_validator_rejects_what_the_contract_forbids() -> None:
    validator = fleet_validator()
    assert not list(validator.iter_errors(document()))
    for path, bad in (
        (("clusters", 0, "status"), "fine"),
        (("clusters", 0, "reason"), "assessed clusters say no reason"),
        (("clusters", 3, "verdict"), "blocked"),  # the unreachable one has no verdict
        (("clusters", 3, "reason"), None),  # ... but says why
        (("groups", 0, "clusters"), []),
        (("groups", 0, "severity"), "fatal"),
        (("summary", "blocker"), -1),
        (("verdict",), "unreachable"),
    ):
        broken = document()
        target: Any = broken
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = bad
        assert list(validator.iter_errors(broken)), path
    missing = document()
    del missing["groups"]
    assert list(validator.iter_errors(missing))


def test_the_wheel_and_the_command_carry_the_same_schema(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    included = project["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert included["docs/fleet.schema.json"] == "upgradecheck/_data/docs/fleet.schema.json"
    assert fleet_schema() == REPO / "docs" / "fleet.schema.json"
    code, out, _ = run_cli(monkeypatch, capsys, "schema", "fleet")
    assert code == 0 and json.loads(out) == SCHEMA

"""Shared fixtures."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from kbfactory import small_kb
from schemas import fleet_validator, report_validator

from upgradecheck.fleet.model import Fleet
from upgradecheck.knowledge.model import KnowledgeBase
from upgradecheck.model import Report
from upgradecheck.render.fleet.json_doc import JsonRenderer as FleetJsonRenderer
from upgradecheck.render.json_report import JsonRenderer

REPO = Path(__file__).resolve().parent.parent

# The fake Kubernetes API server's fixtures (`fakeapi`, `fakeapi_v121`, `fakeapi_v131`).
pytest_plugins = ["fakeapi.plugin"]


@pytest.fixture
def kb() -> KnowledgeBase:
    return small_kb()


@pytest.fixture(autouse=True)
def _no_installed_bundle(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test sees an empty data home: a knowledge-base bundle installed on the machine
    (`upgradecheck kb update`) must not change what the tests judge."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.getbasetemp() / "xdg-empty"))


@pytest.fixture(autouse=True, scope="session")
def _json_reports_follow_their_schema() -> Iterator[None]:
    """Every JSON report the suite renders (through any command or renderer) is checked
    against the shipped schema, docs/report.schema.json: a field the codec writes and the
    schema does not allow fails the test that rendered it."""
    validator = report_validator()
    render = JsonRenderer.render

    def checked(self: JsonRenderer, report: Report) -> str:
        text = render(self, report)
        errors = sorted(validator.iter_errors(json.loads(text)), key=lambda e: e.json_path)
        assert not errors, "the JSON report breaks docs/report.schema.json: " + "; ".join(
            f"{e.json_path}: {e.message}" for e in errors[:5]
        )
        return text

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(JsonRenderer, "render", checked)
        yield


@pytest.fixture(autouse=True, scope="session")
def _fleet_json_follows_its_schema() -> Iterator[None]:
    """Every fleet JSON document the suite renders is checked against the shipped schema,
    docs/fleet.schema.json, as it is rendered: the schema holds for all of them, not for one
    chosen example."""
    validator = fleet_validator()
    render = FleetJsonRenderer.render

    def checked(self: FleetJsonRenderer, fleet: Fleet) -> str:
        text = render(self, fleet)
        errors = sorted(validator.iter_errors(json.loads(text)), key=lambda e: e.json_path)
        assert not errors, "the fleet JSON breaks docs/fleet.schema.json: " + "; ".join(
            f"{e.json_path}: {e.message}" for e in errors[:5]
        )
        return text

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(FleetJsonRenderer, "render", checked)
        yield

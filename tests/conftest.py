"""Shared fixtures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from support.kbfactory import small_kb
from support.schemas import fleet_validator, report_validator

from upgradecheck.knowledge.model import KnowledgeBase
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


@pytest.fixture(autouse=True)
def _session_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test keeps the knowledge base's cache in one folder of the session: the
    user's own cache is neither read nor written, and the commands the tests run share it
    (most runs hit it, as on a user's machine)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))
    monkeypatch.delenv("UPGRADECHECK_NO_CACHE", raising=False)


@contextmanager
def _validated(renderer: Any, validator: Any, document: str) -> Iterator[None]:
    """While inside, every document `renderer` (a JSON renderer class) renders is checked
    with `validator`; a field the codec writes and the schema does not allow fails the test
    that rendered it."""
    render = renderer.render

    def checked(self: Any, result: Any) -> str:
        text: str = render(self, result)
        errors = sorted(validator.iter_errors(json.loads(text)), key=lambda e: e.json_path)
        assert not errors, f"the {document} breaks its schema: " + "; ".join(
            f"{e.json_path}: {e.message}" for e in errors[:5]
        )
        return text

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(renderer, "render", checked)
        yield


@pytest.fixture(autouse=True, scope="session")
def _json_reports_follow_their_schema() -> Iterator[None]:
    """Every JSON report the suite renders (through any command or renderer) is checked
    against the shipped schema, docs/report.schema.json."""
    with _validated(JsonRenderer, report_validator(), "JSON report"):
        yield


@pytest.fixture(autouse=True, scope="session")
def _fleet_json_follows_its_schema() -> Iterator[None]:
    """Every fleet JSON document the suite renders is checked against the shipped schema,
    docs/fleet.schema.json: the schema holds for all of them, not for one chosen example."""
    with _validated(FleetJsonRenderer, fleet_validator(), "fleet JSON"):
        yield

"""Shared fixtures."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from kbfactory import small_kb

from upgradecheck.knowledge.model import KnowledgeBase

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

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

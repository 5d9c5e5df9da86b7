"""Shared fixtures."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from kbfactory import small_kb  # noqa: E402

from upgradecheck.knowledge.model import KnowledgeBase  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def kb() -> KnowledgeBase:
    return small_kb()

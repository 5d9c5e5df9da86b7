"""Fixtures for the render tests: the realistic report, and `golden`, which compares output
with tests/render/golden/ (UPDATE_GOLDEN=1 rewrites the files)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from support.goldens import golden_checker
from support.render_reports import realistic

from upgradecheck.model import Report

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def report() -> Report:
    return realistic()


@pytest.fixture
def golden() -> Callable[[str, str], None]:
    """Compare `text` with golden/NAME; UPDATE_GOLDEN=1 rewrites it. A missing file fails."""
    return golden_checker(GOLDEN)

"""Fixtures for the exceptions tests: `golden` compares output with tests/exceptions/golden/
(UPDATE_GOLDEN=1 rewrites the files)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from support.goldens import golden_checker

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def golden() -> Callable[[str, str], None]:
    """Compare `text` with golden/NAME; UPDATE_GOLDEN=1 rewrites it. A missing file fails."""
    return golden_checker(GOLDEN)

"""Fixtures for the render tests: the realistic report, and `golden`, which compares output
with tests/render/golden/ (UPDATE_GOLDEN=1 rewrites the files)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from render_reports import realistic

from upgradecheck.model import Report

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def report() -> Report:
    return realistic()


@pytest.fixture
def golden() -> Callable[[str, str], None]:
    """Compare `text` with golden/NAME; UPDATE_GOLDEN=1 rewrites it. A missing file fails."""

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if os.environ.get("UPDATE_GOLDEN") == "1":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        if not path.exists():
            pytest.fail(f"golden file {path} is missing: run UPDATE_GOLDEN=1 pytest tests/render")
        expected = path.read_text(encoding="utf-8")
        assert text == expected, f"output differs from {path}; UPDATE_GOLDEN=1 rewrites it"

    return check

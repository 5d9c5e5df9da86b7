"""Fixtures for the compare tests: `golden` compares output with tests/compare/golden/
(UPDATE_GOLDEN=1 rewrites the files)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def golden() -> Callable[[str, str], None]:
    """Compare `text` with golden/NAME; UPDATE_GOLDEN=1 rewrites it. A missing file fails."""

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if os.environ.get("UPDATE_GOLDEN") == "1":
            path.write_text(text, encoding="utf-8")
            return
        if not path.exists():
            pytest.fail(
                f"golden file {path} is missing: run UPDATE_GOLDEN=1 pytest {GOLDEN.parent}"
            )
        assert text == path.read_text(encoding="utf-8"), f"output differs from {path}"

    return check

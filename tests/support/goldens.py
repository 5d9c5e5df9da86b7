"""Golden-file comparison shared by the test folders that pin exact output."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest


def golden_checker(folder: Path) -> Callable[[str, str], None]:
    """`check(name, text)`: compare `text` with folder/name. UPDATE_GOLDEN=1 rewrites the
    file; a missing file fails the test."""

    def check(name: str, text: str) -> None:
        path = folder / name
        if os.environ.get("UPDATE_GOLDEN") == "1":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        if not path.exists():
            pytest.fail(f"golden file {path} is missing: run UPDATE_GOLDEN=1 pytest {folder}")
        expected = path.read_text(encoding="utf-8")
        assert text == expected, f"output differs from {path}; UPDATE_GOLDEN=1 rewrites it"

    return check

"""Fixtures for the fake API server's own tests (the fakeapi pytest plugin, imported)."""

from __future__ import annotations

import sys
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parent.parent)
if _TESTS not in sys.path:  # tests/conftest.py normally puts tests/ on the path already
    sys.path.insert(0, _TESTS)

from fakeapi.plugin import fakeapi, fakeapi_v121, fakeapi_v131  # noqa: E402

__all__ = ["fakeapi", "fakeapi_v121", "fakeapi_v131"]

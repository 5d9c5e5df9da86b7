"""Fixtures for the fake API server's own tests (the fakeapi pytest plugin, imported)."""

from __future__ import annotations

from fakeapi.plugin import fakeapi, fakeapi_v121, fakeapi_v131

__all__ = ["fakeapi", "fakeapi_v121", "fakeapi_v131"]

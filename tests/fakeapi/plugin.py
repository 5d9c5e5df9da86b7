"""pytest fixtures for the fake API server.

Register once, in a top-level ``conftest.py``: ``pytest_plugins = ["tests.fakeapi.plugin"]``
(or import the fixtures by name into a conftest). Then::

    def test_something(fakeapi):                       # a factory
        api = fakeapi("v1.21")                          # started; stopped after the test
        kubeconfig = api.kubeconfig_path               # written into tmp_path

    def test_other(fakeapi_v121): ...                  # a running v1.21 cluster
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .fixtures import Cluster
from .server import FakeApiServer

__all__ = ["fakeapi", "fakeapi_v121", "fakeapi_v131"]

StartServer = Callable[..., FakeApiServer]


@pytest.fixture
def fakeapi(tmp_path: Path) -> Iterator[StartServer]:
    """A factory: ``fakeapi(cluster, **server_options)`` starts a server and writes its
    kubeconfig (``server.kubeconfig_path``); every server is stopped after the test."""
    started: list[FakeApiServer] = []

    def start(cluster: Cluster | str | Path = "v1.21", *, context: str = "fake",
              **options: Any) -> FakeApiServer:
        server = FakeApiServer(cluster, **options).start()
        started.append(server)
        path = tmp_path / f"kubeconfig-{len(started)}"
        server.kubeconfig_path = server.write_kubeconfig(path, context=context)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def fakeapi_v121(fakeapi: StartServer) -> FakeApiServer:
    """A running fake of the bundled v1.21 (EKS-like, legacy APIs) cluster."""
    return fakeapi("v1.21")


@pytest.fixture
def fakeapi_v131(fakeapi: StartServer) -> FakeApiServer:
    """A running fake of the bundled v1.31 (current) cluster."""
    return fakeapi("v1.31")

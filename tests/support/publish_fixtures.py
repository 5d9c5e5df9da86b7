"""What the publish tests share: a snapshot of a fake cluster, saved by `collect`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fakeapi import FakeApiServer

from support.cli_runner import run_cli


def collected(api: FakeApiServer, monkeypatch: Any, capsys: Any, tmp_path: Path) -> Path:
    """A snapshot of the cluster, saved by `collect`."""
    snapshot = tmp_path / "snap.json.gz"
    code, _, err = run_cli(monkeypatch, capsys, "collect", "--kubeconfig",
                           str(api.kubeconfig_path), "-o", str(snapshot), "-q")
    assert code == 0, err
    return snapshot

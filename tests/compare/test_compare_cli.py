"""`upgradecheck compare` on the command line: formats, --fidelity, the exit-code contract and
one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.cli_runner import run_cli as run
from support.compare_fixtures import cluster, deployment

from upgradecheck.model import Snapshot
from upgradecheck.snapshot_io import write_snapshot


def save(path: Path, snapshot: Snapshot) -> str:
    write_snapshot(snapshot, path)
    return str(path)


@pytest.fixture
def pair(tmp_path: Path) -> tuple[str, str, str]:
    """Files: a cluster before its upgrade, after it (one workload broke), and after with a
    warning only."""
    before = cluster("v1.30.4", deployment("web", 3), deployment("old", 1, replicas=1))
    broken = cluster("v1.31.1", deployment("web", 1), collected_at="2026-03-02T10:00:00Z")
    warned = cluster("v1.31.1", deployment("web", 3), collected_at="2026-03-02T10:00:00Z")
    return (
        save(tmp_path / "before.json", before),
        save(tmp_path / "after.json.gz", broken),
        save(tmp_path / "warned.json", warned),
    )


def test_text_by_default_and_exit_1_on_breakage(monkeypatch, capsys, pair) -> None:
    before, after, _ = pair
    code, out, err = run(monkeypatch, capsys, "compare", before, after)
    assert code == 1 and err == ""
    assert out.startswith("upgradecheck compare: Upgrade rehearsal: before (")
    assert "Verdict: BLOCKED — 1 blocker, 1 warning, 1 info" in out
    assert run(monkeypatch, capsys, "compare", before, after, "--fail-on", "none")[0] == 0


def test_fail_on_warning(monkeypatch, capsys, pair) -> None:
    before, _, warned = pair
    assert run(monkeypatch, capsys, "compare", before, warned)[0] == 0
    assert run(monkeypatch, capsys, "compare", before, warned, "--fail-on", "warning")[0] == 1


def test_format_from_the_output_file(monkeypatch, capsys, pair, tmp_path: Path) -> None:
    before, after, _ = pair
    out_file = tmp_path / "rehearsal.json"
    code, out, err = run(monkeypatch, capsys, "compare", before, after, "-o", str(out_file))
    assert code == 1 and out == ""
    assert "upgradecheck: rehearsal blocked: 1 blocker, 1 warning, 1 info" in err
    assert f"json comparison written to {out_file}" in err
    doc = json.loads(out_file.read_text())
    assert doc["schema"] == "upgradecheck.compare/v1" and doc["verdict"] == "blocked"


@pytest.mark.parametrize(("fmt", "start"), [("markdown", "### Upgrade"), ("html", "<!DOCTYPE")])
def test_formats(monkeypatch, capsys, pair, fmt: str, start: str) -> None:
    before, after, _ = pair
    _, out, _ = run(monkeypatch, capsys, "compare", before, after, "--format", fmt)
    assert out.startswith(start)


def test_fidelity(monkeypatch, capsys, pair) -> None:
    before, after, _ = pair
    code, out, _ = run(monkeypatch, capsys, "compare", before, after, "--fidelity", "-f", "json")
    doc = json.loads(out)
    assert doc["mode"] == "fidelity" and doc["before"]["label"] == "production"
    assert doc["verdict"] == "blocked" and code == 1  # 1.30 vs 1.31: another upgrade


def test_bad_input_is_one_line_and_exit_2(monkeypatch, capsys, pair, tmp_path: Path) -> None:
    before, _, _ = pair
    code, out, err = run(monkeypatch, capsys, "compare", before, str(tmp_path / "missing.json"))
    assert code == 2 and out == "" and err.startswith("upgradecheck: error: ")
    assert err.count("\n") == 1
    scan = save(tmp_path / "scan.json", Snapshot(source="manifests", collected_at="x"))
    code, _, err = run(monkeypatch, capsys, "compare", before, scan)
    assert code == 2
    assert err == (
        f"upgradecheck: error: {scan} is a manifests scan; compare needs cluster snapshots\n"
    )

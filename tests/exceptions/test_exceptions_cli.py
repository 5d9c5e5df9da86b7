"""`--config` and `.upgradecheck.yaml` on the command line: suppressed findings leave the exit
code, a broken file is one line and exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.cli_runner import run_cli as run

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "cluster-1.23.snapshot.json"
PDB = """\
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata:
  name: web
  namespace: shop
"""
ACCEPT_PDB = """\
exceptions:
  - rule: api-removed
    objects: [PodDisruptionBudget shop/web]
    reason: replaced by the platform team's chart next sprint
    expires: 2099-12-31
"""
ACCEPT_EXAMPLE = """\
schema: upgradecheck.config/v1
exceptions:
  - rule: "*"
    namespaces: [ops]
    reason: ops tooling is rebuilt after the upgrade
  - rule: release-eol
    reason: we move on to 1.26 within the month
  - rule: pod-oomkilled
    namespaces: [nowhere]
    reason: stale
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pdb.yaml").write_text(PDB)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_scan_reads_the_file_in_the_current_directory(monkeypatch, capsys, workdir: Path) -> None:
    assert run(monkeypatch, capsys, "scan", "pdb.yaml", "-t", "1.25")[0] == 1
    (workdir / ".upgradecheck.yaml").write_text(ACCEPT_PDB)
    code, out, _ = run(monkeypatch, capsys, "scan", "pdb.yaml", "-t", "1.25", "-f", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["verdict"] == "ready" and doc["summary"]["blocker"] == 0
    assert doc["summary"]["suppressed"] == 1
    [hidden] = doc["suppressed_findings"]
    assert hidden["suppressed"]["source"] == ".upgradecheck.yaml:2"


def test_an_explicit_config_wins(monkeypatch, capsys, workdir: Path) -> None:
    (workdir / ".upgradecheck.yaml").write_text("exceptions: [oops\n")  # not read
    (workdir / "team.yaml").write_text(ACCEPT_PDB)
    args = ("scan", "pdb.yaml", "-t", "1.25", "--config", "team.yaml")
    code, out, _ = run(monkeypatch, capsys, *args)
    assert code == 0 and "Suppressed (1)" in out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("exceptions: [oops\n", "upgradecheck: error: .upgradecheck.yaml:2: not valid YAML"),
        (
            "exceptions:\n- {rule: api-removd, reason: r, namespaces: [a]}\n",
            "upgradecheck: error: .upgradecheck.yaml:2: exception 1: unknown rule 'api-removd' "
            "(did you mean api-removed?",
        ),
    ],
)
def test_a_malformed_file_is_one_line_and_exit_2(
    monkeypatch, capsys, workdir: Path, text: str, expected: str
) -> None:
    (workdir / ".upgradecheck.yaml").write_text(text)
    code, out, err = run(monkeypatch, capsys, "scan", "pdb.yaml", "-t", "1.25")
    assert code == 2 and out == ""
    assert err.startswith(expected) and err.count("\n") == 1


def test_a_missing_config_is_exit_2(monkeypatch, capsys, workdir: Path) -> None:
    code, _, err = run(monkeypatch, capsys, "assess", str(EXAMPLE), "--config", "nope.yaml")
    assert code == 2
    assert err.startswith("upgradecheck: error: nope.yaml: cannot read the exceptions file")


def test_assess_the_example_with_exceptions(monkeypatch, capsys, workdir: Path) -> None:
    (workdir / "accept.yaml").write_text(ACCEPT_EXAMPLE)
    args = ("assess", str(EXAMPLE), "-t", "1.25", "-f", "json", "--config", "accept.yaml")
    code, out, _ = run(monkeypatch, capsys, *args)
    doc = json.loads(out)
    assert code == 1 and doc["verdict"] == "blocked"
    hidden = doc["suppressed_findings"]
    assert {f["rule"] for f in hidden} >= {"release-eol", "removed-feature"}
    assert all(
        f["object"] is None or f["object"]["namespace"] == "ops"
        for f in hidden
        if f["rule"] != "release-eol"
    )
    assert not any(f["object"] and f["object"]["namespace"] == "ops" for f in doc["findings"])
    assert doc["summary"]["suppressed"] == len(hidden)
    notes = [n["reason"] for n in doc["coverage"]["notes"] if n["subject"] == "accept.yaml:8"]
    assert notes == [
        "the exception for pod-oomkilled for namespaces nowhere matched no finding: "
        "fix or remove it"
    ]

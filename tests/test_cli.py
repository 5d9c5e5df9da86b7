"""The command line as users meet it: exit codes, one-line errors, formats, stdin."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support.cli_runner import run_cli as run

from upgradecheck.checks.rules import rules_markdown

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "cluster-1.23.snapshot.json"
PDB_V1BETA1 = "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\n"
HPA_V2BETA2 = (
    "apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: h\n"
)


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    (tmp_path / "pdb.yaml").write_text(PDB_V1BETA1)
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "svc.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n"
    )
    (tmp_path / "broken.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata:\n  x: [\n")
    (tmp_path / "workflow.yml").write_text("name: CI\non: push\njobs: {}\n")
    return tmp_path


def test_scan_mixed_folder_reports_and_exits_2(monkeypatch, capsys, mixed: Path) -> None:
    code, out, _ = run(
        monkeypatch, capsys, "scan", str(mixed), "--target", "1.25", "--format", "json"
    )
    assert code == 2
    doc = json.loads(out)
    assert doc["schema"] == "upgradecheck.report/v1"
    assert doc["verdict"] == "blocked" and doc["summary"]["blocker"] == 1
    [f] = doc["findings"]
    assert f["rule"] == "api-removed" and f["hop"] == "1.25"
    assert f["object"] == {
        "apiVersion": "policy/v1beta1",
        "kind": "PodDisruptionBudget",
        "namespace": None,
        "name": "web",
    }
    assert f["evidence"][0]["source"] == "file"
    assert f["evidence"][0]["location"] == f"{mixed}/pdb.yaml:1"
    assert f["replacement"] == "policy/v1" and f["removed_in"] == "1.25"
    assert any("broken.yaml:5: YAML error" in w for w in doc["coverage"]["warnings"])
    for key in ("current_version", "target_version", "hops", "message", "remediation"):
        assert key in doc or key in f


def test_exit_codes_follow_fail_on(monkeypatch, capsys, tmp_path: Path) -> None:
    (tmp_path / "pdb.yaml").write_text(PDB_V1BETA1)
    (tmp_path / "hpa.yaml").write_text(HPA_V2BETA2)
    assert run(monkeypatch, capsys, "scan", str(tmp_path / "pdb.yaml"), "-t", "1.25")[0] == 1
    assert (
        run(
            monkeypatch,
            capsys,
            "scan",
            str(tmp_path / "pdb.yaml"),
            "-t",
            "1.25",
            "--fail-on",
            "none",
        )[0]
        == 0
    )
    # a warning only: passes by default, fails with --fail-on warning
    hpa = str(tmp_path / "hpa.yaml")
    assert run(monkeypatch, capsys, "scan", hpa, "-t", "1.24")[0] == 0
    assert run(monkeypatch, capsys, "scan", hpa, "-t", "1.24", "--fail-on", "warning")[0] == 1


def test_stdin(monkeypatch, capsys) -> None:
    code, out, _ = run(
        monkeypatch,
        capsys,
        "scan",
        "-",
        "--target",
        "v1.25.3",
        "--format",
        "json",
        stdin=PDB_V1BETA1,
    )
    assert code == 1
    assert json.loads(out)["findings"][0]["evidence"][0]["location"] == "<stdin>:1"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scan", "/no/such/path", "-t", "1.30"], "no such file or folder"),
        (["assess", str(EXAMPLE), "--target", "1.x"], "'1.x' is not a Kubernetes version"),
        (["assess", str(EXAMPLE), "--target", "1.22"], "older than the current version 1.23"),
        (["assess", str(EXAMPLE), "--target", "1.99"], "newer than the newest release"),
        (["assess", "/no/such/snapshot.json"], "no such snapshot file"),
        (["kb", "apis", "--removed-by", "one"], "is not a Kubernetes version"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(monkeypatch, capsys, args, message) -> None:
    code, _, err = run(monkeypatch, capsys, *args)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("upgradecheck: error: ")
    assert message in err


def test_corrupt_snapshot(monkeypatch, capsys, tmp_path: Path) -> None:
    bad = tmp_path / "snap.json.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00garbage")
    code, _, err = run(monkeypatch, capsys, "assess", str(bad))
    assert code == 2 and "corrupt or truncated gzip" in err and "Traceback" not in err


def test_output_file_and_format_from_extension(monkeypatch, capsys, tmp_path: Path) -> None:
    out = tmp_path / "plan.html"
    code, stdout, err = run(
        monkeypatch,
        capsys,
        "assess",
        str(EXAMPLE),
        "-t",
        "1.26",
        "-o",
        str(out),
        "--fail-on",
        "none",
    )
    assert code == 0 and stdout == ""
    assert out.read_text().lstrip().lower().startswith("<!doctype html>")
    assert "blocked:" in err and "html report written to" in err
    md = tmp_path / "plan.md"
    run(monkeypatch, capsys, "assess", str(EXAMPLE), "-t", "1.26", "-o", str(md))
    assert "Verdict" in md.read_text()


def test_checklist_is_a_task_list(monkeypatch, capsys) -> None:
    code, out, _ = run(
        monkeypatch, capsys, "assess", str(EXAMPLE), "-t", "1.26", "--format", "checklist"
    )
    assert code == 1
    assert out.count("- [ ]") > 10


def test_kb_listing(monkeypatch, capsys) -> None:
    code, out, _ = run(monkeypatch, capsys, "kb", "apis", "--removed-by", "1.25", "--json")
    rows = json.loads(out)
    assert code == 0
    kinds = {(r["api_version"], r["kind"]) for r in rows}
    assert ("policy/v1beta1", "PodSecurityPolicy") in kinds
    assert all(r["removed"] != "-" for r in rows)
    code, out, _ = run(monkeypatch, capsys, "kb", "releases")
    assert code == 0 and "1.16" in out and "1.37" in out


def test_kb_addons_names_the_kind_to_move_to(monkeypatch, capsys) -> None:
    code, out, _ = run(monkeypatch, capsys, "kb", "addons", "--addon", "karpenter", "--json")
    rows = {(r["api_version"], r["kinds"]): r for r in json.loads(out)}
    assert code == 0
    assert (
        rows[("karpenter.sh/v1alpha5", "Provisioner")]["replacement"] == "karpenter.sh/v1 NodePool"
    )
    assert rows[("karpenter.sh/v1beta1", "NodeClaim,NodePool")]["replacement"] == "karpenter.sh/v1"


def test_rules_doc_is_generated_from_the_code() -> None:
    assert (REPO / "docs" / "rules.md").read_text() == rules_markdown()


def test_usage_error_exit_2(monkeypatch, capsys) -> None:
    code, _, err = run(monkeypatch, capsys, "scan", "--no-such-option")
    assert code == 2 and "No such option" in err and "Traceback" not in err


@pytest.mark.parametrize("entry", [["-m", "upgradecheck"]])
def test_real_entry_point_prints_no_traceback(entry: list[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    done = subprocess.run(
        [sys.executable, *entry, "assess", str(bad)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert done.stderr.startswith("upgradecheck: error: ") and "Traceback" not in done.stderr


def test_files_over_the_size_limit_are_reported_not_read(monkeypatch, capsys, tmp_path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text(PDB_V1BETA1 + "# " + "x" * (2 * 1024 * 1024) + "\n")
    (tmp_path / "small.yaml").write_text(PDB_V1BETA1.replace("name: web", "name: small"))
    code, out, _ = run(
        monkeypatch,
        capsys,
        "scan",
        str(tmp_path),
        "-t",
        "1.25",
        "--max-file-size",
        "1",
        "--format",
        "json",
    )
    doc = json.loads(out)
    assert code == 2
    assert [f["object"]["name"] for f in doc["findings"]] == ["small"]
    assert any("big.yaml" in w for w in doc["coverage"]["warnings"])


def test_scan_root_must_hold_every_path(monkeypatch, capsys, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    code, _, err = run(
        monkeypatch, capsys, "scan", str(tmp_path / "b"), "--root", str(tmp_path / "a")
    )
    assert code == 2
    assert err == f"upgradecheck: error: {tmp_path / 'b'} is not inside --root {tmp_path / 'a'}\n"

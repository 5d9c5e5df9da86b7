"""Where reports go: several -o files from one run, each in the format its extension names;
a wrong -o is a usage error before any work; a file is replaced only by a whole new one, and
text UTF-8 cannot hold (undecodable file names, lone surrogates) never stops a write."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from support.cli_runner import run_cli as run

from upgradecheck.cli import assess_cmd, compare_cmd, plan_cmd, scan_cmd
from upgradecheck.snapshot_io import read_snapshot

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "cluster-1.23.snapshot.json"
PDB_V1BETA1 = "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\n"

EVERY_EXTENSION = {
    "plan.html": "<!doctype html>",
    "plan.md": "Verdict",
    "rehearsal.checklist.md": "- [ ] ",
    "plan.json": '"schema": "upgradecheck.report/v1"',
    "results.sarif": '"version": "2.1.0"',
    "junit.xml": "<testsuites",
    "plan.txt": "SEVERITY",
    "reports.yaml": "kind: PolicyReport",
}


def test_one_run_writes_every_format_its_extensions_name(monkeypatch, capsys, tmp_path) -> None:
    outputs = [a for name in EVERY_EXTENSION for a in ("-o", str(tmp_path / name))]
    code, stdout, err = run(monkeypatch, capsys, "assess", str(EXAMPLE), "-t", "1.26", *outputs)
    assert code == 1 and stdout == ""
    for name, marker in EVERY_EXTENSION.items():
        assert marker.lower() in (tmp_path / name).read_text(encoding="utf-8").lower(), name
    assert err.count("blocked:") == 1
    for fmt in ("html", "markdown", "checklist", "json", "sarif", "junit", "text"):
        assert f"{fmt} report written to" in err
    assert f"PolicyReports written to {tmp_path / 'reports.yaml'}" in err
    assert "policyreport report" not in err
    sarif = json.loads((tmp_path / "results.sarif").read_text())
    report = json.loads((tmp_path / "plan.json").read_text())
    assert len(sarif["runs"][0]["results"]) == len(report["findings"])


def test_quiet_writes_the_files_and_says_nothing(monkeypatch, capsys, tmp_path) -> None:
    out = tmp_path / "plan.json"
    code, _, err = run(
        monkeypatch, capsys, "assess", str(EXAMPLE), "-t", "1.26", "-o", str(out), "-q"
    )
    assert code == 1 and err == "" and out.stat().st_size > 0


def refuse_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every job fail loudly: a usage error must be found before any of them starts."""

    def job(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the job ran before the outputs were checked")

    for module, name in (
        (scan_cmd, "report_for_manifests"),
        (assess_cmd, "report_for_snapshot"),
        (plan_cmd, "report_for_cluster"),
        (compare_cmd, "comparison_for_files"),
    ):
        monkeypatch.setattr(module, name, job)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scan", "x.yaml", "-o", "{tmp}/plan.pdf"], "plan.pdf: the extension names no format"),
        (["assess", "s.json", "-o", "{tmp}/plan"], "plan: the extension names no format"),
        (["plan", "-o", "{tmp}/plan.pdf"], "use one of .html .htm .checklist.md .md"),
        (["plan", "-o", "{tmp}/plan.toml"], "plan.toml: the extension names no format"),
        (
            ["scan", "x.yaml", "-f", "json", "-o", "{tmp}/a.json", "-o", "{tmp}/b.md"],
            "with several -o, each file's extension names its format",
        ),
        (["scan", "x.yaml", "-o", "{tmp}/no/such/plan.html"], "no such folder"),
        (["scan", "x.yaml", "-o", "{tmp}/a.md", "-o", "{tmp}/./a.md"], "a.md is named twice"),
        (
            ["compare", "a.json", "b.json", "-o", "{tmp}/c.sarif"],
            "a comparison is not written as sarif (only text, markdown, html, json)",
        ),
        (["plan", "--snapshot-out", "{tmp}/none/s.json.gz"], "no such folder"),
        (["collect", "-o", "{tmp}/none/s.json.gz"], "no such folder"),
    ],
)
def test_a_wrong_output_is_a_usage_error_before_any_work(
    monkeypatch, capsys, tmp_path, args: list[str], message: str
) -> None:
    refuse_work(monkeypatch)
    monkeypatch.setattr("upgradecheck.cli.collect_cmd.collect_snapshot", refuse_work)
    code, stdout, err = run(monkeypatch, capsys, *(a.format(tmp=tmp_path) for a in args))
    assert code == 2, err
    assert message in err and "Traceback" not in err
    assert stdout == "" and not list(tmp_path.iterdir())


def test_an_unknown_format_is_one_line_naming_the_choices(monkeypatch, capsys) -> None:
    code, _, err = run(monkeypatch, capsys, "scan", "x.yaml", "--format", "pdf")
    assert code == 2
    line = next(x for x in err.splitlines() if "pdf" in x)
    assert line.endswith(
        "'pdf' is not one of html, markdown, checklist, json, text, sarif, junit, policyreport"
    )
    assert "Value error" not in err


def test_format_names_the_format_of_a_single_output(monkeypatch, capsys, tmp_path) -> None:
    out = tmp_path / "report.out"
    code, _, _ = run(
        monkeypatch, capsys, "assess", str(EXAMPLE), "-t", "1.26", "-f", "json", "-o", str(out)
    )
    assert code == 1 and json.loads(out.read_text())["target_version"] == "1.26"


@pytest.fixture
def odd_names(tmp_path: Path) -> Path:
    """A folder with a file whose name is not UTF-8, and an object named by a lone surrogate
    escape in JSON."""
    folder = tmp_path / "manifests"
    folder.mkdir()
    (folder / os.fsdecode(b"bad-\xff\xfe.yaml")).write_text(PDB_V1BETA1)
    (folder / "lone.json").write_text(
        '{"apiVersion": "policy/v1beta1", "kind": "PodDisruptionBudget",'
        ' "metadata": {"name": "x-\\ud800-y", "namespace": "shop"}}'
    )
    return folder


def test_text_utf8_cannot_hold_never_stops_a_write(
    monkeypatch, capsys, tmp_path, odd_names: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name in EVERY_EXTENSION:
        (out / name).write_text("the previous report\n")
    outputs = [a for name in EVERY_EXTENSION for a in ("-o", str(out / name))]
    monkeypatch.chdir(tmp_path)
    code, _, err = run(monkeypatch, capsys, "scan", "manifests", "-t", "1.25", *outputs)
    assert code == 1, err
    for name in EVERY_EXTENSION:
        data = (out / name).read_bytes()
        assert b"the previous report" not in data and len(data) > 100, name
        data.decode("utf-8")  # every file is valid UTF-8
    report = json.loads((out / "plan.json").read_text())
    names = {f["object"]["name"] for f in report["findings"]}
    assert "x-\ud800-y" in names  # the escape reads back as the same character
    locations = {e["location"] for f in report["findings"] for e in f["evidence"]}
    assert any("bad-\udcff\udcfe.yaml" in loc for loc in locations)
    sarif = json.loads((out / "results.sarif").read_text())
    uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif["runs"][0]["results"]
        for loc in r["locations"]
    }
    assert "manifests/bad-%FF%FE.yaml" in uris  # the file's own bytes, percent-encoded
    assert "\\udcff" in (out / "plan.md").read_text()
    assert sorted(p.name for p in out.iterdir()) == sorted(EVERY_EXTENSION)  # no leftovers


def test_text_utf8_cannot_hold_never_stops_standard_output(
    monkeypatch, capsys, odd_names: Path
) -> None:
    for fmt in ("text", "json", "markdown", "sarif", "junit"):
        code, stdout, _ = run(monkeypatch, capsys, "scan", str(odd_names), "-t", "1.25", "-f", fmt)
        assert code == 1 and "\\udcff" in stdout, fmt


def test_a_failed_write_keeps_the_previous_reports(monkeypatch, capsys, tmp_path) -> None:
    html, sarif = tmp_path / "plan.html", tmp_path / "results.sarif"
    html.write_text("previous html\n")
    sarif.write_text("previous sarif\n")

    def disk_full(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("upgradecheck.safewrite.os.replace", disk_full)
    code, _, err = run(
        monkeypatch, capsys, "assess", str(EXAMPLE), "-t", "1.26", "-o", str(html), "-o", str(sarif)
    )
    assert code == 2 and "No space left on device" in err
    assert html.read_text() == "previous html\n" and sarif.read_text() == "previous sarif\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.html", "results.sarif"]


def test_a_failed_render_writes_no_file(monkeypatch, capsys, tmp_path) -> None:
    from upgradecheck.render.interface import RenderError
    from upgradecheck.render.sarif import SarifRenderer

    def broken(self: Any, report: Any) -> str:
        raise RenderError("template broken")

    monkeypatch.setattr(SarifRenderer, "render", broken)
    html = tmp_path / "plan.html"
    html.write_text("previous html\n")
    code, _, err = run(
        monkeypatch, capsys, "assess", str(EXAMPLE), "-t", "1.26",
        "-o", str(html), "-o", str(tmp_path / "r.sarif"),
    )  # fmt: skip
    assert code == 2 and "template broken" in err
    assert html.read_text() == "previous html\n"
    assert not (tmp_path / "r.sarif").exists()


def test_plan_keeps_the_snapshot_of_its_one_collection(
    fakeapi: Any, monkeypatch, capsys, tmp_path
) -> None:
    api = fakeapi("v1.21")
    kubeconfig = str(api.kubeconfig_path)
    plain = tmp_path / "collected.json.gz"
    code, _, _ = run(monkeypatch, capsys, "collect", "--kubeconfig", kubeconfig, "-o", str(plain))
    assert code == 0
    collect_paths = sorted(api.paths())
    api.clear_requests()

    kept = tmp_path / "kept.json.gz"
    report = tmp_path / "plan.json"
    code, _, err = run(
        monkeypatch, capsys, "plan", "--kubeconfig", kubeconfig, "-t", "1.25",
        "-o", str(report), "--snapshot-out", str(kept),
    )  # fmt: skip
    assert code == 1
    assert sorted(api.paths()) == collect_paths  # one collection, not two
    assert f"snapshot written to {kept}" in err
    snapshot = read_snapshot(kept)
    assert len(snapshot.objects) == len(read_snapshot(plain).objects)
    api.stop()
    code, again, _ = run(monkeypatch, capsys, "assess", str(kept), "-t", "1.25", "-f", "json")
    planned = json.loads(report.read_text())
    assessed = json.loads(again)
    assert [f["rule"] for f in assessed["findings"]] == [f["rule"] for f in planned["findings"]]

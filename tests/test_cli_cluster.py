"""`plan` and `collect` against the fake API server, as a user runs them."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path
from typing import Any

from support.cli_runner import Terminal
from support.cli_runner import run_cli as run

SENTINEL = "SENTINEL-SECRET-VALUE-4242"


def test_plan_writes_the_html_plan(fakeapi: Any, monkeypatch, capsys, tmp_path: Path) -> None:
    api = fakeapi("v1.21")
    out = tmp_path / "plan.html"
    code, _, err = run(
        monkeypatch,
        capsys,
        "plan",
        "--kubeconfig",
        str(api.kubeconfig_path),
        "--target",
        "1.25",
        "-o",
        str(out),
    )
    assert code == 1  # blockers
    html = out.read_text()
    assert "BLOCKED" in html.upper() and "policy/v1beta1" in html
    assert "manager " in html and "release " in html  # evidence shown
    assert SENTINEL not in html
    assert "blocked:" in err
    assert api.methods() == {"GET"}


def test_plan_defaults_to_the_next_minor(fakeapi: Any, monkeypatch, capsys) -> None:
    api = fakeapi("v1.31")
    code, out, _ = run(
        monkeypatch,
        capsys,
        "plan",
        "--kubeconfig",
        str(api.kubeconfig_path),
        "--format",
        "json",
        "--fail-on",
        "none",
        "-q",
    )
    doc = json.loads(out)
    assert code == 0 and doc["current_version"] == "1.31" and doc["target_version"] == "1.32"


def test_collect_then_assess_elsewhere(fakeapi: Any, monkeypatch, capsys, tmp_path) -> None:
    api = fakeapi("v1.21")
    snap = tmp_path / "snap.json.gz"
    code, _, err = run(
        monkeypatch,
        capsys,
        "collect",
        "--kubeconfig",
        str(api.kubeconfig_path),
        "-o",
        str(snap),
        "--concurrency",
        "2",
    )
    assert code == 0 and "objects" in err and snap.stat().st_size > 0
    api.stop()  # no cluster needed from here on
    code, out, _ = run(
        monkeypatch, capsys, "assess", str(snap), "--target", "1.25", "--format", "json"
    )
    doc = json.loads(out)
    assert code == 1 and doc["summary"]["blocker"] > 0
    assert SENTINEL not in snap.read_bytes().decode("latin-1")


def test_unreachable_cluster_exits_3(fakeapi: Any, monkeypatch, capsys) -> None:
    api = fakeapi("v1.21")
    kubeconfig = str(api.kubeconfig_path)
    api.stop()
    code, _, err = run(
        monkeypatch, capsys, "plan", "--kubeconfig", kubeconfig, "-q", "--request-timeout", "2"
    )
    assert code == 3 and err.startswith("upgradecheck: error: cannot reach the API server")
    assert err.count("\n") == 1


def test_rejected_credentials_exit_3(fakeapi: Any, monkeypatch, capsys) -> None:
    api = fakeapi("v1.21")
    api.faults.unauthorized()
    code, _, err = run(
        monkeypatch,
        capsys,
        "collect",
        "--kubeconfig",
        str(api.kubeconfig_path),
        "-o",
        "/dev/null",
        "-q",
    )
    assert code == 3 and "rejected the credentials" in err


def test_missing_kubeconfig_exits_2(monkeypatch, capsys, tmp_path: Path) -> None:
    code, _, err = run(monkeypatch, capsys, "plan", "--kubeconfig", str(tmp_path / "nope"))
    assert code == 2 and "kubeconfig" in err


def test_progress_on_a_terminal_and_quiet_otherwise(fakeapi: Any, monkeypatch, tmp_path) -> None:
    from upgradecheck.cli.collect_opts import end_progress, progress_printer
    from upgradecheck.collect.cluster.collector import CollectOptions, collect_cluster
    from upgradecheck.knowledge import load_knowledge_base

    api = fakeapi("v1.21")
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert progress_printer(quiet=True) is None
    printer = progress_printer(quiet=False)
    assert printer is not None
    collect_cluster(
        CollectOptions(kubeconfig=str(api.kubeconfig_path), probe_clients=False),
        load_knowledge_base(),
        printer,
    )
    end_progress(printer)
    assert "collecting: " in terminal.text and " objects (" in terminal.text
    assert terminal.text.endswith("\r\x1b[K")  # the line is cleared at the end
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # not a terminal: no display
    assert progress_printer(quiet=False) is None


def test_collect_and_plan_count_coverage_gaps_alike(
    fakeapi: Any, monkeypatch, capsys, tmp_path: Path
) -> None:
    # One list refused: both say "1 coverage gap" (singular); collect's notes, which hide
    # nothing, are counted apart instead of inflating the gaps.
    api = fakeapi("v1.21")
    api.faults.forbid("/apis/policy/v1/poddisruptionbudgets")
    kubeconfig = str(api.kubeconfig_path)
    snap = tmp_path / "snap.json.gz"
    code, _, collected = run(
        monkeypatch, capsys, "collect", "--kubeconfig", kubeconfig, "-o", str(snap)
    )
    assert code == 0
    code, _, planned = run(
        monkeypatch, capsys, "plan", "--kubeconfig", kubeconfig, "--target", "1.22",
        "-o", str(tmp_path / "plan.json"),
    )
    assert code == 1
    for err in (collected, planned):
        assert "1 coverage gap" in err and "1 coverage gaps" not in err, err
    assert re.search(r"1 coverage gap and \d+ notes?;", collected), collected
    code, _, assessed = run(
        monkeypatch, capsys, "assess", str(snap), "--target", "1.22",
        "-o", str(tmp_path / "assessed.json"),
    )
    assert "1 coverage gap" in assessed and "1 coverage gaps" not in assessed

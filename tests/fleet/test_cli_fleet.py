"""`upgradecheck fleet` as a user runs it: two fake clusters (the EKS 1.21 and the kubeadm 1.31
fixtures, each its own fake API server) and a dead context in one kubeconfig, and folders of
snapshot files. Exact output is pinned in golden/ (UPDATE_GOLDEN=1 rewrites it when the checks
or the fixtures change what the clusters raise)."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fakeapi.kubeconfig import kubeconfig_dict
from support.cli_runner import run_cli
from support.goldens import golden_checker

from upgradecheck.collect.cluster.collector import CollectOptions
from upgradecheck.fleet.runner import FleetOptions, judge_fleet
from upgradecheck.fleet.sources import context_entries, context_names
from upgradecheck.render import FLEET_FORMATS, OutputFormat

golden = golden_checker(Path(__file__).parent / "golden")
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cluster-1.23.snapshot.json"
NOW = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def dead_port() -> Iterator[int]:
    """A port bound but not listening: connecting is refused at once, and no other process
    can take the port while the test runs."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    yield sock.getsockname()[1]
    sock.close()


@pytest.fixture
def fleet_kubeconfig(fakeapi: Any, dead_port: int, tmp_path: Path, monkeypatch) -> Path:
    """One kubeconfig: contexts eks-121 and kubeadm-131 (two fake API servers) and dead."""
    eks, kubeadm = fakeapi("v1.21"), fakeapi("v1.31")
    parts = [
        kubeconfig_dict(server=api.url, ca_pem=api.ca_pem, token=api.token, context=name,
                        cluster_name=f"{name}-cluster", user_name=f"{name}-user")
        for name, api in (("eks-121", eks), ("kubeadm-131", kubeadm))
    ]
    parts.append(kubeconfig_dict(server=f"https://127.0.0.1:{dead_port}", ca_pem=eks.ca_pem,
                                 token="t", context="dead", cluster_name="dead-cluster",
                                 user_name="dead-user"))
    doc = {**parts[0], "current-context": "eks-121"}
    for key in ("clusters", "users", "contexts"):
        doc[key] = [item for part in parts for item in part[key]]
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(doc))
    # No local kubectl or helm: what they would add depends on the machine.
    empty = tmp_path / "no-clients"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    return path


def normalised(text: str) -> str:
    """Output with what changes from run to run (ports, times, the data's digest) fixed."""
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", text)
    text = re.sub(r"port=\d+", "port=PORT", text)
    text = re.sub(r'"generated_at": "[^"]+"', '"generated_at": "GENERATED"', text)
    return re.sub(r'"knowledge_version": "[^"]+"', '"knowledge_version": "KB"', text)


def test_two_clusters_and_a_dead_context(fleet_kubeconfig: Path, monkeypatch, capsys) -> None:
    code, out, err = run_cli(
        monkeypatch, capsys, "fleet", "--kubeconfig", str(fleet_kubeconfig), "--all-contexts",
        "--format", "json",
    )
    assert code == 1  # the reached clusters have blockers: that wins over the dead one
    doc = json.loads(out)
    rows = {c["name"]: c for c in doc["clusters"]}
    assert list(rows) == ["eks-121", "kubeadm-131", "dead"]
    eks, kubeadm, dead = rows["eks-121"], rows["kubeadm-131"], rows["dead"]
    assert (eks["current_version"], eks["target_version"], eks["verdict"]) == (
        "1.21", "1.22", "blocked"
    )
    assert eks["cluster"]["platform"] == "eks"
    assert (kubeadm["current_version"], kubeadm["target_version"]) == ("1.31", "1.32")
    assert dead["status"] == "unreachable" and dead["verdict"] is None
    assert "cannot reach the API server" in dead["reason"]
    assert doc["clusters_summary"]["unreachable"] == 1
    assert doc["summary"]["blocker"] == eks["summary"]["blocker"] + kubeadm["summary"]["blocker"]
    shared = [g for g in doc["groups"] if len(g["clusters"]) == 2]
    assert any(g["rule"] == "pdb-blocks-drain" for g in shared)
    # One line per cluster on stderr as each finishes, never mixed with another.
    lines = err.splitlines()
    assert len(lines) == 3
    assert all(re.fullmatch(r"upgradecheck: \[[123]/3\] (eks-121|kubeadm-131|dead): .+", line)
               for line in lines), lines
    golden("two-clusters-and-a-dead-context.json", normalised(out))


def test_the_same_fleet_as_html_and_markdown(fleet_kubeconfig: Path) -> None:
    options = FleetOptions(collect=CollectOptions(kubeconfig=str(fleet_kubeconfig)))
    entries = context_entries(context_names(str(fleet_kubeconfig)))
    fleet = judge_fleet(entries, options, now=NOW)
    html = FLEET_FORMATS.renderer(OutputFormat.HTML).render(fleet)
    markdown = FLEET_FORMATS.renderer(OutputFormat.MARKDOWN).render(fleet)
    assert "eks-121" in html and "unreachable" in html and "kubeadm-131" in markdown
    golden("two-clusters-and-a-dead-context.html", normalised(html))
    golden("two-clusters-and-a-dead-context.md", normalised(markdown))


EXIT_CODES = [
    # Findings below --fail-on: the dead context decides.
    (["--context", "kubeadm-131", "--context", "dead", "--fail-on", "none"], 3),
    (["--context", "kubeadm-131", "--fail-on", "none"], 0),
    (["--context", "kubeadm-131", "--context", "dead"], 1),
    (["--context", "kubeadm-131", "--context", "no-such-context", "--fail-on", "none"], 2),
]


def test_exit_codes(fleet_kubeconfig: Path, monkeypatch, capsys) -> None:
    for args, code in EXIT_CODES:  # one pair of servers for every case: they take a while
        got, _, err = run_cli(
            monkeypatch, capsys, "fleet", "--kubeconfig", str(fleet_kubeconfig), "-q", *args,
            "-f", "json",
        )
        assert got == code, (args, err)
        assert err == ""  # quiet: nothing on stderr when writing to stdout


def test_a_bad_option_stops_before_any_cluster_is_reached(
    fakeapi: Any, monkeypatch, capsys
) -> None:
    api = fakeapi("v1.31")
    code, _, err = run_cli(
        monkeypatch, capsys, "fleet", "--kubeconfig", str(api.kubeconfig_path),
        "--context", "fake", "--target", "1.99",
    )
    assert code == 2 and "newer than the newest release" in err
    assert api.requests == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "name the clusters"),
        (["--context", "a", "--all-contexts"], "not both"),
    ],
)
def test_usage_errors(monkeypatch, capsys, args, message) -> None:
    code, _, err = run_cli(monkeypatch, capsys, "fleet", *args)
    assert code == 2 and message in err


def test_snapshot_folders_with_a_malformed_one(tmp_path: Path, monkeypatch, capsys) -> None:
    kept = tmp_path / "kept"
    (kept / "eu").mkdir(parents=True)
    shutil.copy(EXAMPLE, kept / "eu" / "prod-eu.snapshot.json")
    shutil.copy(EXAMPLE, kept / "prod-us.snapshot.json")
    (kept / "staging.snapshot.json.gz").write_bytes(b"\x1f\x8b\x08\x00truncated")
    (kept / "README.txt").write_text("not a snapshot, not read")
    out = tmp_path / "fleet.md"
    code, _, err = run_cli(
        monkeypatch, capsys, "fleet", str(kept), "--target", "1.25", "-o", str(out)
    )
    assert code == 2  # a snapshot that cannot be read is bad input, as in scan
    text = out.read_text()
    assert text.count("**blocked**") == 2 and "**failed**" in text
    assert "corrupt or truncated gzip data" in text
    assert f"{kept}/staging.snapshot.json.gz: failed" in err
    assert "fleet blocked: 2 blocked, 0 review, 0 ready, 1 failed" in err
    assert "markdown fleet written to" in err


def test_ctrl_c_ends_the_run_at_once_with_130(fakeapi: Any, tmp_path: Path) -> None:
    first, second = fakeapi("v1.31", context="one"), fakeapi("v1.21", context="two")
    for api in (first, second):
        api.faults.delay("/apis/*", 20)  # a queue of slow lists on every cluster
    doc = yaml.safe_load(first.kubeconfig_path.read_text())
    other = yaml.safe_load(second.kubeconfig_path.read_text())
    for key in ("clusters", "users", "contexts"):
        doc[key] += other[key]
    kubeconfig = tmp_path / "both"
    kubeconfig.write_text(yaml.safe_dump(doc))
    out = tmp_path / "fleet.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "upgradecheck", "fleet", "--kubeconfig", str(kubeconfig),
         "--all-contexts", "-q", "-o", str(out)],
        stderr=subprocess.PIPE, text=True,
    )
    try:
        end = time.monotonic() + 30
        while not all(any(r.path.startswith("/apis/") for r in api.requests)
                      for api in (first, second)):
            assert time.monotonic() < end, "fleet never started listing"
            time.sleep(0.05)
        start = time.monotonic()
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=15)
    finally:
        proc.kill()
    # Not the 20 s of each list in flight, nor the queue of lists behind them.
    assert time.monotonic() - start < 5.0
    assert proc.returncode == 130
    assert proc.stderr is not None and proc.stderr.read().strip() == "upgradecheck: interrupted"
    assert not out.exists()

"""`assess --target <current>`: no upgrade, a health check of the cluster as it is. What is
already outside the skew policy (a kubelet 1.21 under a 1.24 control plane, a kubectl far
from the server, a helm that does not support it) is reported today, with no hop."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support.cli_runner import run_cli as run

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "cluster-1.23.snapshot.json"


@pytest.fixture
def cluster_124(tmp_path: Path) -> Path:
    """The example cluster with its control plane at 1.24: its legacy pool (kubelet 1.21)
    and its kubectl (made 1.18 here) and helm 3.8 are outside the policy already."""
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    doc["cluster"]["server_version"] = "v1.24.17-eks-0a21954"
    for client in doc["clients"]:
        if client["name"] == "kubectl":
            client["version"] = "v1.18.20"
    path = tmp_path / "cluster-1.24.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def by_rule(doc: dict[str, object], rule: str) -> list[dict[str, object]]:
    findings = doc["findings"]
    assert isinstance(findings, list)
    return [f for f in findings if f["rule"] == rule]


def test_assess_at_the_current_version_reports_what_is_wrong_today(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cluster_124: Path
) -> None:
    code, out, _ = run(
        monkeypatch, capsys, "assess", str(cluster_124), "--target", "1.24", "--format", "json"
    )
    assert code == 1
    doc = json.loads(out)
    assert (doc["current_version"], doc["target_version"], doc["hops"]) == ("1.24", "1.24", [])
    [kubelet] = by_rule(doc, "kubelet-skew")
    assert kubelet["hop"] is None and kubelet["severity"] == "blocker"
    assert "kubelet 1.21 under a control plane at 1.24" in kubelet["message"]
    assert "already outside the version skew policy" in kubelet["message"]
    [kubectl] = by_rule(doc, "kubectl-skew")
    assert kubectl["hop"] is None and "already, for the API server at 1.24 now" in (
        kubectl["message"]
    )
    [helm] = by_rule(doc, "helm-client-skew")
    assert helm["hop"] is None and "not the cluster's 1.24: already" in helm["message"]
    # dockershim on the legacy pool broke at 1.24: already broken, not "breaks at a hop"
    docker = [f for f in by_rule(doc, "removed-feature") if "[dockershim]" in f["message"]]
    assert docker and all(f["hop"] is None for f in docker)
    assert "Already broken" in docker[0]["message"]
    [eol] = by_rule(doc, "release-eol")
    assert eol["subject"] == "Kubernetes 1.24 (current)" and eol["severity"] == "warning"


def test_the_same_problems_in_an_upgrade_are_reported_now_not_at_the_first_hop(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cluster_124: Path
) -> None:
    code, out, _ = run(
        monkeypatch, capsys, "assess", str(cluster_124), "--target", "1.25", "--format", "json"
    )
    assert code == 1
    doc = json.loads(out)
    batch, legacy = sorted(by_rule(doc, "kubelet-skew"), key=lambda f: str(f["hop"]))
    assert "kubelet 1.21" in legacy["message"] and legacy["hop"] is None
    assert "before the control plane moves to 1.25" in legacy["remediation"]
    # the batch pool (kubelet 1.22) is within the policy today and falls out at the hop
    assert "kubelet 1.22" in batch["message"] and batch["hop"] == "1.25"


def test_every_format_says_it_is_a_health_check(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cluster_124: Path,
    tmp_path: Path,
) -> None:
    html = tmp_path / "health.html"
    code, _, err = run(
        monkeypatch, capsys, "assess", str(cluster_124), "--target", "1.24", "-o", str(html)
    )
    assert code == 1
    assert "(health check of 1.24, no upgrade)" in err and "→" not in err
    page = html.read_text(encoding="utf-8")
    assert "<title>Health check of Kubernetes 1.24: blocked</title>" in page
    assert "wrong already at 1.24" in page and "<h2>What to fix</h2>" in page
    _, text, _ = run(monkeypatch, capsys, "assess", str(cluster_124), "--target", "1.24")
    assert text.startswith("upgradecheck: Kubernetes 1.24, no upgrade\n")
    _, checklist, _ = run(
        monkeypatch, capsys, "assess", str(cluster_124), "--target", "1.24",
        "--format", "checklist",
    )
    assert checklist.startswith("# Health check of Kubernetes 1.24: checklist\n")
    # no upgrade to prepare: no backups, no hops, only what to fix
    assert "Before you start" not in checklist and "Hop 1" not in checklist
    assert re.search(r"^## \d\. Fix blockers$", checklist, re.M)

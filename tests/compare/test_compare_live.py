"""compare on snapshots collected from the fake API server: production at 1.31 against a test
cluster still at 1.21 (and the 1.21 cluster "upgraded" into the 1.31 one)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from upgradecheck.collect.cluster.collector import CollectOptions, collect_cluster
from upgradecheck.compare import CompareMode, compare_snapshots
from upgradecheck.knowledge import load_knowledge_base
from upgradecheck.model import Severity, Snapshot, Verdict
from upgradecheck.render import COMPARISON_FORMATS
from upgradecheck.run import comparison_for_files
from upgradecheck.snapshot_io import write_snapshot


@pytest.fixture
def snapshots(fakeapi: Any, tmp_path: Path) -> dict[str, Path]:
    """v1.21 and v1.31 collected into files."""
    kb = load_knowledge_base()
    files = {}
    for version in ("v1.21", "v1.31"):
        api = fakeapi(version)
        options = CollectOptions(kubeconfig=str(api.kubeconfig_path), probe_clients=False)
        snapshot: Snapshot = collect_cluster(options, kb)
        files[version] = tmp_path / f"{version}.json.gz"
        write_snapshot(snapshot, files[version])
    return files


def test_fidelity_of_a_121_test_cluster_for_131_production(snapshots: dict[str, Path]) -> None:
    comparison = comparison_for_files(snapshots["v1.31"], snapshots["v1.21"], fidelity=True)
    assert comparison.mode is CompareMode.FIDELITY and comparison.verdict is Verdict.BLOCKED
    found = {(d.check, d.severity, d.subject) for d in comparison.differences}
    assert ("server-version", Severity.BLOCKER, "API server") in found
    assert ("platform", Severity.WARNING, "platform") in found  # kubeadm vs EKS
    assert ("api-version", Severity.WARNING, "API flowcontrol.apiserver.k8s.io/v1") in found
    assert ("helm-chart", Severity.WARNING, "ledger") in found
    assert ("kubelet-minor", Severity.WARNING, "kubelet 1.31") in found
    assert ("container-runtime", Severity.WARNING, "runtime containerd://1.7") in found
    test_only = {d.check: d.message for d in comparison.differences if d.severity is Severity.INFO}
    assert "docker://20.10" in test_only["container-runtime"]
    assert "eniconfigs.crd.k8s.amazonaws.com" in test_only["crd"]
    for fmt in COMPARISON_FORMATS.choices:
        assert COMPARISON_FORMATS.renderer(fmt).render(comparison).endswith("\n")


def test_rehearsal_across_the_two_fixture_clusters(snapshots: dict[str, Path]) -> None:
    comparison = comparison_for_files(snapshots["v1.21"], snapshots["v1.31"])
    server = next(d for d in comparison.differences if d.check == "server-version")
    assert (server.before, server.after) == ("v1.21.14-eks-18ef993", "v1.31.4")
    gone = {d.subject for d in comparison.differences if d.check == "object-disappeared"}
    assert "PodSecurityPolicy eks.privileged" in gone
    assert any("two different clusters" in n.reason for n in comparison.notes)


def test_a_snapshot_compared_with_itself_has_no_breakage(snapshots: dict[str, Path]) -> None:
    from upgradecheck.snapshot_io import read_snapshot

    snapshot = read_snapshot(snapshots["v1.31"])
    comparison = compare_snapshots(snapshot, snapshot)
    assert [d.check for d in comparison.differences] == ["server-version"]
    assert comparison.count(Severity.BLOCKER) == 0

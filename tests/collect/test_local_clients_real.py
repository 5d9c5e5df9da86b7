"""kubectl-skew and helm-client-skew with real kubectl and helm binaries of several versions,
found on PATH and given with --kubectl/--helm, read by running them."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from support.clients import helm_binary, kubectl_binaries

from upgradecheck.assess import assess
from upgradecheck.collect.local_clients import find_clients
from upgradecheck.knowledge import load_knowledge_base
from upgradecheck.model import ClusterInfo, Snapshot


def _on_path(tmp_path: Path, name: str, target: Path) -> str:
    folder = tmp_path / f"bin-{name}"
    folder.mkdir()
    shutil.copy(target, folder / name)
    os.chmod(folder / name, 0o755)
    return str(folder)


def test_versions_are_read_from_the_real_binaries(tmp_path: Path) -> None:
    kubectls = kubectl_binaries()
    first = sorted(kubectls)[0]
    path_dir = _on_path(tmp_path, "kubectl", kubectls[first])
    helm_dir = _on_path(tmp_path, "helm", helm_binary(3))
    others = [str(p) for minor, p in sorted(kubectls.items()) if minor != first]
    clients = find_clients(
        kubectl=others,
        helm=[str(helm_binary(4))],
        search_path=os.pathsep.join([path_dir, helm_dir]),
    )
    by_path = {c.path: c for c in clients}
    assert by_path[str(Path(path_dir) / "kubectl")].version.startswith(f"v{first}.")
    for minor, path in kubectls.items():
        if minor != first:
            assert by_path[str(path)].version.startswith(f"v{minor}.")
    assert by_path[str(Path(helm_dir) / "helm")].version.startswith("v3.17")
    assert by_path[str(helm_binary(4))].version.startswith("v4.1")


def test_kubectl_and_helm_skew_against_each_hop(tmp_path: Path) -> None:
    kubectls = kubectl_binaries()
    clients = find_clients(
        kubectl=[str(p) for p in kubectls.values()],
        helm=[str(helm_binary(3)), str(helm_binary(4))],
        search_path="",
    )
    assert all(c.version for c in clients), [c.error for c in clients]
    snap = Snapshot(
        source="cluster",
        collected_at="2026-11-20T00:00:00Z",
        cluster=ClusterInfo("v1.32.3"),
        clients=clients,
    )
    report = assess(snap, load_knowledge_base(), target="1.34")
    skewed = {f.evidence[0].location for f in report.findings if f.rule == "kubectl-skew"}
    # kubectl supports its own minor ± 1: 1.30 misses the 1.32 server already (and 1.33,
    # 1.34), 1.32 misses 1.34; 1.33 covers 1.32 … 1.34.
    expected = {str(p) for minor, p in kubectls.items() if minor in ("1.30", "1.32")}
    assert skewed == expected
    [kubectl_130] = [
        f
        for f in report.findings
        if f.rule == "kubectl-skew" and f.evidence[0].location == str(kubectls["1.30"])
    ]
    assert kubectl_130.hop is None  # wrong today: the server is at 1.32 already
    assert "at 1.32 now (and at the hops to 1.33, 1.34)" in kubectl_130.message
    helm = {f.evidence[0].location: f for f in report.findings if f.rule == "helm-client-skew"}
    # Helm 3.17 supports Kubernetes 1.29 to 1.32, so it falls out at 1.33; Helm 4.1 covers 1.34.
    assert str(helm_binary(3)) in helm and str(helm_binary(4)) not in helm
    assert helm[str(helm_binary(3))].hop == "1.33"

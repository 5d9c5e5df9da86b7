"""Real helm 3.17 and 4.1 judge chart kubeVersions as the shared table says, and as our
evaluator does: `helm upgrade --install --dry-run=server` against the fake API server, whose
/version carries the table's server version (the path a real `helm upgrade` takes). Skipped,
with the reason, when the binaries cannot be had."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fakeapi import FakeApiServer
from fakeapi.fixtures import build_cluster
from support.cli_runner import run_cli
from support.clients import helm_binary
from support.kube_version_cases import CASES, EKS, ISSUE_TABLE

from upgradecheck.model import ClusterInfo, HelmRelease, Snapshot
from upgradecheck.semver_range import parse_constraint, parse_version, rule_for_helm
from upgradecheck.snapshot_io import write_snapshot

REFUSED = "chart requires kubeVersion"
Results = dict[tuple[int, str, str], bool]


def _chart(folder: Path, constraint: str) -> Path:
    (folder / "templates").mkdir(parents=True)
    (folder / "Chart.yaml").write_text(
        f'apiVersion: v2\nname: judged\nversion: 0.1.0\nkubeVersion: "{constraint}"\n'
    )
    return folder


def _accepts(helm: Path, chart: Path, home: Path, *args: str, kubeconfig: Path | None) -> bool:
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", "")}
    if kubeconfig is not None:
        env["KUBECONFIG"] = str(kubeconfig)
    done = subprocess.run(
        [str(helm), *args, str(chart)], capture_output=True, text=True, env=env, timeout=120
    )
    if REFUSED in done.stderr:
        return False
    assert done.returncode == 0, done.stderr  # anything else is a broken test setup
    return True


def _server(version: str) -> FakeApiServer:
    spec = {"version": {"major": "1", "minor": "25+", "gitVersion": version},
            "apis": {"v1": ["configmaps", "secrets"]}}  # fmt: skip
    return FakeApiServer(build_cluster(spec, [], name=version)).start()


@pytest.fixture(scope="module")
def helms() -> dict[int, Path]:
    return {3: helm_binary(3), 4: helm_binary(4)}


@pytest.fixture(scope="module")
def upgrade_results(
    helms: dict[int, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Results]:
    """Every case judged by both helms, concurrently (each run is a short wait on the
    server)."""
    root = tmp_path_factory.mktemp("kubeversion")
    servers = {v: _server(v) for v in dict.fromkeys(v for _, v, _, _ in CASES)}
    try:
        configs = {v: s.write_kubeconfig(root / f"kubeconfig-{i}") for i, (v, s) in
                   enumerate(servers.items())}  # fmt: skip
        jobs = {}
        with ThreadPoolExecutor(max_workers=4) as pool:
            for i, (constraint, version, _, _) in enumerate(CASES):
                chart = _chart(root / f"chart-{i}", constraint)
                for major, helm in helms.items():
                    args = ("upgrade", "--install", "judged", "--dry-run=server", "-n", "default")
                    jobs[(major, constraint, version)] = pool.submit(
                        _accepts, helm, chart, root, *args, kubeconfig=configs[version]
                    )
        yield {key: job.result() for key, job in jobs.items()}
    finally:
        for server in servers.values():
            server.stop()


@pytest.mark.parametrize("major", [3, 4])
def test_helm_upgrade_judges_as_the_table_says(upgrade_results: Results, major: int) -> None:
    wrong = [
        (constraint, version)
        for constraint, version, helm3, helm4 in CASES
        if upgrade_results[(major, constraint, version)] != (helm3 if major == 3 else helm4)
    ]
    assert not wrong


@pytest.mark.parametrize("major", [3, 4])
def test_our_evaluator_judges_as_the_binary(
    upgrade_results: Results, helms: dict[int, Path], major: int
) -> None:
    reported = subprocess.run(
        [str(helms[major]), "version", "--short"], capture_output=True, text=True, check=True
    ).stdout
    rule = rule_for_helm(reported)
    assert rule is not None
    wrong = [
        (constraint, version)
        for constraint, version, _, _ in CASES
        if parse_constraint(constraint).allows(parse_version(version), rule)
        != upgrade_results[(major, constraint, version)]
    ]
    assert not wrong


def test_the_flag_path_strips_the_suffix_in_helm_4_only(
    helms: dict[int, Path], tmp_path: Path
) -> None:
    """`helm template --kube-version` (the issue's table): Helm 4 judges the version without
    its suffix, which is why that table differs from what `helm upgrade` does."""
    seen = []
    for i, (constraint, _, _) in enumerate(ISSUE_TABLE):
        chart = _chart(tmp_path / f"chart-{i}", constraint)
        row = [constraint]
        for major in (3, 4):
            args = ("template", "judged", "--kube-version", EKS)
            row.append(_accepts(helms[major], chart, tmp_path, *args, kubeconfig=None))
        seen.append(tuple(row))
    assert seen == [(c, h3, h4) for c, h3, h4 in ISSUE_TABLE]


def test_assess_judges_with_the_helm_named(
    helms: dict[int, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`assess --helm PATH`: that helm judges (named in the finding); none known: both rules."""
    release = HelmRelease(
        "web", "shop", 4, "deployed", "web", "2.0.0", kube_version=">=1.19.0-0 <1.30.0"
    )
    snapshot = Snapshot(
        source="cluster",
        collected_at="2026-01-01T00:00:00Z",
        cluster=ClusterInfo("v1.25.4-eks-abc", "eks"),
        helm_releases=(release,),
    )
    path = tmp_path / "eks.json"
    write_snapshot(snapshot, path)

    def judged(*helm: Path) -> list[dict[str, object]]:
        args = [a for h in helm for a in ("--helm", str(h))]
        code, out, err = run_cli(
            monkeypatch, capsys, "assess", str(path), "--target", "1.26", "-f", "json",
            "--fail-on", "none", *args,
        )  # fmt: skip
        assert code == 0, err
        return [f for f in json.loads(out)["findings"] if f["rule"] == "helm-release-kube-version"]

    [three] = judged(helms[3])
    assert three["severity"] == "blocker" and three["hop"] is None
    assert f"helm v3.17.2 ({helms[3]}) refuses it already" in three["message"]
    assert three["evidence"][-1]["source"] == "client"
    assert judged(helms[4]) == []
    [unknown] = judged()
    assert unknown["severity"] == "warning" and "Helm before 3.19 refuses" in unknown["message"]

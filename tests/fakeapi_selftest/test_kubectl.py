"""Real clients against the fake API server: kubectl (every version found), helm if present."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fakeapi import FakeApiServer

REPO = Path(__file__).resolve().parents[2]


def _kubectl_binaries() -> list[str]:
    """The kubectl on PATH, plus the oldest and newest versioned kubectl.1.NN beside it."""
    found = shutil.which("kubectl")
    if found is None:
        return []
    binaries = [found]
    folder = Path(os.path.realpath(found)).parent
    versioned = sorted(
        (p for p in folder.glob("kubectl.1.*") if os.access(p, os.X_OK)),
        key=lambda p: int(p.name.rsplit(".", 1)[1]),
    )
    for p in (versioned[:1] + versioned[-1:]) if versioned else []:
        if str(p) not in binaries:
            binaries.append(str(p))
    return binaries


KUBECTLS = _kubectl_binaries()
needs_kubectl = pytest.mark.skipif(not KUBECTLS, reason="no kubectl binary on PATH")


def kubectl(binary: str, api: FakeApiServer, tmp_path: Path, *args: str,
            check: bool = True, kubeconfig: Path | None = None,
            ) -> subprocess.CompletedProcess[str]:
    """Run kubectl against ``api`` with a private discovery cache and HOME."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    result = subprocess.run(
        [binary, "--kubeconfig", str(kubeconfig or api.kubeconfig_path),
         "--cache-dir", str(tmp_path / "kube-cache"), "--request-timeout", "20s", *args],
        capture_output=True, text=True, env=env, timeout=60,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"kubectl {' '.join(args)} failed: {result.stderr}")
    return result


def _ids(binary: str) -> str:
    return Path(binary).name


@needs_kubectl
@pytest.mark.parametrize("binary", KUBECTLS, ids=_ids)
def test_kubectl_reads_the_v121_cluster(fakeapi_v121: FakeApiServer, tmp_path: Path,
                                        binary: str) -> None:
    api = fakeapi_v121
    version = json.loads(kubectl(binary, api, tmp_path, "version", "-o", "json").stdout)
    assert version["serverVersion"]["gitVersion"] == "v1.21.14-eks-18ef993"
    assert version["serverVersion"]["minor"] == "21+"

    pdbs = kubectl(binary, api, tmp_path, "get", "pdb", "-A").stdout.splitlines()
    assert re.split(r"\s{2,}", pdbs[0]) == [
        "NAMESPACE", "NAME", "MIN AVAILABLE", "MAX UNAVAILABLE", "ALLOWED DISRUPTIONS", "AGE"]
    rows = {tuple(line.split()[:5]) for line in pdbs[1:]}
    assert ("shop", "web", "N/A", "0", "0") in rows
    assert ("payments", "payments-api", "2", "N/A", "1") in rows

    crds = kubectl(binary, api, tmp_path, "get", "crd").stdout
    assert crds.splitlines()[0].split() == ["NAME", "CREATED", "AT"]
    assert "certificates.cert-manager.io" in crds and "widgets.example.com" in crds

    resources = kubectl(binary, api, tmp_path, "api-resources").stdout
    lines = [line.split() for line in resources.splitlines()]
    assert ["poddisruptionbudgets", "pdb", "policy/v1", "true", "PodDisruptionBudget"] in lines
    assert ["ingresses", "ing", "extensions/v1beta1", "true", "Ingress"] in lines
    assert ["customresourcedefinitions", "crd,crds", "apiextensions.k8s.io/v1", "false",
            "CustomResourceDefinition"] in lines
    assert ["certificates", "cert,certs", "cert-manager.io/v1", "true", "Certificate"] in lines

    nodes = kubectl(binary, api, tmp_path, "get", "nodes", "-o", "wide").stdout
    header = re.split(r"\s{2,}", nodes.splitlines()[0].strip())
    assert header[:5] == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert header[-1] == "CONTAINER-RUNTIME"
    assert "v1.19.16-eks-25803e" in nodes and "docker://19.3.13" in nodes
    assert "containerd://1.6.6" in nodes

    assert api.methods() == {"GET"}
    assert api.errors == []


@needs_kubectl
def test_kubectl_old_versions_warnings_and_yaml(fakeapi_v121: FakeApiServer,
                                                tmp_path: Path) -> None:
    binary = KUBECTLS[0]
    old = kubectl(binary, fakeapi_v121, tmp_path, "get", "poddisruptionbudgets.v1beta1.policy",
                  "-n", "shop", "web", "-o", "yaml")
    assert "apiVersion: policy/v1beta1" in old.stdout
    assert "policy/v1beta1 PodDisruptionBudget is deprecated in v1.21+" in old.stderr
    jsonpath = "jsonpath={range .items[*]}{.apiVersion} {.metadata.name}{'\\n'}{end}"
    ing = kubectl(binary, fakeapi_v121, tmp_path, "get", "ingresses.v1.networking.k8s.io",
                  "-A", "-o", jsonpath)
    assert ing.stdout.split("\n")[:2] == ["networking.k8s.io/v1 legacy-web",
                                          "networking.k8s.io/v1 web"]
    certs = kubectl(binary, fakeapi_v121, tmp_path, "get", "certificates", "-A")
    assert certs.stdout.splitlines()[0].split() == ["NAMESPACE", "NAME", "SECRET", "AGE"]


@needs_kubectl
def test_kubectl_v131_and_refused_credentials(fakeapi_v131: FakeApiServer,
                                               tmp_path: Path) -> None:
    binary = KUBECTLS[-1]
    version = json.loads(kubectl(binary, fakeapi_v131, tmp_path, "version", "-o", "json").stdout)
    assert version["serverVersion"]["gitVersion"] == "v1.31.4"
    pods = kubectl(binary, fakeapi_v131, tmp_path, "get", "pods", "-A").stdout
    assert "kube-apiserver-cp-1" in pods
    bad = tmp_path / "bad-kubeconfig"
    fakeapi_v131.write_kubeconfig(bad, token="wrong")
    result = kubectl(binary, fakeapi_v131, tmp_path, "get", "nodes", check=False,
                     kubeconfig=bad)
    assert result.returncode != 0
    assert "Unauthorized" in result.stderr or "must be logged in" in result.stderr


@needs_kubectl
def test_kubectl_pages_through_chunks(fakeapi: Any, tmp_path: Path) -> None:
    api = fakeapi("v1.21")
    out = kubectl(KUBECTLS[0], api, tmp_path, "get", "configmaps", "-A", "--chunk-size", "2",
                  "-o", "name").stdout.split()
    expected = len(api.cluster.objects_of_kind("ConfigMap"))
    assert len(out) == len(set(out)) == expected >= 4
    continued = [r for r in api.requests
                 if r.path == "/api/v1/configmaps" and r.param("continue")]
    assert len(continued) == (expected - 1) // 2


@pytest.mark.parametrize("major", [3, 4])
def test_real_helm_reads_the_fixture_release_records(
    fakeapi_v121: FakeApiServer, tmp_path: Path, major: int
) -> None:
    """helm list / history / get manifest read the records the fake server holds: the
    fixtures hold exactly what Helm writes."""
    from support.clients import helm_binary

    helm = str(helm_binary(major))
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
           "KUBECONFIG": str(fakeapi_v121.kubeconfig_path)}

    def run(*args: str, driver: str = "secret") -> str:
        return subprocess.run([helm, *args], capture_output=True, text=True, timeout=60,
                              env={**env, "HELM_DRIVER": driver}, check=True).stdout

    # Helm 4 dropped `--all`: it lists every status when asked for each.
    every = ["--all"] if major == 3 else ["--deployed", "--failed", "--pending", "--superseded"]
    releases = {(r["name"], r["namespace"]): r
                for r in json.loads(run("list", "-A", *every, "-o", "json"))}
    assert releases[("payments-api", "payments")]["revision"] == "2"
    assert releases[("payments-api", "payments")]["status"] == "deployed"
    assert releases[("monitoring", "monitoring")]["status"] == "pending-upgrade"
    history = json.loads(run("history", "payments-api", "-n", "payments", "-o", "json"))
    assert [h["status"] for h in history] == ["superseded", "deployed"]
    manifest = run("get", "manifest", "payments-api", "-n", "payments")
    assert "apiVersion:" in manifest and "kind:" in manifest
    configmap = json.loads(run("list", "-A", "-o", "json", driver="configmap"))
    assert [r["name"] for r in configmap] == ["legacy-cron"]
    assert fakeapi_v121.methods() == {"GET"}


def test_script_serves_until_interrupted(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kc"
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "scripts" / "fakeapi.py"),
         str(REPO / "tests" / "fixtures" / "clusters" / "v1.21"),
         "--port", "0", "--kubeconfig", str(kubeconfig)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        second = proc.stdout.readline()
        assert re.match(r"serving v1\.21 \(v1\.21\.14-eks-18ef993\) at https://127\.0\.0\.1:\d+",
                        first), first
        assert second.strip() == f"kubeconfig: {kubeconfig}"
        assert "certificate-authority-data" in kubeconfig.read_text()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert proc.returncode == 0

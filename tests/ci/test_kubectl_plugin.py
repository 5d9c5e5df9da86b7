"""`kubectl upgradecheck ...`: the `kubectl-upgradecheck` console script is a kubectl plugin, as a
real kubectl finds and runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.clients import kubectl_binaries

SCRIPTS = Path(sys.executable).parent
PDB_V1BETA1 = "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\n"


@pytest.fixture
def kubectl_path(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The newest cached kubectl as `kubectl`, and a PATH holding it and the plugin."""
    plugin = shutil.which("kubectl-upgradecheck", path=str(SCRIPTS))
    assert plugin, f"no kubectl-upgradecheck in {SCRIPTS}: reinstall (pip install -e '.[test]')"
    binaries = kubectl_binaries()
    newest = binaries[max(binaries, key=lambda v: tuple(map(int, v.split("."))))]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "kubectl").symlink_to(newest)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{SCRIPTS}{os.pathsep}/usr/bin:/bin",
        "KUBECONFIG": str(tmp_path / "none"),
    }
    return bin_dir / "kubectl", env


def kubectl(kubectl_path: tuple[Path, dict[str, str]], *args: str, cwd: Path | None = None):
    binary, env = kubectl_path
    return subprocess.run(
        [str(binary), *args], env=env, capture_output=True, text=True, timeout=120, cwd=cwd
    )


def test_kubectl_plugin_list_finds_it(kubectl_path) -> None:
    done = kubectl(kubectl_path, "plugin", "list")
    assert str(SCRIPTS / "kubectl-upgradecheck") in done.stdout, done.stdout + done.stderr


def test_kubectl_upgradecheck_runs(kubectl_path, tmp_path: Path) -> None:
    done = kubectl(kubectl_path, "upgradecheck", "--version")
    assert done.returncode == 0 and done.stdout == "upgradecheck 0.1.0\n", done.stderr
    done = kubectl(kubectl_path, "upgradecheck", "scan", "--help")
    assert done.stdout.startswith("Usage: kubectl upgradecheck scan")
    (tmp_path / "pdb.yaml").write_text(PDB_V1BETA1)
    done = kubectl(kubectl_path, "upgradecheck", "scan", "pdb.yaml", "-t", "1.25", cwd=tmp_path)
    assert done.returncode == 1 and "api-removed" in done.stdout, done.stderr

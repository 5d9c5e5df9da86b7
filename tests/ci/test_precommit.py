"""The pre-commit hook (.pre-commit-hooks.yaml) run by the real pre-commit, as `pre-commit
try-repo` runs it on a repository with staged files: a removed API fails the commit, clean
manifests and files that are not Kubernetes objects pass."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
HOOK = "upgradecheck-scan"
# What pip needs to install the project, and the hook definition: the hook repository.
PROJECT_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml")


def wheel_sources() -> list[str]:
    """The package and every path pyproject.toml forces into the wheel (data, templates,
    schemas): what `pip install .` of the hook repository needs, read from the build
    configuration so that a new bundled file cannot be forgotten here."""
    with open(REPO / "pyproject.toml", "rb") as f:
        wheel = tomllib.load(f)["tool"]["hatch"]["build"]["targets"]["wheel"]
    return [*wheel["packages"], *wheel.get("force-include", {})]
PDB_V1BETA1 = "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\n"
DEPLOYMENT = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
WORKFLOW = "name: CI\non: push\njobs: {}\n"


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd, check=True, capture_output=True,
    )  # fmt: skip


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's files as a committed git repository: with no uncommitted changes
    try-repo uses its commit as it is, so both runs below share one installed hook."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path_factory.mktemp("hook-repo")
    for name in PROJECT_FILES:
        shutil.copy2(REPO / name, repo / name)
    for name in wheel_sources():
        source, copy = REPO / name, repo / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, copy)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "hook repository")
    return repo


@pytest.fixture
def project(tmp_path: Path) -> Path:
    repo = tmp_path / "project"
    repo.mkdir()
    git(repo, "init", "-q")
    return repo


def try_repo(project: Path, hook_repo: Path, env: dict[str, str]) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), HOOK, "--color", "never"],
        cwd=project, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    return done.returncode, done.stdout + done.stderr


@pytest.fixture(scope="module")
def env(install_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    if importlib.util.find_spec("pre_commit") is None:
        pytest.skip("pre-commit is not installed (pip install '.[test]' needs PyPI)")
    home = tmp_path_factory.mktemp("pre-commit-home")
    return {**install_env, "PRE_COMMIT_HOME": str(home), "SKIP": ""}


def test_the_hook_is_declared_as_the_contract_says() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    (hook,) = hooks
    assert hook["id"] == HOOK
    assert hook["entry"].startswith("upgradecheck scan") and "--fail-on blocker" in hook["entry"]
    assert set(hook["types_or"]) == {"yaml", "json"}


def test_try_repo_fails_on_a_blocker_and_passes_clean_files(
    hook_repo: Path, project: Path, env: dict[str, str]
) -> None:
    (project / "k8s").mkdir()
    (project / "k8s" / "pdb.yaml").write_text(PDB_V1BETA1)
    (project / "k8s" / "web.yaml").write_text(DEPLOYMENT)
    (project / ".github").mkdir()
    (project / "ci.yml").write_text(WORKFLOW)
    (project / "notes.txt").write_text("not scanned\n")
    git(project, "add", ".")
    code, out = try_repo(project, hook_repo, env)
    assert code == 1, out
    assert "upgradecheck scan" in out and "Failed" in out
    assert "k8s/pdb.yaml:1" in out and "policy/v1beta1" in out

    git(project, "rm", "-q", "--cached", "k8s/pdb.yaml")
    os.remove(project / "k8s" / "pdb.yaml")
    code, out = try_repo(project, hook_repo, env)
    assert code == 0, out
    assert "upgradecheck scan" in out and "Passed" in out

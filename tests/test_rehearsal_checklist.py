"""The rehearsal checklist works as written: every command it prints, taken from a checklist
of a cluster served by the fake API server, is run as a user would run it (the kubeconfig
from KUBECONFIG, files in the current folder): upgradecheck's own commands through the real
entry point, read-only kubectl and helm commands with the real binaries. Only commands with
a placeholder, a tool this machine has not (aws, velero, sudo, plugins) or a write to the
cluster are left out, each for a stated reason."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
from support.cli_runner import run_cli
from support.clients import client, helm_binary

from upgradecheck.plan.common import BEFORE_SNAPSHOT, after_snapshot

# The placeholders the plan writes (UPPERCASE words the user replaces).
PLACEHOLDERS = re.compile(
    r"\b(TEST_CONTEXT|FILE|CRD|CLUSTER|NODE|POOL|RESOURCE_GROUP|RELEASE|NAMESPACE|PATCH)\b"
)
# Tools or plugins not on this machine, and commands that write to the cluster.
NOT_HERE = ("aws ", "gcloud ", "az ", "velero ", "sudo ", "kubectl convert ", "helm mapkubeapis ")
WRITES = ("kubectl drain ", "kubectl cordon ", "kubectl uncordon ")


def checklist_commands(text: str) -> list[str]:
    """The command under each step: the code span alone on a line indented by two spaces."""
    commands = []
    for line in text.splitlines():
        stripped = line.strip()
        if not (line.startswith("  `") and stripped.endswith("`")):
            continue
        fence = len(stripped) - len(stripped.lstrip("`"))
        body = stripped[fence:-fence]
        if body.startswith(" ") and body.endswith(" "):
            body = body[1:-1]
        commands.append(body)
    return commands


def why_not_run(command: str) -> str | None:
    """Why a command cannot run here, or None when it must."""
    if PLACEHOLDERS.search(command):
        return "placeholder"
    if command.startswith(NOT_HERE):
        return "tool not here"
    if command.startswith(WRITES):
        return "writes to the cluster"
    return None


def test_every_command_of_a_rehearsal_checklist_works_as_written(
    fakeapi: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    api = fakeapi("v1.21")
    work = tmp_path / "rehearsal"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("KUBECONFIG", str(api.kubeconfig_path))
    code, _, err = run_cli(
        monkeypatch, capsys, "plan", "--target", "1.23", "--format", "checklist",
        "-o", "rehearsal.md", "-q",
    )
    assert code == 1, err  # the v1.21 cluster has blockers
    text = (work / "rehearsal.md").read_text(encoding="utf-8")
    commands = checklist_commands(text)
    assert "baseline" not in text  # no report to compare by eye: `compare` does it

    # The real clients, under the names the checklist calls them by.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "kubectl").symlink_to(client("kubectl-1.32"))
    (bin_dir / "helm").symlink_to(helm_binary(3))
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "KUBECONFIG": str(api.kubeconfig_path),
    }

    ran: list[str] = []
    left_out: dict[str, set[str]] = {}
    for command in commands:
        reason = why_not_run(command)
        if reason is not None:
            left_out.setdefault(reason, set()).add(command.split()[0])
            continue
        if command.startswith("upgradecheck "):
            code, _, err = run_cli(monkeypatch, capsys, *shlex.split(command)[1:])
            # 0 or 1 (findings); never a usage error (2) or an unreachable cluster (3)
            assert code in (0, 1), f"{command}: exit {code}: {err}"
        else:
            result = subprocess.run(
                ["bash", "-c", command], cwd=work, env=env, capture_output=True, text=True,
                timeout=120,
            )
            assert result.returncode == 0, f"{command}: {result.stderr}"
        ran.append(command)

    # The rehearsal is recorded and compared with the project's own tools, end to end.
    before, after_22, after_23 = BEFORE_SNAPSHOT, after_snapshot("1.22"), after_snapshot("1.23")
    for expected in (
        f"upgradecheck collect -o {before}",
        "upgradecheck plan --target 1.22 --fail-on blocker",
        f"upgradecheck collect -o {after_22}",
        f"upgradecheck compare {before} {after_22}",
        f"upgradecheck assess {after_22} --target 1.23",
        f"upgradecheck compare {after_22} {after_23}",
        f"upgradecheck assess {after_23} --target 1.23",
    ):
        assert expected in ran, expected
    assert ran.index(f"upgradecheck collect -o {before}") < ran.index(
        f"upgradecheck compare {before} {after_22}"
    )
    for name in (before, after_22, after_23):
        assert (work / name).stat().st_size > 0
    assert any(c.startswith("kubectl ") for c in ran) and "helm list -A" in ran
    # what was left out, and why: nothing else
    assert set(left_out) <= {"placeholder", "tool not here", "writes to the cluster"}
    assert left_out["tool not here"] <= {"aws", "gcloud", "az", "velero", "sudo", "kubectl",
                                         "helm"}
    assert os.path.exists(work / "state-before-upgrade.txt")

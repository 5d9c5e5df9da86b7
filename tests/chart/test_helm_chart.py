"""The Helm chart charts/upgradecheck, linted and rendered by real Helm 3 and Helm 4: the
CronJob's restricted security context, a ClusterRole equal to what `upgradecheck rbac`
prints (plus the publish rules only when publishing is on), exceptions and kept snapshots."""

from __future__ import annotations

import functools
import importlib.util
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.cli_runner import run_cli
from support.clients import HELM_MAJORS, helm_binary

from upgradecheck import __version__
from upgradecheck.publish.rbac import REPORT_GROUP
from upgradecheck.suppress.config import parse_config

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "charts" / "upgradecheck"
RELEASE, NAMESPACE = "uc", "platform-tools"
EVERYTHING_ON = (
    "--set", "snapshot.keep=true",
    "--set", "target=1.33",
    "--set", "failOn=warning",
    "--set", "extraArgs[0]=--exclude-namespace",
    "--set", "extraArgs[1]=kube-system",
    "--set", "exceptions[0].rule=single-replica",
    "--set", "exceptions[0].reason=batch jobs tolerate downtime",
)


@pytest.fixture(params=HELM_MAJORS, ids=[f"helm{m}" for m in HELM_MAJORS])
def helm(request: pytest.FixtureRequest) -> str:
    return str(helm_binary(request.param))


def _helm(helm: str, *args: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="helm-home-") as home:
        return subprocess.run(
            [helm, *args], capture_output=True, text=True, timeout=60, check=False,
            env={"HOME": home, "PATH": "/usr/bin:/bin"},
        )


@functools.cache
def _render_cached(helm: str, args: tuple[str, ...]) -> tuple[dict[str, Any], ...]:
    done = _helm(helm, "template", RELEASE, str(CHART), "--namespace", NAMESPACE, *args)
    assert done.returncode == 0, done.stderr
    return tuple(d for d in yaml.safe_load_all(done.stdout) if d)


def render(helm: str, *args: str) -> dict[str, dict[str, Any]]:
    """`helm template` of the chart: kind → the one object of that kind."""
    docs = _render_cached(helm, args)
    kinds = [d["kind"] for d in docs]
    assert len(kinds) == len(set(kinds)), kinds
    return {d["kind"]: d for d in docs}


def _pod(objects: dict[str, dict[str, Any]]) -> dict[str, Any]:
    spec: dict[str, Any] = objects["CronJob"]["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return spec


def _container(objects: dict[str, dict[str, Any]]) -> dict[str, Any]:
    (container,) = _pod(objects)["containers"]
    return dict(container)


def _rbac_rules(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> list[dict[str, Any]]:
    code, out, err = run_cli(monkeypatch, capsys, "rbac", *args)
    assert code == 0, err
    rules: list[dict[str, Any]] = yaml.safe_load(out)["rules"]
    return rules


@pytest.mark.parametrize("values", [(), EVERYTHING_ON], ids=["defaults", "everything-on"])
def test_lint_strict_is_clean(helm: str, values: tuple[str, ...]) -> None:
    done = _helm(helm, "lint", "--strict", str(CHART), *values)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[WARNING]" not in done.stdout and "[ERROR]" not in done.stdout


def test_defaults_render_a_restricted_cronjob(helm: str) -> None:
    objects = render(helm)
    assert set(objects) == {"ServiceAccount", "ClusterRole", "ClusterRoleBinding", "CronJob"}
    cron = objects["CronJob"]["spec"]
    assert cron["concurrencyPolicy"] == "Forbid"
    assert cron["successfulJobsHistoryLimit"] >= 1 and cron["failedJobsHistoryLimit"] >= 1
    pod, container = _pod(objects), _container(objects)
    assert pod["restartPolicy"] == "Never"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    ctx = container["securityContext"]
    assert ctx["runAsNonRoot"] is True
    assert ctx["readOnlyRootFilesystem"] is True
    assert ctx["allowPrivilegeEscalation"] is False
    assert ctx["capabilities"] == {"drop": ["ALL"]}
    assert ctx["seccompProfile"] == {"type": "RuntimeDefault"}
    # The read-only root leaves /tmp, an emptyDir, as the only writable place.
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert {m["mountPath"]: volumes[m["name"]] for m in container["volumeMounts"]} == {
        "/tmp": {"name": "tmp", "emptyDir": {"sizeLimit": "256Mi"}}
    }
    assert container["image"] == f"upgradecheck:{__version__}"
    assert container["args"] == ["plan", "--fail-on", "none", "--publish"]
    requests, limits = container["resources"]["requests"], container["resources"]["limits"]
    assert requests["memory"] == "1Gi" and limits["memory"] == "2Gi"
    # The pod runs as the chart's service account, and the binding grants that account.
    account = objects["ServiceAccount"]["metadata"]
    assert pod["serviceAccountName"] == account["name"]
    assert pod["automountServiceAccountToken"] is True
    binding = objects["ClusterRoleBinding"]
    assert binding["roleRef"]["name"] == objects["ClusterRole"]["metadata"]["name"]
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": account["name"], "namespace": NAMESPACE}
    ]


def test_the_role_is_what_rbac_publish_prints(
    helm: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = render(helm)["ClusterRole"]["rules"]
    assert rules == _rbac_rules(monkeypatch, capsys, "--publish")
    assert any(REPORT_GROUP in r.get("apiGroups", ()) for r in rules)


def test_without_publishing_the_role_is_what_rbac_prints(
    helm: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    objects = render(helm, "--set", "publish.enabled=false")
    rules = objects["ClusterRole"]["rules"]
    assert rules == _rbac_rules(monkeypatch, capsys)
    assert not any(REPORT_GROUP in r.get("apiGroups", ()) for r in rules)
    assert all(set(r["verbs"]) <= {"get", "list"} for r in rules)
    assert "--publish" not in _container(objects)["args"]


def test_the_generated_rule_files_are_current() -> None:
    spec = importlib.util.spec_from_file_location(
        "gen_chart_rbac", REPO / "scripts" / "gen_chart_rbac.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    for path, text in script.rules_files().items():
        assert path.read_text() == text, (
            f"{path.relative_to(REPO)} is stale: run python scripts/gen_chart_rbac.py"
        )


def test_exceptions_become_a_configmap_the_tool_accepts(helm: str) -> None:
    objects = render(
        helm,
        "--set", "exceptions[0].rule=single-replica",
        "--set", "exceptions[0].namespaces[0]=batch-jobs",
        "--set", "exceptions[0].reason=batch jobs tolerate downtime",
        "--set", "exceptions[0].expires=2027-03-31",
    )
    text = objects["ConfigMap"]["data"]["upgradecheck.yaml"]
    (entry,) = parse_config(text, "configmap").exceptions
    assert (entry.rule, entry.namespaces, entry.reason) == (
        "single-replica", frozenset({"batch-jobs"}), "batch jobs tolerate downtime"
    )
    assert str(entry.expires) == "2027-03-31"
    args, pod, container = _container(objects)["args"], _pod(objects), _container(objects)
    path = Path(args[args.index("--config") + 1])
    (mount,) = [m for m in container["volumeMounts"] if m["name"] == "config"]
    assert Path(mount["mountPath"]) / path.name == path and mount["readOnly"] is True
    (volume,) = [v for v in pod["volumes"] if v["name"] == "config"]
    assert volume["configMap"]["name"] == objects["ConfigMap"]["metadata"]["name"]


def test_a_whole_exceptions_file_is_taken_as_it_is(helm: str, tmp_path: Path) -> None:
    source = (
        "schema: upgradecheck.config/v1\n"
        "exceptions:\n"
        "  - rule: kubectl-skew   # CI pins its own\n"
        "    reason: CI pins its own kubectl\n"
    )
    (tmp_path / "exceptions.yaml").write_text(source)
    objects = render(helm, "--set-file", f"exceptions={tmp_path / 'exceptions.yaml'}")
    text = objects["ConfigMap"]["data"]["upgradecheck.yaml"]
    assert text.strip() == source.strip()
    assert [e.rule for e in parse_config(text, "configmap").exceptions] == ["kubectl-skew"]


def test_no_exceptions_no_configmap_and_no_config_flag(helm: str) -> None:
    objects = render(helm)
    assert "ConfigMap" not in objects and "--config" not in _container(objects)["args"]


def test_a_kept_snapshot_goes_to_a_claim(helm: str) -> None:
    objects = render(helm, "--set", "snapshot.keep=true", "--set", "snapshot.size=5Gi")
    claim = objects["PersistentVolumeClaim"]
    assert claim["spec"]["resources"]["requests"]["storage"] == "5Gi"
    assert claim["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
    args, pod, container = _container(objects)["args"], _pod(objects), _container(objects)
    out = Path(args[args.index("--snapshot-out") + 1])
    (mount,) = [m for m in container["volumeMounts"] if m["name"] == "snapshots"]
    assert out.parent == Path(mount["mountPath"])
    (volume,) = [v for v in pod["volumes"] if v["name"] == "snapshots"]
    assert volume["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    # The user can write to the claim: the pod's fsGroup is the image's group.
    assert pod["securityContext"]["fsGroup"] == pod["securityContext"]["runAsGroup"]


def test_an_existing_claim_is_used_not_created(helm: str) -> None:
    objects = render(
        helm, "--set", "snapshot.keep=true", "--set", "snapshot.existingClaim=fleet-snapshots"
    )
    assert "PersistentVolumeClaim" not in objects
    (volume,) = [v for v in _pod(objects)["volumes"] if v["name"] == "snapshots"]
    assert volume["persistentVolumeClaim"]["claimName"] == "fleet-snapshots"


def test_values_reach_the_command_and_the_pod(helm: str) -> None:
    objects = render(
        helm, *EVERYTHING_ON,
        "--set", "image.repository=registry.example/platform/upgradecheck",
        "--set", "image.tag=0.1.0-rc1",
        "--set", "schedule=0 6 * * 1",
        "--set", "nodeSelector.pool=tools",
    )
    container = _container(objects)
    assert container["args"] == [
        "plan", "--target", "1.33", "--fail-on", "warning", "--publish",
        "--snapshot-out", "/var/lib/upgradecheck/upgradecheck.snapshot.json.gz",
        "--config", "/etc/upgradecheck/upgradecheck.yaml",
        "--exclude-namespace", "kube-system",
    ]
    assert container["image"] == "registry.example/platform/upgradecheck:0.1.0-rc1"
    assert objects["CronJob"]["spec"]["schedule"] == "0 6 * * 1"
    assert _pod(objects)["nodeSelector"] == {"pool": "tools"}
    digest = "sha256:" + "ab" * 32
    pinned = render(helm, "--set", f"image.digest={digest}")
    assert _container(pinned)["image"] == f"upgradecheck@{digest}"


def test_the_schema_refuses_bad_values(helm: str) -> None:
    bad = ("failOn=blocking", "target=next", "concurrencyPolicy=Sometimes", "typo=1")
    done = _helm(helm, "template", RELEASE, str(CHART), *(a for b in bad for a in ("--set", b)))
    assert done.returncode != 0
    for value in bad:
        assert value.split("=")[0] in done.stderr, (value, done.stderr)


def test_every_flag_the_chart_passes_exists(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rendered with every option on (publishing, the kept snapshot), the chart passes only
    flags `plan --help` lists."""
    helm = str(helm_binary(HELM_MAJORS[-1]))
    args = _container(render(helm, *EVERYTHING_ON))["args"]
    code, out, _ = run_cli(monkeypatch, capsys, "plan", "--help")
    assert code == 0
    known = set(re.findall(r"--[a-z][a-z-]+", out))
    passed = {a for a in args if a.startswith("--")}
    assert {"--publish", "--snapshot-out", "--config", "--target"} <= passed
    assert passed <= known, sorted(passed - known)


def test_the_chart_follows_the_project_version() -> None:
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    pyproject = (REPO / "pyproject.toml").read_text()
    assert chart["appVersion"] == chart["version"] == __version__
    assert f'\nversion = "{__version__}"\n' in pyproject

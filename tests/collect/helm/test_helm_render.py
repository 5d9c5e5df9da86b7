"""Chart folders rendered by a real `helm template` (helm 3 and helm 4) for the target:
branches that follow .Capabilities, findings that point at the template file and line."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from support.clients import HELM_MAJORS, helm_binary
from typer.testing import CliRunner

from upgradecheck.assess import assess
from upgradecheck.cli import app
from upgradecheck.collect.binaries import BuildOptions, ClientFinder, probe_client
from upgradecheck.collect.files import objects as file_objects
from upgradecheck.collect.files.scan import scan_manifests
from upgradecheck.collect.helm.api_versions import served_api_versions
from upgradecheck.knowledge import load_knowledge_base
from upgradecheck.knowledge.model import KnowledgeBase
from upgradecheck.model import EvidenceSource, Snapshot
from upgradecheck.versions import parse_minor

CHARTS = Path(__file__).resolve().parents[2] / "fixtures" / "charts"


@pytest.fixture(scope="module")
def real_kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture(params=HELM_MAJORS, ids=[f"helm{m}" for m in HELM_MAJORS])
def helm(request: pytest.FixtureRequest) -> str:
    return str(helm_binary(request.param))


def _scan(
    path: Path | str,
    target: str,
    helm: str,
    kb: KnowledgeBase,
    *,
    values: tuple[str, ...] = (),
    api_versions: tuple[str, ...] | None = None,
) -> Snapshot:
    minor = parse_minor(target)
    build = BuildOptions(
        target=minor,
        helm=ClientFinder.ready("helm", probe_client("helm", helm)),
        values=values,
        api_versions=served_api_versions(kb, minor) if api_versions is None else api_versions,
    )
    return scan_manifests([str(path)], build=build)


def _rows(snapshot: Snapshot) -> list[tuple[str, str, str]]:
    """(apiVersion, kind, location relative to the charts fixture folder) per object."""
    prefix = str(CHARTS) + "/"
    return [
        (o.ref.api_version, o.ref.kind, o.evidence[0].location.removeprefix(prefix))
        for o in snapshot.objects
    ]


def test_capabilities_branch_follows_the_target(helm: str, real_kb: KnowledgeBase) -> None:
    chart = CHARTS / "pdb-capabilities"
    new = _scan(chart, "1.25", helm, real_kb)
    assert _rows(new) == [
        ("policy/v1", "PodDisruptionBudget", "pdb-capabilities/templates/pdb.yaml:2"),
        ("v1", "Service", "pdb-capabilities/templates/service.yaml:1"),
    ]
    assert new.coverage == ()
    assert assess(new, real_kb, target="1.25").findings == ()

    old = _scan(chart, "1.20", helm, real_kb)
    assert _rows(old)[0] == (
        "policy/v1beta1", "PodDisruptionBudget", "pdb-capabilities/templates/pdb.yaml:4"
    )


def test_without_api_versions_helm_takes_the_old_branch(
    helm: str, real_kb: KnowledgeBase
) -> None:
    # Why --api-versions is passed: helm template's own list lacks `group/version/Kind`.
    bare = _scan(CHARTS / "pdb-capabilities", "1.25", helm, real_kb, api_versions=())
    assert _rows(bare)[0][0] == "policy/v1beta1"


def test_semver_compare_branches_follow_the_target(helm: str, real_kb: KnowledgeBase) -> None:
    chart = CHARTS / "cronjob-semver"
    assert _rows(_scan(chart, "1.20", helm, real_kb)) == [
        ("autoscaling/v2beta2", "HorizontalPodAutoscaler", "cronjob-semver/templates/hpa.yaml:2"),
        ("batch/v1beta1", "CronJob", "cronjob-semver/templates/cronjob.yaml:4"),
    ]
    assert _rows(_scan(chart, "1.25", helm, real_kb)) == [
        ("autoscaling/v2", "HorizontalPodAutoscaler", "cronjob-semver/templates/hpa.yaml:2"),
        ("batch/v1", "CronJob", "cronjob-semver/templates/cronjob.yaml:2"),
    ]


def test_removed_api_is_a_blocker_at_the_template_line(
    helm: str, real_kb: KnowledgeBase
) -> None:
    snapshot = _scan(CHARTS / "legacy-ingress", "1.33", helm, real_kb)
    report = assess(snapshot, real_kb, target="1.33")
    (finding,) = report.findings
    assert (finding.rule, finding.severity.value, finding.hop) == ("api-removed", "blocker", "1.22")
    assert finding.object is not None
    assert finding.object.name == "release-name-shop"
    (evidence,) = finding.evidence
    version = probe_client("helm", helm).version
    assert evidence.source is EvidenceSource.FILE
    assert evidence.location == f"{CHARTS}/legacy-ingress/templates/ingress.yaml:2"
    assert evidence.detail == f"rendered by helm template {version} for Kubernetes 1.33"
    assert snapshot.stats["charts_rendered"] == 1


def test_helm_failure_is_an_error_then_the_fallback(helm: str, real_kb: KnowledgeBase) -> None:
    chart = CHARTS / "missing-dependency"
    snapshot = _scan(chart, "1.33", helm, real_kb)
    error, dependency, gap = snapshot.coverage
    version = probe_client("helm", helm).version
    assert error.kind == "error"  # exit code 2
    assert error.reason.startswith(f"{chart}: helm template {version} failed: ")
    assert "missing in charts/ directory: redis" in error.reason
    assert "\n" not in error.reason
    assert dependency.kind == "gap"
    assert "dependency redis is not in charts/" in dependency.reason
    assert gap.kind == "gap"
    assert gap.reason == (
        f"chart {chart} not rendered: helm template {version} failed; apiVersions read from "
        "its templates, both branches of conditionals"
    )
    (obj,) = snapshot.objects
    assert obj.evidence[0].source is EvidenceSource.TEMPLATE
    assert obj.evidence[0].location == f"{chart}/templates/pdb.yaml:2"
    assert obj.evidence[0].detail == "branch: {{ if .Values.pdb.enabled }}"
    assert [f.rule for f in assess(snapshot, real_kb, target="1.33").findings] == ["api-removed"]


def test_values_files_are_passed_in_order(
    helm: str, real_kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The rendered objects whole: what the values made of them, not what a snapshot keeps.
    monkeypatch.setattr(file_objects, "trim_object", lambda data: dict(data))
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("autoscaling:\n  enabled: true\nschedule: '1 1 * * *'\n")
    second.write_text("autoscaling:\n  enabled: false\n")
    snapshot = _scan(
        CHARTS / "cronjob-semver", "1.33", helm, real_kb, values=(str(first), str(second))
    )
    assert [o.ref.kind for o in snapshot.objects] == ["CronJob"]
    assert snapshot.objects[0].body["spec"]["schedule"] == "1 1 * * *"


def test_a_chart_that_asks_for_an_old_group_version_says_so(
    helm: str, real_kb: KnowledgeBase, tmp_path: Path
) -> None:
    # helm template's built-in list still holds policy/v1beta1: the chart takes the old
    # branch even for a target that no longer serves it, and the evidence explains why.
    chart = tmp_path / "asks-old"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: asks-old\nversion: 1.0.0\n")
    (chart / "templates" / "pdb.yaml").write_text(
        '{{- if .Capabilities.APIVersions.Has "policy/v1beta1" }}\n'
        "apiVersion: policy/v1beta1\n{{- else }}\napiVersion: policy/v1\n{{- end }}\n"
        "kind: PodDisruptionBudget\nmetadata:\n  name: web\nspec:\n  minAvailable: 1\n"
    )
    (obj,) = _scan(chart, "1.33", helm, real_kb).objects
    assert obj.ref.api_version == "policy/v1beta1"
    assert obj.evidence[0].location == f"{chart}/templates/pdb.yaml:2"
    assert 'asks .Capabilities.APIVersions.Has "policy/v1beta1"' in obj.evidence[0].detail


def _package(chart: Path, name: str, files: dict[str, str]) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for rel, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{name}/{rel}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    (chart / "charts").mkdir(exist_ok=True)
    (chart / "charts" / f"{name}-0.1.0.tgz").write_bytes(buffer.getvalue())


def _umbrella(tmp_path: Path) -> Path:
    """A chart with a subchart folder and a packaged one, the latter reached by an alias."""
    chart = tmp_path / "umbrella"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(
        "apiVersion: v2\nname: umbrella\nversion: 1.0.0\ndependencies:\n"
        "  - {name: web, version: 0.1.0}\n  - {name: jobs, version: 0.1.0, alias: nightly}\n"
    )
    (chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: umbrella\n"
    )
    web = chart / "charts" / "web"
    (web / "templates").mkdir(parents=True)
    (web / "Chart.yaml").write_text("apiVersion: v2\nname: web\nversion: 0.1.0\n")
    (web / "templates" / "ingress.yaml").write_text(
        "# old\napiVersion: networking.k8s.io/v1beta1\nkind: Ingress\nmetadata:\n  name: web\n"
    )
    _package(chart, "jobs", {
        "Chart.yaml": "apiVersion: v2\nname: jobs\nversion: 0.1.0\n",
        "templates/_helpers.tpl": '{{- define "jobs.api" -}}\n'
        '{{- if semverCompare ">=1.21-0" .Capabilities.KubeVersion.Version -}}\n'
        "batch/v1\n{{- else -}}\nbatch/v1beta1\n{{- end -}}\n{{- end -}}\n",
        "templates/cron.yaml": '\napiVersion: {{ include "jobs.api" . }}\nkind: CronJob\n'
        "metadata:\n  name: nightly\n",
    })  # fmt: skip
    return chart


def test_subcharts_in_folders_and_archives_point_at_their_files(
    helm: str, real_kb: KnowledgeBase, tmp_path: Path
) -> None:
    chart = _umbrella(tmp_path)
    snapshot = _scan(chart, "1.20", helm, real_kb)
    rows = sorted((o.ref.api_version, o.ref.kind, o.evidence[0].location)
                  for o in snapshot.objects)
    assert rows == [
        ("batch/v1beta1", "CronJob",
         f"{chart}/charts/jobs-0.1.0.tgz:jobs/templates/cron.yaml:2"),
        ("networking.k8s.io/v1beta1", "Ingress", f"{chart}/charts/web/templates/ingress.yaml:2"),
        ("v1", "ConfigMap", f"{chart}/templates/cm.yaml:1"),
    ]  # fmt: skip
    assert snapshot.coverage == ()


def test_plain_files_beside_a_chart_are_still_scanned(
    helm: str, real_kb: KnowledgeBase, tmp_path: Path
) -> None:
    chart = tmp_path / "repo" / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: chart\nversion: 1.0.0\n")
    (chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n"
    )
    (chart / "values.yaml").write_text("image: nginx\n")
    (tmp_path / "repo" / "job.yaml").write_text(
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: once\n"
    )
    snapshot = _scan(tmp_path / "repo", "1.33", helm, real_kb)
    assert [(o.ref.kind, o.ref.name, o.evidence[0].location) for o in snapshot.objects] == [
        ("ConfigMap", "release-name", f"{chart}/templates/cm.yaml:1"),
        ("Job", "once", f"{tmp_path}/repo/job.yaml:1"),
    ]
    assert snapshot.coverage == ()


def test_the_scan_command_renders_with_the_given_helm(helm: str, tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text("host: example.org\n")
    result = CliRunner().invoke(app, [
        "scan", str(CHARTS / "legacy-ingress"), "--target", "1.33", "--helm", helm,
        "--values", str(values), "--format", "json",
    ])  # fmt: skip
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    (finding,) = report["findings"]
    assert finding["rule"] == "api-removed"
    assert finding["evidence"][0]["source"] == "file"
    assert finding["evidence"][0]["location"].endswith("legacy-ingress/templates/ingress.yaml:2")
    assert report["coverage"]["warnings"] == []


def test_a_helm_that_does_not_exist_is_bad_usage(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "upgradecheck", "scan", str(CHARTS / "legacy-ingress"),
         "--target", "1.33", "--helm", str(tmp_path / "nope")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr == f"upgradecheck: error: --helm {tmp_path / 'nope'}: no such file\n"


def test_the_cached_clients_are_the_versions_the_tests_expect() -> None:
    # The PyPI packages carry what their names promise (helm 3.17 in v32, 4.1 in v33).
    assert probe_client("helm", str(helm_binary(3))).version.startswith("3.17.")
    assert probe_client("helm", str(helm_binary(4))).version.startswith("4.1.")

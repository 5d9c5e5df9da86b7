"""Charts without helm, judged at the target: conditions on `.Capabilities` (the Kubernetes
version, the APIs served) are answered for every version, so a branch the chart keeps for
other clusters is info at the target and says what the chart writes there instead; what
depends on anything else unknown stays as reported before."""

from __future__ import annotations

from pathlib import Path

from upgradecheck.model import Finding, Report
from upgradecheck.run import report_for_manifests

CHARTS = Path(__file__).resolve().parents[2] / "fixtures" / "charts"

TERNARY = """\
apiVersion: {{ ternary "policy/v1" "policy/v1beta1" (semverCompare ">=1.21.0-0" .Capabilities.KubeVersion.Version) }}
kind: PodDisruptionBudget
metadata: {name: p}
"""  # noqa: E501
IF_ELSE = """\
{{- if semverCompare ">=1.21-0" .Capabilities.KubeVersion.GitVersion }}
apiVersion: policy/v1
{{- else }}
apiVersion: policy/v1beta1
{{- end }}
kind: PodDisruptionBudget
metadata: {name: p2}
"""


def _chart(root: Path, values: str = "", **templates: str) -> Path:
    (root / "templates").mkdir(parents=True)
    (root / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (root / "values.yaml").write_text(values)
    for name, text in templates.items():
        (root / "templates" / f"{name}.yaml").write_text(text)
    return root


def _scan(chart: Path, target: str, **options: str) -> Report:
    return report_for_manifests([str(chart)], target=target, find_clients=False, **options)


def _about(report: Report) -> list[tuple[str, str, str, str]]:
    """(severity, rule, kind, apiVersion) of the findings about objects."""
    return [(f.severity.value, f.rule, f.object.kind, f.object.api_version)
            for f in report.findings if f.object is not None]  # fmt: skip


def _one(report: Report, api_version: str) -> Finding:
    (found,) = [f for f in report.findings if f.object and f.object.api_version == api_version]
    return found


def test_the_branch_for_older_clusters_is_info_with_what_the_chart_writes(tmp_path: Path) -> None:
    chart = _chart(tmp_path / "c", pdb=TERNARY, pdb2=IF_ELSE)
    report = _scan(chart, "1.25")
    assert report.verdict == "review"  # the chart was not rendered: a coverage gap
    # Flow-style metadata names each object: one finding each, at its own branch.
    assert _about(report) == [("info", "api-removed", "PodDisruptionBudget", "policy/v1beta1")] * 2
    first, second = report.findings
    assert (first.object and first.object.name, second.object and second.object.name) == (
        "p", "p2"
    )
    assert [(e.location, e.detail, e.not_rendered_for) for e in first.evidence] == [(
        f"{chart}/templates/pdb.yaml:1",
        'branch: {{ ternary "policy/v1" "policy/v1beta1" (semverCompare ">=1.21.0-0" '
        ".Capabilities.KubeVersion.Version) }} (false); rendered only for Kubernetes < 1.21; "
        "at 1.25 the chart writes policy/v1",
        ">=1.21",
    )]
    assert [(e.location, e.detail, e.not_rendered_for) for e in second.evidence] == [(
        f"{chart}/templates/pdb2.yaml:4",
        'branch: {{ if semverCompare ">=1.21-0" .Capabilities.KubeVersion.GitVersion }} '
        "(else); rendered only for Kubernetes < 1.21; at 1.25 the chart writes policy/v1",
        ">=1.21",
    )]
    finding = second
    assert "not for 1.25" in finding.message
    assert finding.remediation.startswith("Nothing to change for 1.25")


def test_a_chart_that_switches_too_late_is_still_a_blocker(tmp_path: Path) -> None:
    late = IF_ELSE.replace(">=1.21-0", ">=1.26-0")
    report = _scan(_chart(tmp_path / "c", pdb=late), "1.25")
    finding = _one(report, "policy/v1beta1")
    assert finding.severity.value == "blocker"
    assert finding.evidence[0].detail.endswith("(else); rendered only for Kubernetes < 1.26")
    assert finding.evidence[0].not_rendered_for == ">=1.26"


def test_cronjob_and_hpa_chosen_by_version() -> None:
    report = _scan(CHARTS / "cronjob-semver", "1.25")
    assert _about(report) == [
        ("info", "api-deprecated", "HorizontalPodAutoscaler", "autoscaling/v2beta2"),
        ("info", "api-removed", "CronJob", "batch/v1beta1"),
    ]
    # For 1.22 the chart writes batch/v1beta1 (1.21 switched it already): nothing to say;
    # for 1.20 it writes both old versions, removed later: info, as any such use.
    assert _about(_scan(CHARTS / "cronjob-semver", "1.22")) == [
        ("info", "api-deprecated", "HorizontalPodAutoscaler", "autoscaling/v2beta2"),
        ("info", "api-deprecated", "CronJob", "batch/v1beta1"),
    ]


def test_apis_asked_by_group_version_and_kind(tmp_path: Path) -> None:
    report = _scan(CHARTS / "pdb-capabilities", "1.25")
    finding = _one(report, "policy/v1beta1")
    assert finding.severity.value == "info"
    assert finding.evidence[0].detail == (
        'branch: {{ if .Capabilities.APIVersions.Has "policy/v1/PodDisruptionBudget" }} '
        "(else); rendered only for Kubernetes < 1.21; at 1.25 the chart writes policy/v1"
    )
    variable = """\
{{- $api := "batch/v1beta1" }}
{{- if .Capabilities.APIVersions.Has "batch/v1" }}
{{- $api = "batch/v1" }}
{{- end }}
apiVersion: {{ $api }}
kind: CronJob
metadata: {name: c}
"""
    report = _scan(_chart(tmp_path / "c", cron=variable), "1.25")
    assert _about(report) == [("info", "api-removed", "CronJob", "batch/v1beta1")]


def test_a_helper_that_prints_true_for_some_versions(tmp_path: Path) -> None:
    # The common library's shape: `psp.supported` prints "true" below 1.25, from a version
    # a value may override; a PodSecurityPolicy behind it is no removed feature at 1.25.
    helpers = """\
{{- define "c.kubeVersion" -}}
{{- default (default .Capabilities.KubeVersion.Version .Values.kubeVersion) ((.Values.global).kubeVersion) -}}
{{- end -}}
{{- define "c.psp.supported" -}}
{{- if semverCompare "<1.25-0" (include "c.kubeVersion" .) -}}
{{- true -}}
{{- end -}}
{{- end -}}
"""  # noqa: E501
    psp = """\
{{- if and (include "c.psp.supported" .) .Values.psp.enabled }}
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata: {name: c}
{{- end }}
"""
    chart = _chart(tmp_path / "c", "psp: {enabled: true}\n", psp=psp)
    (chart / "templates" / "_helpers.tpl").write_text(helpers)
    assert _about(_scan(chart, "1.25")) == [
        ("info", "api-removed", "PodSecurityPolicy", "policy/v1beta1"),
    ]
    assert _one(_scan(chart, "1.25"), "policy/v1beta1").evidence[0].detail.endswith(
        "rendered only for Kubernetes < 1.25; at 1.25 the chart writes no PodSecurityPolicy here"
    )
    # Installed on 1.24 today, the PodSecurityPolicy exists until the chart is upgraded.
    assert ("blocker", "removed-feature", "PodSecurityPolicy", "policy/v1beta1") in _about(
        _scan(chart, "1.25", current="1.24")
    )
    # A value that names the version wins over the cluster's.
    pinned = tmp_path / "pinned.yaml"
    pinned.write_text("kubeVersion: 1.24.0\n")
    assert ("blocker", "api-removed", "PodSecurityPolicy", "policy/v1beta1") in _about(
        report_for_manifests([str(chart)], target="1.25", find_clients=False,
                             values=[str(pinned)])
    )


def test_what_depends_on_more_than_the_cluster_stays_reported(tmp_path: Path) -> None:
    # A CRD the cluster may or may not have, and the release being installed: not known.
    crd = """\
{{- if .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" }}
apiVersion: policy/v1
{{- else }}
apiVersion: policy/v1beta1
{{- end }}
kind: PodDisruptionBudget
metadata: {name: m}
"""
    release = IF_ELSE.replace(
        'if semverCompare ">=1.21-0" .Capabilities.KubeVersion.GitVersion',
        'if and (semverCompare ">=1.21-0" .Capabilities.KubeVersion.GitVersion) '
        ".Release.IsInstall",
    )
    for text in (crd, release):
        report = _scan(_chart(tmp_path / str(len(text)), pdb=text), "1.25")
        finding = _one(report, "policy/v1beta1")
        assert finding.severity.value == "blocker"
        assert "rendered" not in finding.evidence[0].detail
        assert finding.evidence[0].not_rendered_for == ""


def test_rendered_at_the_current_version_needs_a_helm_upgrade_on_the_way(tmp_path: Path) -> None:
    report = _scan(_chart(tmp_path / "c", pdb2=IF_ELSE), "1.25", current="1.20")
    finding = _one(report, "policy/v1beta1")
    assert (finding.severity.value, finding.hop) == ("warning", "1.25")
    assert "At the current 1.20 it still does" in finding.message
    assert "helm upgrade" in finding.remediation
    # From 1.21 on the chart writes policy/v1: nothing is left to re-render.
    again = _scan(_chart(tmp_path / "d", pdb2=IF_ELSE), "1.25", current="1.22")
    assert _one(again, "policy/v1beta1").severity.value == "info"

"""Charts without helm: the template-aware fallback reads apiVersion/kind lines in every
branch of the template's conditionals, says what it could not resolve, and the report's
coverage says the chart was not rendered and why."""

from __future__ import annotations

import io
import os
import stat
import tarfile
from pathlib import Path

import pytest

from upgradecheck.assess import assess
from upgradecheck.collect.binaries import BuildOptions, ClientFinder
from upgradecheck.collect.files.scan import scan_manifests
from upgradecheck.collect.helm.chart import TemplateFile
from upgradecheck.collect.helm.fallback import read_templates
from upgradecheck.knowledge import load_knowledge_base
from upgradecheck.knowledge.model import KnowledgeBase
from upgradecheck.model import EvidenceSource, Snapshot
from upgradecheck.versions import parse_minor

CHARTS = Path(__file__).resolve().parents[2] / "fixtures" / "charts"
NO_HELM = BuildOptions(target=parse_minor("1.33"))
"""Chart and kustomize folders recognised, no client found anywhere."""


@pytest.fixture(scope="module")
def real_kb() -> KnowledgeBase:
    return load_knowledge_base()


def _scan(*paths: Path, build: BuildOptions = NO_HELM) -> Snapshot:
    return scan_manifests([str(p) for p in paths], build=build)


def _read(text: str, name: str = "t.yaml", **others: str) -> list[tuple[str, str, int, str]]:
    """(apiVersion, kind, line, detail) of what the fallback reads from one template."""
    files = [TemplateFile(f"c/templates/{name}", name, text)]
    files += [TemplateFile(f"c/templates/{n}", n, t, renders=False) for n, t in others.items()]
    reading = read_templates(files)
    return [
        (o.ref.api_version, o.ref.kind, int(o.evidence[0].location.rsplit(":", 1)[1]),
         o.evidence[0].detail)
        for o in reading.objects
    ]  # fmt: skip


def _notes(text: str, name: str = "t.yaml") -> list[tuple[str, str]]:
    reading = read_templates([TemplateFile(f"c/templates/{name}", name, text)])
    return [(n.kind, n.reason) for n in reading.notes]


# ---- the chart fixtures through scan_manifests -------------------------------------------


def test_the_else_branch_is_found_with_its_condition(real_kb: KnowledgeBase) -> None:
    chart = CHARTS / "pdb-capabilities"
    snapshot = _scan(chart)
    has = '{{ if .Capabilities.APIVersions.Has "policy/v1/PodDisruptionBudget" }}'
    assert [
        (o.ref.api_version, o.ref.kind, o.ref.name, o.evidence[0].location, o.evidence[0].detail)
        for o in snapshot.objects
    ] == [
        ("policy/v1", "PodDisruptionBudget", '{{ include "pdb-capabilities.fullname" . }}',
         f"{chart}/templates/pdb.yaml:2", f"branch: {has}"),
        ("policy/v1beta1", "PodDisruptionBudget", '{{ include "pdb-capabilities.fullname" . }}',
         f"{chart}/templates/pdb.yaml:4", f"branch: {has} (else)"),
        ("v1", "Service", '{{ include "pdb-capabilities.fullname" . }}',
         f"{chart}/templates/service.yaml:1", "unconditional"),
    ]  # fmt: skip
    assert all(o.evidence[0].source is EvidenceSource.TEMPLATE for o in snapshot.objects)
    (finding,) = assess(snapshot, real_kb, target="1.33").findings
    assert (finding.rule, finding.severity.value) == ("api-removed", "blocker")
    assert finding.evidence[0].location == f"{chart}/templates/pdb.yaml:4"
    assert finding.evidence[0].detail == f"branch: {has} (else)"


def test_the_coverage_says_the_chart_was_not_rendered_and_why() -> None:
    chart = CHARTS / "pdb-capabilities"
    (note,) = _scan(chart).coverage
    assert (note.kind, note.subject) == ("gap", str(chart))
    assert note.reason == (
        f"chart {chart} not rendered: no helm binary (install helm or pass --helm); "
        "apiVersions read from its templates, both branches of conditionals"
    )


def test_semver_compare_and_a_named_template_are_resolved() -> None:
    chart = CHARTS / "cronjob-semver"
    semver = '{{ if semverCompare ">=1.21-0" .Capabilities.KubeVersion.GitVersion }}'
    hpa = '{{ if semverCompare ">=1.23-0" .Capabilities.KubeVersion.GitVersion }}'
    enabled = "{{ if .Values.autoscaling.enabled }}"
    via = 'via {{ include "cronjob-semver.hpa.apiVersion" . }}'
    assert [
        (o.ref.api_version, o.evidence[0].location.rsplit("/", 1)[1], o.evidence[0].detail)
        for o in _scan(chart).objects
    ] == [
        ("batch/v1", "cronjob.yaml:2", f"branch: {semver}"),
        ("batch/v1beta1", "cronjob.yaml:4", f"branch: {semver} (else)"),
        ("autoscaling/v2", "hpa.yaml:2", f"branch: {enabled} > {hpa}; {via}"),
        ("autoscaling/v2beta2", "hpa.yaml:2", f"branch: {enabled} > {hpa} (else); {via}"),
    ]


def test_chart_files_are_not_also_read_as_plain_files() -> None:
    # The old behaviour noted each unrendered template as "skipped"; a chart is now whole.
    snapshot = _scan(CHARTS / "legacy-ingress")
    assert [n.kind for n in snapshot.coverage] == ["gap"]
    assert snapshot.stats["documents"] == 0  # Chart.yaml and values.yaml not read as YAML
    assert snapshot.stats["files"] == 1  # the one template
    assert len(snapshot.objects) == 1


def test_without_build_options_a_chart_is_plain_files() -> None:
    snapshot = scan_manifests([str(CHARTS / "legacy-ingress")])
    assert [n.kind for n in snapshot.coverage] == ["skipped"]
    assert "unrendered template" in snapshot.coverage[0].reason


def test_a_lone_template_file_keeps_its_skipped_note() -> None:
    template = CHARTS / "pdb-capabilities" / "templates" / "pdb.yaml"
    (note,) = _scan(template).coverage
    assert note.kind == "skipped"
    assert note.reason.startswith(f"{template}:1: unrendered template")


def test_a_helm_on_path_that_does_not_work_falls_back_with_the_reason(tmp_path: Path) -> None:
    fake = tmp_path / "bin" / "helm"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'helm: cannot execute here' >&2\nexit 3\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    finder = ClientFinder("helm", search_path=str(fake.parent))
    build = BuildOptions(target=parse_minor("1.33"), helm=finder)
    snapshot = _scan(CHARTS / "legacy-ingress", build=build)
    (note,) = snapshot.coverage
    assert f"not rendered: helm at {fake} does not work: helm: cannot execute here;" in note.reason
    assert len(snapshot.objects) == 1


def test_values_lookups_use_the_chart_values_and_values_files(tmp_path: Path) -> None:
    chart = tmp_path / "monitor"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: monitor\nversion: 1.0.0\n")
    (chart / "values.yaml").write_text(
        "serviceMonitor:\n  apiVersion: monitoring.coreos.com/v1\nhpa: {}\n"
    )
    templates = chart / "templates"
    (templates / "sm.yaml").write_text(
        "apiVersion: {{ .Values.serviceMonitor.apiVersion }}\nkind: ServiceMonitor\n"
    )
    (templates / "hpa.yaml").write_text(
        'apiVersion: {{ .Values.hpa.apiVersion | default "autoscaling/v2" }}\n'
        "kind: HorizontalPodAutoscaler\n"
        "---\n"
        'apiVersion: {{ default "policy/v1" $.Values.pdb.apiVersion | quote }}\n'
        "kind: PodDisruptionBudget\n"
    )
    rows = [(o.ref.api_version, o.evidence[0].detail) for o in _scan(chart).objects]
    assert rows == [
        ("autoscaling/v2", 'unconditional; via {{ .Values.hpa.apiVersion | default '
                           '"autoscaling/v2" }} (default)'),
        ("policy/v1", 'unconditional; via {{ default "policy/v1" $.Values.pdb.apiVersion | '
                      "quote }} (default)"),
        ("monitoring.coreos.com/v1", "unconditional; via {{ .Values.serviceMonitor.apiVersion }}"
                                     " = monitoring.coreos.com/v1 (chart values)"),
    ]  # fmt: skip
    override = tmp_path / "prod.yaml"
    override.write_text("hpa:\n  apiVersion: autoscaling/v2beta2\n")
    build = BuildOptions(target=parse_minor("1.33"), values=(str(override),))
    snapshot = _scan(chart, build=build)
    assert snapshot.objects[0].ref.api_version == "autoscaling/v2beta2"
    missing = BuildOptions(target=parse_minor("1.33"), values=(str(tmp_path / "nope.yaml"),))
    assert [n.kind for n in _scan(chart, build=missing).coverage] == ["error", "gap"]


def test_a_broken_chart_yaml_is_an_input_error(tmp_path: Path) -> None:
    chart = tmp_path / "broken"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: [broken\n")
    (chart / "templates" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\n")
    snapshot = _scan(chart)
    assert [n.kind for n in snapshot.coverage] == ["error", "gap"]
    assert snapshot.coverage[0].reason.startswith(f"{chart}/Chart.yaml:3: YAML error")
    assert [o.ref.kind for o in snapshot.objects] == ["ConfigMap"]


def test_a_library_chart_renders_nothing(tmp_path: Path) -> None:
    chart = tmp_path / "common"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: common\ntype: library\n")
    (chart / "templates" / "_pdb.tpl").write_text('{{- define "x" }}apiVersion: v1{{ end }}\n')
    snapshot = _scan(chart)
    assert snapshot.objects == ()
    (note,) = snapshot.coverage
    assert (note.kind, note.reason) == (
        "skipped", f"{chart}: library chart (type: library): renders nothing by itself"
    )


def test_crds_are_read_as_plain_manifests(tmp_path: Path) -> None:
    chart = tmp_path / "operator"
    (chart / "crds").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: operator\nversion: 1.0.0\n")
    (chart / "crds" / "widgets.yaml").write_text(
        "apiVersion: apiextensions.k8s.io/v1beta1\nkind: CustomResourceDefinition\n"
        "metadata:\n  name: widgets.example.com\n"
    )
    (obj,) = _scan(chart).objects
    assert (obj.ref.api_version, obj.evidence[0].source) == (
        "apiextensions.k8s.io/v1beta1", EvidenceSource.FILE
    )
    assert obj.evidence[0].location == f"{chart}/crds/widgets.yaml:1"


def test_a_packaged_library_resolves_named_templates(tmp_path: Path) -> None:
    # bitnami style: `apiVersion: {{ include "common.capabilities.policy.apiVersion" . }}`
    # with the definition in charts/common-2.0.0.tgz.
    chart = tmp_path / "app"
    (chart / "templates").mkdir(parents=True)
    (chart / "charts").mkdir()
    (chart / "Chart.yaml").write_text(
        "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - name: common\n"
    )
    (chart / "templates" / "pdb.yaml").write_text(
        'apiVersion: {{ include "common.capabilities.policy.apiVersion" . }}\n'
        "kind: PodDisruptionBudget\nmetadata:\n  name: {{ .Release.Name }}\n"
    )
    helper = (
        '{{- define "common.capabilities.policy.apiVersion" -}}\n'
        '{{- if semverCompare "<1.21-0" (include "common.capabilities.kubeVersion" .) -}}\n'
        '{{- print "policy/v1beta1" -}}\n{{- else -}}\n{{- print "policy/v1" -}}\n'
        "{{- end -}}\n{{- end -}}\n"
    )
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for rel, text in {
            "common/Chart.yaml": "apiVersion: v2\nname: common\ntype: library\n",
            "common/templates/_capabilities.tpl": helper,
        }.items():
            info = tarfile.TarInfo(rel)
            info.size = len(text.encode())
            archive.addfile(info, io.BytesIO(text.encode()))
    (chart / "charts" / "common-2.0.0.tgz").write_bytes(buffer.getvalue())
    snapshot = _scan(chart)
    assert [(o.ref.api_version, o.evidence[0].location) for o in snapshot.objects] == [
        ("policy/v1beta1", f"{chart}/templates/pdb.yaml:1"),
        ("policy/v1", f"{chart}/templates/pdb.yaml:1"),
    ]
    assert snapshot.objects[0].evidence[0].detail.startswith(
        'branch: {{ if semverCompare "<1.21-0" (include "common.capabilities.kubeVersion" .) }};'
    )
    assert [n.kind for n in snapshot.coverage] == ["gap"]  # only "not rendered"


def test_a_missing_dependency_is_a_gap(tmp_path: Path) -> None:
    chart = tmp_path / "app"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(
        "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - name: redis\n"
    )
    notes = [n.reason for n in _scan(chart).coverage]
    assert notes[0] == (
        f"{chart}: dependency redis is not in charts/ (run helm dependency build): its "
        "templates are not read"
    )


def test_every_template_file_yields_objects_or_a_note(tmp_path: Path) -> None:
    chart = tmp_path / "app"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: app\nversion: 1.0.0\n")
    templates = chart / "templates"
    (templates / "extra.yaml").write_text(
        "{{- range .Values.extraObjects }}\n---\n{{ tpl (toYaml .) $ }}\n{{- end }}\n"
    )
    (templates / "computed.yaml").write_text(
        "apiVersion: {{ .Values.apiVersion }}\nkind: Widget\nmetadata:\n  name: w\n"
    )
    (templates / "notes.yaml").write_text("just: some yaml\n")
    (templates / "defines.tpl").write_text('{{- define "only.a.define" }}x{{ end }}\n')
    (templates / "_helpers.tpl").write_text('{{- define "helper" }}y{{ end }}\n')
    snapshot = _scan(chart)
    assert snapshot.objects == ()
    assert [(n.kind, n.reason.removeprefix(f"{templates}/")) for n in snapshot.coverage] == [
        ("gap", "computed.yaml:1: apiVersion comes from {{ .Values.apiVersion }}, which cannot "
                "be resolved without rendering the chart"),
        ("gap", "extra.yaml:3: no apiVersion line; what it renders comes from "
                "{{ tpl (toYaml .) $ }}, not known without rendering"),
        ("skipped", "notes.yaml:1: no apiVersion line: not read as a Kubernetes object"),
        ("gap", f"chart {chart} not rendered: no helm binary (install helm or pass --helm); "
                "apiVersions read from its templates, both branches of conditionals"),
    ]  # fmt: skip


# ---- the template reader on its own ---------------------------------------------------


def test_an_inline_conditional_gives_both_values() -> None:
    text = (
        'apiVersion: {{ if .Capabilities.APIVersions.Has "batch/v1/CronJob" }}batch/v1'
        "{{ else }}batch/v1beta1{{ end }}\nkind: CronJob\n"
    )
    has = '{{ if .Capabilities.APIVersions.Has "batch/v1/CronJob" }}'
    assert _read(text) == [
        ("batch/v1", "CronJob", 1, f"branch: {has}"),
        ("batch/v1beta1", "CronJob", 1, f"branch: {has} (else)"),
    ]


def test_else_if_chains_and_nesting() -> None:
    text = (
        "{{- if .Values.a }}\n"
        "{{- if semverCompare \">=1.25-0\" .Capabilities.KubeVersion.Version }}\n"
        "apiVersion: policy/v1\n"
        "{{- else if semverCompare \">=1.21-0\" .Capabilities.KubeVersion.Version }}\n"
        "apiVersion: policy/v1beta1\n"
        "{{- else }}\n"
        "apiVersion: extensions/v1beta1\n"
        "{{- end }}\n"
        "kind: PodDisruptionBudget\n"
        "{{- end }}\n"
    )
    rows = _read(text)
    assert [(api, line) for api, _, line, _ in rows] == [
        ("policy/v1", 3), ("policy/v1beta1", 5), ("extensions/v1beta1", 7),
    ]
    assert rows[1][3] == (
        'branch: {{ if .Values.a }} > {{ if semverCompare ">=1.25-0" '
        '.Capabilities.KubeVersion.Version }} (else if semverCompare ">=1.21-0" '
        ".Capabilities.KubeVersion.Version)"
        # No values: `.Values.a` is unset, so only other values render any of them.
        "; not rendered with the chart's values: needs {{ if .Values.a }}"
    )
    assert ".Capabilities.KubeVersion.Version }} (else);" in rows[2][3]


def test_each_apiversion_pairs_with_the_kind_of_its_own_branch_and_document() -> None:
    text = (
        "{{- if .Values.new }}\n"
        "apiVersion: batch/v1\nkind: CronJob\n"
        "{{- else }}\n"
        "kind: Job\napiVersion: batch/v1beta1\n"  # kind before apiVersion
        "{{- end }}\n"
        "---\n"
        "apiVersion: v1\nkind: ConfigMap\n"
        "---\n"
        "apiVersion: v1\n"  # no kind in its document
    )
    rows = [(api, kind, line) for api, kind, line, _ in _read(text)]
    assert rows == [("batch/v1", "CronJob", 2), ("batch/v1beta1", "Job", 6), ("v1", "ConfigMap", 9)]
    assert _notes(text) == [
        ("gap", "t.yaml:12: the kind of this v1 object cannot be read without rendering the chart")
    ]


def test_range_with_and_comments_are_followed() -> None:
    text = (
        "{{/* a comment with {{ braces }} and an\napiVersion: in it */}}\n"
        "{{- range $name, $job := .Values.jobs }}\n---\n"
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {{ $name }}\n"
        "{{- end }}\n"
        "{{- with .Values.ingress }}\n---\n"
        'apiVersion: "networking.k8s.io/v1"   # quoted, with a comment\n'
        "kind: Ingress\n"
        "{{- end }}\n"
    )
    assert [(api, kind, line, detail) for api, kind, line, detail in _read(text)] == [
        ("batch/v1", "Job", 5, "branch: {{ range $name, $job := .Values.jobs }}; not rendered "
         "with the chart's values: needs {{ range $name, $job := .Values.jobs }}"),
        ("networking.k8s.io/v1", "Ingress", 12, "branch: {{ with .Values.ingress }}; not "
         "rendered with the chart's values: needs {{ with .Values.ingress }}"),
    ]


def test_a_whole_document_from_an_include_points_at_the_include_line() -> None:
    helpers = (
        '{{- define "app.pdb" -}}\n'
        "{{- if .Values.legacy }}\napiVersion: policy/v1beta1\n{{- else }}\n"
        "apiVersion: policy/v1\n{{- end }}\nkind: PodDisruptionBudget\n"
        "{{- end -}}\n"
    )
    rows = _read('# the PDB\n{{ include "app.pdb" . }}\n', **{"_helpers.tpl": helpers})
    assert [(api, line) for api, _, line, _ in rows] == [("policy/v1beta1", 2), ("policy/v1", 2)]
    assert rows[0][3] == (
        'branch: {{ if .Values.legacy }}; via {{ include "app.pdb" . }}; '
        "not rendered with the chart's values: needs {{ if .Values.legacy }}"
    )


def test_unbalanced_blocks_are_noted_and_read_as_far_as_possible() -> None:
    text = "{{- if .Values.x }}\napiVersion: v1\nkind: ConfigMap\n{{- end }}\n{{- end }}\n"
    assert [(api, kind) for api, kind, _, _ in _read(text)] == [("v1", "ConfigMap")]
    assert _notes(text) == [
        ("gap", "t.yaml:5: {{ end }} without an opening block; read as far as possible")
    ]
    unclosed = "{{- if .Values.x }}\napiVersion: v1\nkind: ConfigMap\n"
    assert _notes(unclosed) == [
        ("gap", "t.yaml:1: {{ if .Values.x }} has no {{ end }}; read as far as possible")
    ]


def test_nested_apiversion_keys_are_not_objects() -> None:
    text = (
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nspec:\n"
        "  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n"
    )
    assert [(api, kind) for api, kind, _, _ in _read(text)] == [
        ("autoscaling/v2", "HorizontalPodAutoscaler")
    ]


@pytest.mark.skipif(os.name != "posix", reason="file modes")
def test_fallback_reads_templates_in_subfolders(tmp_path: Path) -> None:
    chart = tmp_path / "app"
    (chart / "templates" / "jobs").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: app\nversion: 1.0.0\n")
    (chart / "templates" / "jobs" / "cron.yaml").write_text(
        "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: nightly\n"
    )
    (obj,) = _scan(chart).objects
    assert (obj.ref.name, obj.evidence[0].location) == (
        "nightly", f"{chart}/templates/jobs/cron.yaml:1"
    )


def test_a_value_inside_a_line_is_not_taken_for_whole_documents() -> None:
    text = "# data only\nkey: {{ .Values.x | quote }}\n"
    assert _notes(text) == [
        ("skipped", "t.yaml:2: no apiVersion line: not read as a Kubernetes object")
    ]


# ---- the shapes real charts lose without evaluation ----------------------------------------

OFF = "not rendered with the chart's values"


def _read_with(text: str, values: dict[str, object], **others: str) -> list[tuple[str, str, str]]:
    """(apiVersion, kind, detail) read from one template, with the chart's values."""
    files = [TemplateFile("c/templates/t.yaml", "t.yaml", text, values=values)]
    files += [TemplateFile(f"c/templates/{n}", n, t, renders=False, values=values)
              for n, t in others.items()]  # fmt: skip
    reading = read_templates(files)
    assert reading.notes == []
    return [(o.ref.api_version, o.ref.kind, o.evidence[0].detail) for o in reading.objects]


def test_kinds_chosen_under_one_apiversion_line_are_each_reported() -> None:
    text = (
        "apiVersion: rbac.authorization.k8s.io/v1beta1\n"
        "{{- if .Values.rbac.namespaced }}\n"
        "kind: Role\n"
        "{{- else }}\n"
        "kind: ClusterRole\n"
        "{{- end }}\n"
        "metadata:\n  name: reader\n"
    )
    namespaced = "{{ if .Values.rbac.namespaced }}"
    assert _read_with(text, {"rbac": {"namespaced": False}}) == [
        ("rbac.authorization.k8s.io/v1beta1", "Role",
         f"branch: {namespaced}; {OFF}: needs {namespaced}"),
        ("rbac.authorization.k8s.io/v1beta1", "ClusterRole", f"branch: {namespaced} (else)"),
    ]  # fmt: skip
    assert _read_with(text, {"rbac": {"namespaced": True}}) == [
        ("rbac.authorization.k8s.io/v1beta1", "Role", f"branch: {namespaced}"),
        ("rbac.authorization.k8s.io/v1beta1", "ClusterRole",
         f"branch: {namespaced} (else); {OFF}: needs {namespaced} (else)"),
    ]  # fmt: skip


AUTOSCALER_HELPERS = (
    "{{/*\nReturn the appropriate apiVersion for podsecuritypolicy.\n*/}}\n"
    '{{- define "podsecuritypolicy.apiVersion" -}}\n'
    "{{- $kubeTargetVersion := default .Capabilities.KubeVersion.GitVersion"
    " .Values.kubeTargetVersionOverride }}\n"
    '{{- if semverCompare "<1.10-0" $kubeTargetVersion -}}\n'
    '{{- print "extensions/v1beta1" -}}\n'
    "{{- else -}}\n"
    '{{- print "policy/v1beta1" -}}\n'
    "{{- end -}}\n"
    "{{- end -}}\n"
)


def test_a_helper_comparing_a_version_variable_set_from_capabilities() -> None:
    text = (
        "{{- if .Values.rbac.pspEnabled }}\n"
        'apiVersion: {{ template "podsecuritypolicy.apiVersion" . }}\n'
        "kind: PodSecurityPolicy\n"
        "{{- end }}\n"
    )
    helpers = {"_helpers.tpl": AUTOSCALER_HELPERS}
    values: dict[str, object] = {"rbac": {"pspEnabled": True}, "kubeTargetVersionOverride": ""}
    compare = '{{ if semverCompare "<1.10-0" $kubeTargetVersion }}'
    via = 'via {{ template "podsecuritypolicy.apiVersion" . }}'
    enabled = "{{ if .Values.rbac.pspEnabled }}"
    assert _read_with(text, values, **helpers) == [
        ("extensions/v1beta1", "PodSecurityPolicy", f"branch: {enabled} > {compare}; {via}"),
        ("policy/v1beta1", "PodSecurityPolicy", f"branch: {enabled} > {compare} (else); {via}"),
    ]
    # An override in the values decides the comparison: the other branch needs other values.
    values["kubeTargetVersionOverride"] = "1.25.0"
    rows = _read_with(text, values, **helpers)
    assert [(api, OFF in detail) for api, _, detail in rows] == [
        ("extensions/v1beta1", True), ("policy/v1beta1", False),
    ]


def test_ternary_on_semver_compare_gives_both_versions() -> None:
    text = (
        'apiVersion: {{ ternary "policy/v1" "policy/v1beta1" (semverCompare ">=1.21.0-0" '
        ".Capabilities.KubeVersion.Version) }}\nkind: PodDisruptionBudget\n"
    )
    ternary = (
        '{{ ternary "policy/v1" "policy/v1beta1" (semverCompare ">=1.21.0-0" '
        ".Capabilities.KubeVersion.Version) }}"
    )
    assert _read_with(text, {}) == [
        ("policy/v1", "PodDisruptionBudget", f"branch: {ternary} (true)"),
        ("policy/v1beta1", "PodDisruptionBudget", f"branch: {ternary} (false)"),
    ]


def test_an_inline_chain_with_no_else_is_read_without_a_false_note() -> None:
    has = '.Capabilities.APIVersions.Has "scheduling.k8s.io/v1'
    text = (
        f'apiVersion: scheduling.k8s.io/{{{{ if {has}" }}}}v1{{{{ else if {has}beta1" }}}}'
        "v1beta1{{ end }}\nkind: PriorityClass\n"
    )
    assert [(api, kind) for api, kind, _ in _read_with(text, {})] == [
        ("scheduling.k8s.io/v1", "PriorityClass"), ("scheduling.k8s.io/v1beta1", "PriorityClass"),
    ]


def test_a_value_continued_on_the_next_line_by_a_trim_marker() -> None:
    text = (
        "apiVersion: batch/\n"
        '{{- if semverCompare ">=1.21-0" .Capabilities.KubeVersion.GitVersion -}} v1 '
        "{{- else -}} v1beta1 {{- end }}\nkind: CronJob\n"
    )
    assert [(api, kind) for api, kind, _ in _read_with(text, {})] == [
        ("batch/v1", "CronJob"), ("batch/v1beta1", "CronJob"),
    ]


def test_what_a_helper_cannot_resolve_is_noted_with_the_helpers_line() -> None:
    helpers = '{{- define "x.api" -}}\n{{ .Files.Get "api.txt" | trim }}\n{{- end -}}\n'
    files = [
        TemplateFile("c/templates/t.yaml", "t.yaml", 'apiVersion: {{ include "x.api" . }}\n'
                     "kind: Widget\n"),
        TemplateFile("c/templates/_helpers.tpl", "_helpers.tpl", helpers, renders=False),
    ]
    assert [n.reason for n in read_templates(files).notes] == [
        't.yaml:1: apiVersion comes from {{ .Files.Get "api.txt" | trim }} (at _helpers.tpl:2), '
        "which cannot be resolved without rendering the chart"
    ]


def test_an_apiversion_after_actions_that_print_nothing_starts_a_line() -> None:
    text = (
        "{{- if .Values.pdb -}}\n"
        "{{- if and .Values.pdb.minAvailable .Values.pdb.maxUnavailable }}\n"
        '    {{- fail "set one of minAvailable and maxUnavailable" }}\n'
        '{{- end }}apiVersion: {{ ternary "policy/v1" "policy/v1beta1" true }}\n'
        "kind: PodDisruptionBudget\n"
        "{{- end }}\n"
    )
    rows = _read_with(text, {"pdb": {"minAvailable": 1}})
    assert [(api, kind, OFF in detail) for api, kind, detail in rows] == [
        ("policy/v1", "PodDisruptionBudget", False),
        ("policy/v1beta1", "PodDisruptionBudget", True),  # `true` decides the ternary
    ]


def test_a_default_over_an_unknown_value_gives_the_default_and_a_note() -> None:
    text = (
        "{{- range $name, $route := .Values.routes }}\n---\n"
        'apiVersion: {{ $route.apiVersion | default "gateway.networking.k8s.io/v1" }}\n'
        "kind: HTTPRoute\n{{- end }}\n"
    )
    files = [TemplateFile("c/templates/t.yaml", "t.yaml", text, values={"routes": {"a": {}}})]
    reading = read_templates(files)
    assert [(o.ref.api_version, o.evidence[0].location) for o in reading.objects] == [
        ("gateway.networking.k8s.io/v1", "t.yaml:3")
    ]
    assert [n.reason for n in reading.notes] == [
        't.yaml:3: apiVersion comes from {{ $route.apiVersion | default '
        '"gateway.networking.k8s.io/v1" }}, which cannot be resolved without rendering the chart'
    ]


# ---- object names, in every way metadata is written ---------------------------------------

NAMES = [
    ("metadata:\n  name: web\n", "web"),
    ("metadata:\n  labels: {app: x}\n  name: 'web'  # comment\n", "web"),
    ("metadata: {name: web}\n", "web"),
    ("metadata: {labels: {app: x, tier: y}, name: web, namespace: n}\n", "web"),
    ('metadata: {name: "a, b}", namespace: n}\n', "a, b}"),
    ("metadata: {name: {{ include \"c.fullname\" . }}, namespace: n}\n",
     '{{ include "c.fullname" . }}'),
    ('metadata: {name: {{ printf "%s}}" .Release.Name }}, namespace: n}\n',
     '{{ printf "%s}}" .Release.Name }}'),
    ("metadata: {\n  namespace: n,\n  name: web\n}\n", "web"),
    ("metadata: {namespace: n}\n", "<unnamed>"),
    ("metadata: {}\n", "<unnamed>"),
    ("spec: {}\n", "<unnamed>"),
]  # fmt: skip


@pytest.mark.parametrize("metadata,name", NAMES, ids=[str(i) for i in range(len(NAMES))])
def test_the_object_name_is_read_from_block_and_flow_metadata(metadata: str, name: str) -> None:
    text = "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\n" + metadata
    files = [TemplateFile("c/templates/t.yaml", "t.yaml", text)]
    assert [o.ref.name for o in read_templates(files).objects] == [name]

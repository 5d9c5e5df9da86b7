"""scan_manifests on a fixture tree: objects, exact lines, evidence, stats and coverage."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from upgradecheck.collect.errors import ManifestError, SourceError
from upgradecheck.collect.files.scan import scan_manifests
from upgradecheck.model import EvidenceSource, Snapshot

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "manifests"
MIXED = FIXTURES / "mixed"


def _rows(snapshot: Snapshot, root: Path) -> list[tuple[str, str, str | None, str, str]]:
    """(apiVersion, kind, namespace, name, location relative to root) per object."""
    prefix = str(root) + os.sep
    return [
        (
            obj.ref.api_version,
            obj.ref.kind,
            obj.ref.namespace,
            obj.ref.name,
            obj.evidence[0].location.removeprefix(prefix),
        )
        for obj in snapshot.objects
    ]


@pytest.fixture(scope="module")
def mixed() -> Snapshot:
    return scan_manifests([str(MIXED)])


def test_every_object_with_its_file_and_line_in_sorted_order(mixed: Snapshot) -> None:
    assert _rows(mixed, MIXED) == [
        ("apps/v1", "Deployment", "shop", "web", "apps/shop.yaml:3"),
        ("v1", "Service", "shop", "web", "apps/shop.yaml:27"),  # kind: comes first
        ("extensions/v1beta1", "Ingress", "shop", "web", "apps/shop.yaml:37"),
        ("v1", "ConfigMap", "shop", "before", "broken.yaml:1"),
        ("v1", "ConfigMap", "shop", "after", "broken.yaml:17"),
        ("policy/v1beta1", "PodDisruptionBudget", None, "release-mychart", "helm-output.yaml:3"),
        ("batch/v1beta1", "CronJob", None, "release-mychart-cleanup", "helm-output.yaml:16"),
        ("extensions/v1beta1", "Deployment", "ops", "legacy", "list.yaml:5"),
        ("v1", "Service", "ops", "legacy", "list.yaml:17"),
        (
            "autoscaling/v2beta2",
            "HorizontalPodAutoscaler",
            "shop",
            "web",
            "nested/deeper/hpa.yml:1",
        ),
        ("policy/v1beta1", "PodDisruptionBudget", "shop", "api", "pdb.json:6"),
        ("policy/v1beta1", "PodSecurityPolicy", None, "restricted", "pdb.json:14"),
    ]


def test_evidence_is_a_file_observation_of_the_written_api_version(mixed: Snapshot) -> None:
    for obj in mixed.objects:
        (evidence,) = obj.evidence
        assert evidence.source is EvidenceSource.FILE
        assert evidence.api_version == obj.ref.api_version == obj.body["apiVersion"]


def test_location_is_the_path_as_given_joined_with_the_path_inside(mixed: Snapshot) -> None:
    locations = [obj.evidence[0].location for obj in mixed.objects]
    assert os.path.join(str(MIXED), "nested", "deeper", "hpa.yml") + ":1" in locations


def test_helm_template_source_is_recorded_in_the_evidence(mixed: Snapshot) -> None:
    by_name = {obj.ref.name: obj.evidence[0].detail for obj in mixed.objects}
    assert by_name["release-mychart"] == "helm template source: mychart/templates/pdb.yaml"
    assert by_name["release-mychart-cleanup"] == (
        "helm template source: mychart/templates/cronjob.yaml"
    )
    assert by_name["web"] == ""


def test_malformed_document_is_an_error_with_file_and_line(mixed: Snapshot) -> None:
    (note,) = mixed.coverage
    broken = str(MIXED / "broken.yaml")
    assert note.kind == "error" and note.is_input_error
    assert note.subject == broken
    assert note.reason.startswith(f"{broken}:14: YAML error: ")
    assert "flow mapping" in note.reason


def test_stats_count_files_documents_objects_and_skips(mixed: Snapshot) -> None:
    # 7 manifest files (.hidden/ and notes.txt are not read); values.yaml is the one
    # non-Kubernetes document and the one file without objects; the empty document in
    # shop.yaml is not counted.
    assert dict(mixed.stats) == {
        "files": 7,
        "documents": 12,
        "objects": 12,
        "skipped_documents": 1,
        "skipped_files": 1,
    }


def test_snapshot_header(mixed: Snapshot) -> None:
    import upgradecheck

    assert mixed.source == "manifests"
    assert mixed.tool_version == upgradecheck.__version__
    assert mixed.collected_at.endswith("Z") and "T" in mixed.collected_at


def test_single_file_and_relative_paths_keep_the_name_as_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(MIXED)
    snapshot = scan_manifests(["nested/deeper/hpa.yml", "list.yaml"])
    assert [obj.evidence[0].location for obj in snapshot.objects] == [
        "nested/deeper/hpa.yml:1",
        "list.yaml:5",
        "list.yaml:17",
    ]


def test_named_file_is_read_whatever_its_extension() -> None:
    snapshot = scan_manifests([str(MIXED / "notes.txt")])
    assert [obj.ref.name for obj in snapshot.objects] == ["not-a-manifest-extension"]


def test_a_file_named_twice_or_inside_a_named_folder_is_read_once() -> None:
    snapshot = scan_manifests([str(MIXED / "list.yaml"), str(MIXED), str(MIXED / "list.yaml")])
    assert len(snapshot.objects) == 12
    assert snapshot.stats["files"] == 7


def test_stdin_is_read_for_dash() -> None:
    text = (MIXED / "helm-output.yaml").read_text()
    snapshot = scan_manifests(["-"], stdin=io.StringIO(text))
    assert [(o.ref.kind, o.evidence[0].location) for o in snapshot.objects] == [
        ("PodDisruptionBudget", "<stdin>:3"),
        ("CronJob", "<stdin>:16"),
    ]
    assert snapshot.stats["files"] == 1


def test_stdin_bytes_buffer_and_json_are_recognised() -> None:
    raw = (MIXED / "pdb.json").read_bytes()
    stream = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8")
    snapshot = scan_manifests(["-"], stdin=stream)
    assert [o.evidence[0].location for o in snapshot.objects] == ["<stdin>:6", "<stdin>:14"]


def test_stdin_with_files() -> None:
    snapshot = scan_manifests(
        [str(MIXED / "nested"), "-"], stdin=io.StringIO("apiVersion: v1\nkind: Namespace\n")
    )
    assert [o.ref.kind for o in snapshot.objects] == ["HorizontalPodAutoscaler", "Namespace"]


def test_missing_path_raises_one_clear_line(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope")
    with pytest.raises(ManifestError) as raised:
        scan_manifests([str(MIXED), missing])
    assert str(raised.value) == f"no such file or folder: {missing}"
    assert isinstance(raised.value, SourceError)


def test_no_paths_is_bad_usage() -> None:
    with pytest.raises(ManifestError):
        scan_manifests([])


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root reads all")
def test_unreadable_named_file_raises(tmp_path: Path) -> None:
    locked = tmp_path / "locked.yaml"
    locked.write_text("apiVersion: v1\nkind: Namespace\n")
    locked.chmod(0)
    with pytest.raises(ManifestError, match="cannot read"):
        scan_manifests([str(locked)])


def test_unrendered_chart_templates_are_skipped_not_errors() -> None:
    chart = FIXTURES / "chart"
    snapshot = scan_manifests([str(chart)])
    template = str(chart / "templates" / "deployment.yaml")
    assert [(note.kind, note.subject) for note in snapshot.coverage] == [("skipped", template)]
    assert snapshot.coverage[0].reason.startswith(f"{template}:1: unrendered template")
    assert "(2 documents)" in snapshot.coverage[0].reason
    # A template that happens to be valid YAML still shows the apiVersion it is written in.
    assert [(o.ref.api_version, o.ref.kind) for o in snapshot.objects] == [("v1", "Service")]
    assert snapshot.stats["skipped_documents"] == 3  # Chart.yaml and the two templates


def test_unparseable_yaml_that_names_no_api_version_is_still_an_error(tmp_path: Path) -> None:
    # Whether a broken file was meant as a manifest cannot be known: never assume harmless.
    (tmp_path / "values.yaml").write_text("replicas: 2\nimage: [nginx\n")
    snapshot = scan_manifests([str(tmp_path)])
    (note,) = snapshot.coverage
    assert note.kind == "error"
    assert note.reason.startswith(f"{tmp_path / 'values.yaml'}:3: YAML error")
    assert note.reason.endswith("(names no apiVersion)")


def test_typed_list_items_inherit_api_version_and_kind(tmp_path: Path) -> None:
    path = tmp_path / "deployments.yaml"
    path.write_text(
        "apiVersion: apps/v1\nkind: DeploymentList\nitems:\n"
        "- metadata:\n    name: a\n"
        "- metadata:\n    name: b\n"
    )
    snapshot = scan_manifests([str(path)])
    assert [
        (o.ref.api_version, o.ref.kind, o.ref.name, o.evidence[0].location)
        for o in snapshot.objects
    ] == [
        ("apps/v1", "Deployment", "a", f"{path}:4"),
        ("apps/v1", "Deployment", "b", f"{path}:6"),
    ]


def test_names_fall_back_to_generate_name_then_unnamed(tmp_path: Path) -> None:
    path = tmp_path / "jobs.yaml"
    path.write_text(
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: migrate-\n---\n"
        "apiVersion: v1\nkind: Namespace\n"
    )
    snapshot = scan_manifests([str(path)])
    assert [o.ref.name for o in snapshot.objects] == ["migrate-", "<unnamed>"]
    assert [o.ref.namespace for o in snapshot.objects] == [None, None]


def test_kustomize_build_output(tmp_path: Path) -> None:
    # `kustomize build` prints plain `---`-separated objects with no leading marker.
    path = tmp_path / "built.yaml"
    path.write_text(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\n"
        "apiVersion: networking.k8s.io/v1beta1\nkind: Ingress\nmetadata:\n"
        "  name: web\n  namespace: shop\n"
    )
    snapshot = scan_manifests([str(path)])
    assert [o.evidence[0].location for o in snapshot.objects] == [f"{path}:1", f"{path}:6"]


def test_crlf_line_endings_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "windows.yaml"
    text = "# Source: c/templates/a.yaml\r\napiVersion: v1\r\nkind: Service\r\n---\r\n"
    text += "apiVersion: v1\r\nkind: Namespace\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    snapshot = scan_manifests([str(path)])
    assert [o.evidence[0].location for o in snapshot.objects] == [f"{path}:2", f"{path}:5"]
    assert snapshot.objects[0].evidence[0].detail == "helm template source: c/templates/a.yaml"


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    # PowerShell 5's `>` writes UTF-16: `kubectl get -o yaml > out.yaml` on Windows.
    path = tmp_path / "out.yaml"
    path.write_bytes("apiVersion: v1\nkind: Namespace\n".encode("utf-16"))
    snapshot = scan_manifests([str(path)])
    assert [o.ref.kind for o in snapshot.objects] == ["Namespace"]
    assert snapshot.coverage == ()


def test_yaml_timestamps_and_custom_tags_stay_plain(tmp_path: Path) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
        "  labels:\n    since: 2020-01-01T00:00:00Z\n---\n"
        "Resources:\n  Bucket: !Ref Name\n"  # CloudFormation: not Kubernetes, skipped
    )
    snapshot = scan_manifests([str(path)])
    assert snapshot.objects[0].body["metadata"]["labels"]["since"] == "2020-01-01T00:00:00Z"
    assert snapshot.coverage == ()
    assert snapshot.stats["skipped_documents"] == 1

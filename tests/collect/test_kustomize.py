"""Kustomization folders: built by a real `kubectl kustomize` (each object pointing at the
resource file it came from), or, without kubectl, the resources they list scanned as
written; never also read as plain files."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from support.clients import Traced, client, kubectl_minors

from upgradecheck.assess import assess
from upgradecheck.collect.binaries import BuildOptions, Client, ClientFinder, probe_client
from upgradecheck.collect.files.scan import scan_manifests
from upgradecheck.knowledge import load_knowledge_base
from upgradecheck.model import EvidenceSource, Snapshot
from upgradecheck.versions import parse_minor

SHOP = Path(__file__).resolve().parent.parent / "fixtures" / "kustomize" / "shop"
PROD = SHOP / "overlays" / "prod"
NO_KUBECTL = BuildOptions(target=parse_minor("1.33"))


def _with(kubectl: str | Path) -> BuildOptions:
    found = ClientFinder.ready("kubectl", probe_client("kubectl", str(kubectl)))
    return BuildOptions(target=parse_minor("1.33"), kubectl=found)


def _rows(snapshot: Snapshot, root: Path = SHOP) -> list[tuple[str, str, str, str]]:
    prefix = str(root) + "/"
    return [
        (o.ref.api_version, o.ref.kind, o.ref.name, o.evidence[0].location.removeprefix(prefix))
        for o in snapshot.objects
    ]


@pytest.fixture(params=kubectl_minors(), ids=[f"kubectl{m}" for m in kubectl_minors()])
def kubectl(request: pytest.FixtureRequest) -> Path:
    return client(f"kubectl-{request.param}")


def test_an_overlay_is_built_and_each_object_points_at_its_source(kubectl: Path) -> None:
    snapshot = scan_manifests([str(PROD)], build=_with(kubectl), root=str(SHOP))
    assert sorted(_rows(snapshot)) == [
        ("apps/v1", "Deployment", "prod-web", "base/deployment.yaml:1"),
        ("batch/v1beta1", "CronJob", "report", "overlays/prod/extra/cronjob.yaml:2"),
        ("networking.k8s.io/v1beta1", "Ingress", "prod-web", "base/ingress.yaml:12"),
        ("policy/v1beta1", "PodDisruptionBudget", "prod-web", "overlays/prod/pdb.yaml:1"),
        ("v1", "Service", "prod-web", "base/ingress.yaml:2"),
    ]
    version = probe_client("kubectl", str(kubectl)).version
    built = [o for o in snapshot.objects if o.ref.name == "prod-web"]
    assert {o.evidence[0].detail for o in built} == {
        f"built by kubectl kustomize (kubectl {version}) from {PROD}"
    }
    assert all(o.evidence[0].source is EvidenceSource.FILE for o in snapshot.objects)
    # The build's patch applied; the origin annotation is not kept.
    (deployment,) = [o for o in built if o.ref.kind == "Deployment"]
    assert deployment.body["spec"]["replicas"] == 4
    assert "annotations" not in deployment.body["metadata"]
    assert snapshot.coverage == ()
    assert snapshot.stats["kustomizations_built"] == 1


def test_removed_apis_of_a_build_are_blockers(kubectl: Path) -> None:
    kb = load_knowledge_base()
    snapshot = scan_manifests([str(PROD)], build=_with(kubectl), root=str(SHOP))
    report = assess(snapshot, kb, target="1.33")
    assert sorted((f.rule, f.object.kind if f.object else "", f.evidence[0].location)
                  for f in report.findings if f.rule == "api-removed") == [
        ("api-removed", "CronJob", f"{PROD}/extra/cronjob.yaml:2"),
        ("api-removed", "Ingress", f"{SHOP}/base/ingress.yaml:12"),
        ("api-removed", "PodDisruptionBudget", f"{PROD}/pdb.yaml:1"),
    ]  # fmt: skip


def test_a_tree_builds_each_kustomization_and_reads_nothing_twice(kubectl: Path) -> None:
    snapshot = scan_manifests([str(SHOP.parent)], build=_with(kubectl))
    names = sorted((o.ref.kind, o.ref.name) for o in snapshot.objects)
    assert names == [
        ("CronJob", "report"),
        ("Deployment", "prod-web"), ("Deployment", "web"),
        ("Ingress", "prod-web"), ("Ingress", "web"),
        ("PodDisruptionBudget", "prod-web"),
        ("Service", "prod-web"), ("Service", "web"),
    ]  # fmt: skip
    assert snapshot.stats["kustomizations_built"] == 2


def test_a_kubectl_without_origin_annotations_points_at_the_built_stream(
    kubectl: Path, tmp_path: Path
) -> None:
    # An older kubectl refuses `buildMetadata`: the folder is built directly instead.
    wrapper = tmp_path / "kubectl"
    wrapper.write_text(
        "#!/bin/sh\n"
        'case "$2" in */wrapper) echo "error: unknown field buildMetadata" >&2;'
        " exit 1;; esac\n"
        f'exec "{kubectl}" "$@"\n'
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    snapshot = scan_manifests([str(PROD)], build=_with(wrapper), root=str(SHOP))
    locations = sorted(o.evidence[0].location for o in snapshot.objects if o.ref.name == "prod-web")
    assert locations[0].startswith(f"{PROD} (kustomize build):")
    assert all(loc.startswith(f"{PROD} (kustomize build):") for loc in locations)
    assert snapshot.coverage == ()


def test_a_failing_build_is_an_error_then_the_fallback(kubectl: Path, tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "kustomization.yaml").write_text("resources:\n  - app.yaml\n  - gone.yaml\n")
    (folder / "app.yaml").write_text("apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n"
                                     "  name: nightly\n")
    snapshot = scan_manifests([str(folder)], build=_with(kubectl))
    error, missing, gap = snapshot.coverage
    assert error.kind == "error"
    assert error.reason.startswith(f"{folder}: kubectl kustomize (kubectl ")
    assert "gone.yaml" in error.reason
    assert (missing.kind, missing.reason) == (
        "error", f"{folder}/kustomization.yaml: resources entry gone.yaml does not exist"
    )
    assert gap.reason.startswith(f"kustomization {folder} not built: kubectl kustomize failed;")
    assert _rows(snapshot, folder) == [("batch/v1beta1", "CronJob", "nightly", "app.yaml:1")]


def test_without_kubectl_the_listed_resources_are_scanned() -> None:
    snapshot = scan_manifests([str(PROD)], build=NO_KUBECTL, root=str(SHOP))
    assert _rows(snapshot) == [
        ("apps/v1", "Deployment", "web", "base/deployment.yaml:1"),
        ("v1", "Service", "web", "base/ingress.yaml:2"),
        ("networking.k8s.io/v1beta1", "Ingress", "web", "base/ingress.yaml:12"),
        ("policy/v1beta1", "PodDisruptionBudget", "web", "overlays/prod/pdb.yaml:1"),
        ("batch/v1beta1", "CronJob", "report", "overlays/prod/extra/cronjob.yaml:2"),
    ]
    (note,) = snapshot.coverage
    assert (note.kind, note.subject) == ("gap", str(PROD))
    assert note.reason == (
        f"kustomization {PROD} not built: no kubectl binary (install kubectl or pass "
        "--kubectl); scanned the 3 resource files it lists as written (patches, generators "
        "and name changes not applied)"
    )
    # replicas.yaml is a patch: not an object, never read as one.
    assert not any("replicas.yaml" in o.evidence[0].location for o in snapshot.objects)


def test_fallback_notes_remote_and_missing_resources(tmp_path: Path) -> None:
    folder = tmp_path / "app"
    (folder / "plain").mkdir(parents=True)
    (folder / "Kustomization").write_text(
        "resources:\n"
        "  - https://github.com/example/repo//deploy?ref=v1\n"
        "  - plain\n"
        "  - missing.yaml\n"
    )
    (folder / "plain" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\n")
    snapshot = scan_manifests([str(folder)], build=NO_KUBECTL)
    where = f"{folder}/Kustomization"
    assert [(n.kind, n.reason) for n in snapshot.coverage] == [
        ("gap", f"{where}: remote resource https://github.com/example/repo//deploy?ref=v1 "
                "not fetched: not scanned"),
        ("gap", f"{where}: resources entry plain is a folder without a kustomization file "
                "(kustomize refuses it): not scanned through this kustomization"),
        ("error", f"{where}: resources entry missing.yaml does not exist"),
        ("gap", f"kustomization {folder} not built: no kubectl binary (install kubectl or pass "
                "--kubectl); scanned the 0 resource files it lists as written (patches, "
                "generators and name changes not applied)"),
    ]  # fmt: skip
    # The plain subfolder is still walked as plain files.
    assert [o.ref.kind for o in snapshot.objects] == ["ConfigMap"]


def test_a_kubectl_on_path_is_used(kubectl: Path, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "kubectl").symlink_to(kubectl)
    build = BuildOptions(
        target=parse_minor("1.33"), kubectl=ClientFinder("kubectl", search_path=str(bin_dir))
    )
    snapshot = scan_manifests([str(PROD)], build=build, root=str(SHOP))
    assert snapshot.stats["kustomizations_built"] == 1


# ---- the scanned tree: nothing outside it is read, by the fallback or by kubectl ------------

SECRET = "TOP-SECRET-NAME"


def _leaky(tmp_path: Path, kustomization: str) -> Path:
    """tmp/outside.yaml (never to be read) and tmp/repo/app/prod, a kustomization."""
    (tmp_path / "outside.yaml").write_text(
        f"apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: {SECRET}\n"
    )
    folder = tmp_path / "repo" / "app" / "prod"
    folder.mkdir(parents=True)
    (folder / "kustomization.yaml").write_text(kustomization)
    (folder / "own.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata:\n  name: own\n")
    return folder


@pytest.mark.parametrize("with_kubectl", [False, True], ids=["fallback", "kubectl"])
def test_a_resource_outside_the_tree_is_not_read(with_kubectl: bool, tmp_path: Path) -> None:
    folder = _leaky(tmp_path, "resources:\n- own.yaml\n- ../../../outside.yaml\n")
    build = _with(client("kubectl-1.33")) if with_kubectl else NO_KUBECTL
    snapshot = scan_manifests([str(tmp_path / "repo")], build=build)
    assert SECRET not in repr(snapshot)
    assert [o.ref.name for o in snapshot.objects] == ["own"]
    where = f"{folder}/kustomization.yaml"
    refused = (
        "error", f"{where}: resources entry ../../../outside.yaml leads out of the scanned "
        "tree: not read (scan a folder that holds both, or pass --root)",
    )  # fmt: skip
    assert refused in [(n.kind, n.reason) for n in snapshot.coverage]
    if with_kubectl:
        assert (
            "error", f"{folder}: kubectl kustomize not run: {where} names ../../../outside.yaml, "
            "which leads above the scanned tree (scan a folder that holds both, or pass --root)",
        ) in [(n.kind, n.reason) for n in snapshot.coverage]  # fmt: skip


def test_an_overlay_reaches_its_base_only_within_root() -> None:
    alone = scan_manifests([str(PROD)], build=NO_KUBECTL)
    assert {o.ref.name for o in alone.objects} == {"web", "report"}  # its own files only
    notes = [n.reason for n in alone.coverage if n.kind == "error"]
    assert notes == [
        f"{PROD}/kustomization.yaml: resources entry ../../base leads out of the scanned "
        "tree: not read (scan a folder that holds both, or pass --root)"
    ]


@pytest.mark.parametrize("absolute", [False, True], ids=["dotdot", "absolute"])
def test_other_fields_naming_paths_out_of_the_tree_stop_the_build(
    kubectl: Path, tmp_path: Path, absolute: bool
) -> None:
    (tmp_path / "secret.txt").write_text(SECRET)
    named = str(tmp_path / "secret.txt") if absolute else "../../../secret.txt"
    folder = _leaky(tmp_path, (
        "resources:\n- own.yaml\n"
        f"configMapGenerator:\n- name: leak\n  files:\n  - {named}\n"
    ))  # fmt: skip
    snapshot = scan_manifests([str(tmp_path / "repo")], build=_with(kubectl))
    assert SECRET not in repr(snapshot)
    (error,) = [n for n in snapshot.coverage if n.kind == "error"]
    why = "an absolute path" if absolute else "which leads above the scanned tree"
    assert error.reason == (
        f"{folder}: kubectl kustomize not run: {folder}/kustomization.yaml names {named}, "
        f"{why} (scan a folder that holds both, or pass --root)"
    )


def test_values_that_are_not_paths_do_not_stop_the_build(kubectl: Path, tmp_path: Path) -> None:
    # Literals, annotations and inline patches may hold absolute paths and `..`: not files.
    patch = '[{"op": "add", "path": "/metadata/labels", "value": {"a": "b"}}]'
    folder = _leaky(tmp_path, (
        "resources:\n- own.yaml\n"
        "commonAnnotations:\n  config-dir: /etc\n  up: ../../../..\n"
        "configMapGenerator:\n- name: cfg\n  literals:\n  - HOSTS=/etc/hosts\n"
        "patches:\n- target: {kind: Service}\n"
        f"  patch: '{patch}'\n"
    ))  # fmt: skip
    snapshot = scan_manifests([str(folder)], build=_with(kubectl))
    assert snapshot.coverage == ()
    assert sorted(o.ref.kind for o in snapshot.objects) == ["ConfigMap", "Service"]


def test_kubectl_output_over_the_limit_is_stopped(kubectl: Path) -> None:
    # The overlay builds to about 700 bytes; each of its files is smaller than 500.
    snapshot = scan_manifests(
        [str(PROD)], build=_with(kubectl), root=str(SHOP), max_file_bytes=500
    )
    version = probe_client("kubectl", str(kubectl)).version
    errors = [n.reason for n in snapshot.coverage if n.kind == "error"]
    assert errors == [
        f"{PROD}: kubectl kustomize (kubectl {version}) failed: printed more than the "
        "500-byte limit (--max-file-size); stopped and not scanned"
    ]
    assert snapshot.stats["kustomizations_not_built"] == 1


@pytest.mark.parametrize(
    "remote",
    [
        "https://github.com/example/repo//deploy?ref=v1",
        "https://raw.githubusercontent.com/example/repo/main/deploy.yaml",
        "git@github.com:example/repo.git//deploy",
        "github.com/example/repo/deploy?ref=v1",
    ],
)
def test_a_remote_resource_is_not_fetched_by_kubectl(
    kubectl: Path, tmp_path: Path, remote: str
) -> None:
    folder = tmp_path / "app"
    folder.mkdir()
    (folder / "pdb.yaml").write_text(
        "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: local\n"
    )
    (folder / "kustomization.yaml").write_text(f"resources:\n- pdb.yaml\n- {remote}\n")
    snapshot = scan_manifests([str(folder)], build=_with(kubectl))
    reasons = [(note.kind, note.reason) for note in snapshot.coverage]
    # kubectl was not run (it would have tried the network or git and failed): no error,
    # only what was not scanned, and the local resource read as written.
    assert [kind for kind, _ in reasons] == ["gap", "gap"], reasons
    assert f"remote resource {remote} not fetched" in reasons[0][1]
    assert reasons[1][1].startswith(f"kustomization {folder} not built: it names a remote")
    assert "kubectl kustomize DIR | upgradecheck scan -" in reasons[1][1]
    assert [o.ref.name for o in snapshot.objects] == ["local"]


def test_a_remote_resource_is_named_without_its_credentials(tmp_path: Path) -> None:
    folder = tmp_path / "app"
    folder.mkdir()
    (folder / "kustomization.yaml").write_text(
        "resources:\n- https://ci:ghp_SECRETTOKEN@github.com/example/repo//deploy?ref=v1\n"
    )
    snapshot = scan_manifests([str(folder)], build=NO_KUBECTL)
    shown = repr(snapshot.coverage)
    assert "SECRETTOKEN" not in shown
    assert "remote resource https://github.com/example/repo//deploy?ref=v1 not fetched" in shown


def test_kubectl_reads_nothing_but_its_copy_and_its_private_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kubectl = client("kubectl-1.33")
    traced = Traced(kubectl, tmp_path, "version", "--client")
    home = tmp_path / "user-home"
    (home / ".kube").mkdir(parents=True)
    (home / ".kube" / "config").write_text("apiVersion: v1\nkind: Config\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("KUBECONFIG", str(home / ".kube" / "config"))
    found = Client("kubectl", str(traced.path), probe_client("kubectl", str(kubectl)).version)
    build = BuildOptions(target=parse_minor("1.33"), kubectl=ClientFinder.ready("kubectl", found))
    snapshot = scan_manifests([str(PROD)], build=build, root=str(SHOP))
    assert snapshot.stats.get("kustomizations_built") == 1, snapshot.coverage
    # Not the user's home, not the tree itself (kubectl builds the copy).
    assert traced.stray("/upgradecheck-kustomize-") == []

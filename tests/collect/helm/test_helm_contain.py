"""Charts rendered by real helm (3 and 4) see only the scanned tree: a link in the chart to a
file outside it gives helm nothing (`.Files.Get` is empty), a FIFO does not hang it, and
what it prints is capped like a file."""

from __future__ import annotations

import io
import os
import sys
import tarfile
import threading
import time
from pathlib import Path

import pytest
from support.clients import HELM_MAJORS, Traced, helm_binary
from typer.testing import CliRunner

from upgradecheck.cli import app
from upgradecheck.collect.binaries import BuildOptions, Client, ClientFinder, probe_client
from upgradecheck.collect.files.scan import scan_manifests
from upgradecheck.collect.helm.chart import MAX_ARCHIVE_ENTRIES
from upgradecheck.model import Snapshot
from upgradecheck.versions import parse_minor

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX links and FIFOs")

SECRET = "TOP-SECRET-CONTENT"
LEAKY_TEMPLATE = (
    "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n"
    '  name: {{ .Files.Get "files/x" | trim | default "nothing" }}\n'
)


@pytest.fixture(params=HELM_MAJORS, ids=[f"helm{m}" for m in HELM_MAJORS])
def helm(request: pytest.FixtureRequest) -> str:
    return str(helm_binary(request.param))


def _chart(folder: Path, template: str = LEAKY_TEMPLATE) -> Path:
    (folder / "templates").mkdir(parents=True)
    (folder / "files").mkdir()
    (folder / "Chart.yaml").write_text("apiVersion: v2\nname: leak\nversion: 0.1.0\n")
    (folder / "templates" / "pdb.yaml").write_text(template)
    return folder


def _build(helm: str) -> BuildOptions:
    return BuildOptions(
        target=parse_minor("1.33"), helm=ClientFinder.ready("helm", probe_client("helm", helm))
    )


def _names(snapshot: Snapshot) -> list[str]:
    return [obj.ref.name for obj in snapshot.objects]


def test_files_get_of_a_link_out_of_the_tree_gets_nothing(helm: str, tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret").write_text(SECRET + "\n")
    chart = _chart(tmp_path / "repo" / "chart")
    (chart / "files" / "x").symlink_to(tmp_path / "outside" / "secret")
    result = CliRunner().invoke(
        app, ["scan", str(tmp_path / "repo"), "--target", "1.33", "--helm", helm,
              "--format", "markdown"],
    )  # fmt: skip
    assert SECRET not in result.output
    # Rendered by helm, from a copy without the link: the template saw an empty file.
    assert "PodDisruptionBudget" in result.output and "nothing" in result.output
    assert "chart/files/x: skipped: a symbolic link leading out of the scanned tree" in (
        result.output.replace("\\", "")  # Markdown escapes
    )


def test_a_link_inside_the_tree_reaches_helm(helm: str, tmp_path: Path) -> None:
    # Inside the tree (here widened with root) but outside the chart: copied for helm.
    (tmp_path / "repo" / "shared").mkdir(parents=True)
    (tmp_path / "repo" / "shared" / "name").write_text("shared-name\n")
    chart = _chart(tmp_path / "repo" / "charts" / "web")
    (chart / "files" / "x").symlink_to(Path("..", "..", "..", "shared", "name"))
    snapshot = scan_manifests([str(chart)], build=_build(helm), root=str(tmp_path / "repo"))
    assert _names(snapshot) == ["shared-name"]
    assert snapshot.coverage == ()
    # Scanned as its own tree, the chart may not reach ../../shared.
    alone = scan_manifests([str(chart)], build=_build(helm))
    assert _names(alone) == ["nothing"]
    assert [note.kind for note in alone.coverage] == ["skipped"]


def test_a_fifo_in_a_chart_does_not_hang_helm(helm: str, tmp_path: Path) -> None:
    chart = _chart(tmp_path / "chart")
    os.mkfifo(chart / "templates" / "pipe.yaml")
    os.mkfifo(chart / "files" / "x")
    done: list[Snapshot] = []
    thread = threading.Thread(
        target=lambda: done.append(scan_manifests([str(chart)], build=_build(helm))), daemon=True
    )
    thread.start()
    thread.join(60)
    if thread.is_alive():
        for fifo in (chart / "templates" / "pipe.yaml", chart / "files" / "x"):
            os.close(os.open(fifo, os.O_RDWR | os.O_NONBLOCK))
        pytest.fail("the scan blocked on a FIFO")
    (snapshot,) = done
    assert _names(snapshot) == ["nothing"]
    assert sorted(note.reason for note in snapshot.coverage) == [
        f"{chart / 'files' / 'x'}: skipped: a FIFO, not a regular file",
        f"{chart / 'templates' / 'pipe.yaml'}: skipped: a FIFO, not a regular file",
    ]


def test_helm_output_over_the_limit_is_stopped_and_the_fallback_reads_the_chart(
    helm: str, tmp_path: Path
) -> None:
    # About 2.5 MB of output from a loop; the limit is 1 MiB.
    chart = _chart(tmp_path / "chart", (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n"
        "{{- range until 40000 }}\n  k{{ . }}: \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\n"
        "{{- end }}\n"
    ))  # fmt: skip
    snapshot = scan_manifests([str(chart)], build=_build(helm), max_file_bytes=1024 * 1024)
    version = probe_client("helm", helm).version
    errors = [note.reason for note in snapshot.coverage if note.kind == "error"]
    assert errors == [
        f"{chart}: helm template {version} failed: printed more than the 1 MiB limit "
        "(--max-file-size); stopped and not scanned"
    ]
    # The template fallback still reads the chart's apiVersion lines.
    assert [(o.ref.kind, o.ref.name) for o in snapshot.objects] == [("ConfigMap", "big")]
    assert snapshot.stats.get("charts_not_rendered") == 1


def _outside_subchart(tmp_path: Path) -> tuple[Path, Path]:
    """A chart folder and a packaged chart outside the tree, each rendering a sentinel."""
    outside = _chart(tmp_path / "outside" / "dep", (
        "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n"
        f"  name: {SECRET.lower()}\n"
    ))  # fmt: skip
    (outside / "Chart.yaml").write_text("apiVersion: v2\nname: dep\nversion: 0.1.0\n")
    archive = tmp_path / "outside" / "dep-0.1.0.tgz"
    with tarfile.open(archive, "w:gz") as packed:
        packed.add(outside, arcname="dep")
    return outside, archive


@pytest.mark.parametrize("rendered_by", ["helm", "fallback"])
@pytest.mark.parametrize("link", ["folder", "archive"])
def test_a_dependency_linked_from_outside_the_tree_is_not_read(
    helm: str, tmp_path: Path, rendered_by: str, link: str
) -> None:
    outside, archive = _outside_subchart(tmp_path)
    chart = _chart(tmp_path / "repo" / "chart")
    (chart / "Chart.yaml").write_text(
        "apiVersion: v2\nname: leak\nversion: 0.1.0\n"
        "dependencies:\n- name: dep\n  version: 0.1.0\n"
    )
    name = "dep" if link == "folder" else "dep-0.1.0.tgz"
    (chart / "charts").mkdir()
    (chart / "charts" / name).symlink_to(outside if link == "folder" else archive)
    build = _build(helm) if rendered_by == "helm" else BuildOptions(target=parse_minor("1.33"))
    snapshot = scan_manifests([str(tmp_path / "repo")], build=build)
    shown = repr(snapshot)
    assert SECRET.lower() not in shown and SECRET not in shown
    assert f"{chart / 'charts' / name}: skipped: a symbolic link leading out of the scanned " \
        "tree (see --root)" in [note.reason for note in snapshot.coverage]
    if rendered_by == "helm":
        # helm, given a copy without the dependency, refuses the chart: said, not hidden.
        assert any("helm template" in n.reason and "dep" in n.reason for n in snapshot.coverage)


def test_a_template_that_never_ends_is_stopped_at_the_client_timeout(
    helm: str, tmp_path: Path
) -> None:
    chart = _chart(tmp_path / "chart", (
        "{{- range until 100000 }}{{ range until 100000 }}{{ end }}{{ end }}\n"
        "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: slow\n"
    ))  # fmt: skip
    started = time.monotonic()
    result = CliRunner().invoke(app, [
        "scan", str(chart), "--target", "1.33", "--helm", helm, "--client-timeout", "2",
        "--format", "text",
    ])  # fmt: skip
    assert time.monotonic() - started < 30
    assert result.exit_code == 2, result.output
    assert "failed: timed out after 2s" in result.output
    assert "Traceback" not in result.output
    # The fallback still reads the template's apiVersion.
    assert "PodDisruptionBudget slow (policy/v1beta1)" in result.output


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS on Linux")
def test_a_template_building_gigabytes_fails_alone(helm: str, tmp_path: Path) -> None:
    chart = _chart(tmp_path / "chart", (
        '{{ $s := repeat 3000000000 "x" }}{{ len $s }}\n'
        "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: big\n"
    ))  # fmt: skip
    started = time.monotonic()
    snapshot = scan_manifests([str(chart)], build=_build(helm))
    assert time.monotonic() - started < 60
    version = probe_client("helm", helm).version
    errors = [note.reason for note in snapshot.coverage if note.kind == "error"]
    assert errors == [
        f"{chart}: helm template {version} failed: used more than its 2 GiB memory limit; "
        "stopped and not scanned"
    ]
    assert _names(snapshot) == ["big"]  # read by the fallback


def test_helm_reads_nothing_but_its_copy_and_its_private_home(
    helm: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    traced = Traced(helm, tmp_path, "version")
    home = tmp_path / "user-home"
    (home / ".kube").mkdir(parents=True)
    (home / ".kube" / "config").write_text("apiVersion: v1\nkind: Config\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("KUBECONFIG", str(home / ".kube" / "config"))
    _chart(tmp_path / "repo" / "chart")
    client = Client("helm", str(traced.path), probe_client("helm", helm).version)
    build = BuildOptions(target=parse_minor("1.33"), helm=ClientFinder.ready("helm", client))
    snapshot = scan_manifests([str(tmp_path / "repo")], build=build)
    assert _names(snapshot) == ["nothing"]  # rendered by helm
    # Not the user's home (kubeconfig, registry credentials, plugins), not the tree itself
    # (helm reads the copy): nothing but the copy and its private home.
    assert traced.stray("/upgradecheck-chart-") == []


def test_packaged_subcharts_unpack_within_one_budget_for_the_whole_chart(
    tmp_path: Path,
) -> None:
    # Each archive is a few kilobytes that unpack to 40 MiB: three of them pass the budget.
    chart = _chart(tmp_path / "chart")
    (chart / "charts").mkdir()
    zeros = b"\0" * (40 * 1024 * 1024)
    for index in range(3):
        with tarfile.open(chart / "charts" / f"sub{index}.tgz", "w:gz") as packed:
            meta = f"apiVersion: v2\nname: sub{index}\nversion: 0.1.0\n".encode()
            for name, data in ((f"sub{index}/Chart.yaml", meta), (f"sub{index}/files/z", zeros)):
                member = tarfile.TarInfo(name)
                member.size = len(data)
                packed.addfile(member, io.BytesIO(data))
    started = time.monotonic()
    snapshot = scan_manifests([str(chart)], build=BuildOptions(target=parse_minor("1.33")))
    assert time.monotonic() - started < 30
    refused = [note.reason for note in snapshot.coverage if ".tgz" in note.reason]
    assert refused == [
        f"{chart / 'charts' / 'sub1.tgz'}: not read: the packaged subcharts hold more than "
        "64 MiB or 20,000 entries together",
        f"{chart / 'charts' / 'sub2.tgz'}: not read: the packaged subcharts hold more than "
        "64 MiB or 20,000 entries together",
    ]
    # However many archives are left, the note names the first and counts the others.
    for index in range(3, 6):
        (chart / "charts" / f"sub{index}.tgz").write_bytes(
            (chart / "charts" / "sub2.tgz").read_bytes()
        )
    again = scan_manifests([str(chart)], build=BuildOptions(target=parse_minor("1.33")))
    assert [note.reason for note in again.coverage if ".tgz" in note.reason][1] == (
        f"{chart / 'charts' / 'sub2.tgz'}: not read: the packaged subcharts hold more than "
        "64 MiB or 20,000 entries together (and 3 more packaged charts beside it)"
    )


@pytest.mark.parametrize("with_helm", [False, True])
def test_packaged_subcharts_of_too_many_entries_are_not_read(
    tmp_path: Path, with_helm: bool
) -> None:
    # A small archive naming more empty files than a chart's subcharts may hold together.
    chart = _chart(tmp_path / "chart")
    (chart / "charts").mkdir()
    with tarfile.open(chart / "charts" / "many.tgz", "w:gz") as packed:
        for index in range(MAX_ARCHIVE_ENTRIES + 1):
            packed.addfile(tarfile.TarInfo(f"many/templates/f{index}.yaml"))
    started = time.monotonic()
    build = _build(str(helm_binary(3))) if with_helm else BuildOptions(parse_minor("1.33"))
    snapshot = scan_manifests([str(chart)], build=build)
    assert time.monotonic() - started < 30
    assert [note.reason for note in snapshot.coverage if ".tgz" in note.reason] == [
        f"{chart / 'charts' / 'many.tgz'}: not read: the packaged subcharts hold more than "
        "64 MiB or 20,000 entries together"
    ]
    if with_helm:  # not handed to helm, which would unpack them all itself
        assert [n.reason for n in snapshot.coverage if n.kind == "gap"][-1].startswith(
            f"chart {chart} not rendered: its packaged subcharts are over the limit"
        )

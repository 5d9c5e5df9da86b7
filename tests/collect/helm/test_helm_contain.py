"""Charts rendered by real helm (3 and 4) see only the scanned tree: a link in the chart to a
file outside it gives helm nothing (`.Files.Get` is empty), a FIFO does not hang it, and
what it prints is capped like a file."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest
from clients import HELM_MAJORS, helm_binary
from typer.testing import CliRunner

from upgradecheck.cli import app
from upgradecheck.collect.binaries import BuildOptions, ClientFinder, probe_client
from upgradecheck.collect.files.scan import scan_manifests
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

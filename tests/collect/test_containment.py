"""Nothing outside the scanned tree is read, by the scan or by the helm and kubectl it runs:
a matrix of link targets (outside files and folders, /etc, FIFOs, loops, broken links, files
inside) placed at every entry point (a plain folder, a chart read by the fallback or by
real helm, a kustomization read by the fallback or built by real kubectl)."""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from support.clients import client, helm_binary

from upgradecheck.collect.binaries import BuildOptions, ClientFinder, probe_client
from upgradecheck.collect.files.scan import scan_manifests
from upgradecheck.model import Snapshot
from upgradecheck.versions import parse_minor

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX links and FIFOs")

OUT = "SENTINEL-outside"
IN = "SENTINEL-inside"
MANIFEST = "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: {name}\n"
SCAN_SECONDS = 60  # a blocked FIFO open would never end: the scan runs in a thread

# What each link points at, in the world `_world` builds.
TARGETS = {
    "outside-file": "outside/secret.yaml",
    "outside-folder": "outside/dir",
    "etc": "/etc",
    "etc-passwd": "/etc/passwd",
    "outside-fifo": "outside/fifo.yaml",
    "inside-fifo": "repo/shared/fifo.yaml",
    "inside-file": "repo/shared/inside.yaml",
    "inside-folder": "repo/shared",
    "loop": "repo",
    "broken": "repo/missing.yaml",
}
BELOW_A_LINK = re.compile(r"/(link|link\.yaml|folder)/")
REFUSED = ("outside-file", "outside-folder", "etc", "etc-passwd", "outside-fifo", "inside-fifo")

CHART_TEMPLATE = (
    "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n"
    '  name: {{ print (.Files.Get "files/link") (.Files.Get "files/link/inside.yaml")'
    ' (.Files.Get "files/link/secret.yaml") | regexFind "SENTINEL-[a-z]+" | default "none" }}\n'
)


def _world(tmp: Path, target: str) -> Path:
    """tmp/outside (never to be read) and tmp/repo (the tree scanned); returns the link's
    target."""
    (tmp / "outside" / "dir").mkdir(parents=True)
    (tmp / "outside" / "secret.yaml").write_text(MANIFEST.format(name=OUT))
    (tmp / "outside" / "dir" / "secret.yaml").write_text(MANIFEST.format(name=OUT))
    os.mkfifo(tmp / "outside" / "fifo.yaml")
    shared = tmp / "repo" / "shared"
    shared.mkdir(parents=True)
    (shared / "inside.yaml").write_text(MANIFEST.format(name=IN))
    os.mkfifo(shared / "fifo.yaml")
    return Path(target) if target.startswith("/") else tmp / target


def _plain(repo: Path, target: Path) -> None:
    app = repo / "app"
    app.mkdir()
    (app / "link.yaml").symlink_to(target)
    (app / "folder").symlink_to(target)


def _chart(repo: Path, target: Path) -> None:
    chart = repo / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "files").mkdir()
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: leak\nversion: 0.1.0\n")
    (chart / "templates" / "get.yaml").write_text(CHART_TEMPLATE)
    (chart / "templates" / "link.yaml").symlink_to(target)
    (chart / "files" / "link").symlink_to(target)


def _kustomization(repo: Path, target: Path) -> None:
    kust = repo / "kust"
    kust.mkdir()
    (kust / "own.yaml").write_text(MANIFEST.format(name="own"))
    (kust / "link.yaml").symlink_to(target)
    (kust / "kustomization.yaml").write_text(
        "resources:\n- own.yaml\n- link.yaml\n"
        "configMapGenerator:\n- name: leak\n  files:\n  - link.yaml\n"
    )


def _no_clients() -> BuildOptions:
    return BuildOptions(target=parse_minor("1.33"))


def _helm() -> BuildOptions:
    helm = ClientFinder.ready("helm", probe_client("helm", str(helm_binary(3))))
    return BuildOptions(target=parse_minor("1.33"), helm=helm)


def _kubectl() -> BuildOptions:
    found = ClientFinder.ready("kubectl", probe_client("kubectl", str(client("kubectl-1.33"))))
    return BuildOptions(target=parse_minor("1.33"), kubectl=found)


_Make = Callable[[Path, Path], None]
# Entry point → (makes the folder holding the links, its name, the scan's options).
ENTRIES: dict[str, tuple[_Make, str, Callable[[], BuildOptions | None]]] = {
    "plain": (_plain, "app", lambda: None),
    "chart-fallback": (_chart, "chart", _no_clients),
    "chart-helm": (_chart, "chart", _helm),
    "kustomize-fallback": (_kustomization, "kust", _no_clients),
    "kustomize-kubectl": (_kustomization, "kust", _kubectl),
}


def _scan_in_time(repo: Path, build: BuildOptions | None) -> Snapshot:
    result: list[Snapshot | BaseException] = []

    def run() -> None:
        try:
            result.append(scan_manifests([str(repo)], build=build))
        except BaseException as exc:  # handed to the test thread
            result.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(SCAN_SECONDS)
    if thread.is_alive():
        for fifo in repo.parent.rglob("fifo.yaml"):  # let the blocked open end
            fd = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
            os.close(fd)
        pytest.fail(f"the scan did not end within {SCAN_SECONDS} s (blocked on a FIFO?)")
    (outcome,) = result
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("target_name", TARGETS)
def test_nothing_outside_the_tree_is_read(tmp_path: Path, entry: str, target_name: str) -> None:
    target = _world(tmp_path, TARGETS[target_name])
    make, folder, options = ENTRIES[entry]
    repo = tmp_path / "repo"
    make(repo, target)
    snapshot = _scan_in_time(repo, options())
    seen = repr(snapshot.objects) + repr(snapshot.coverage)
    assert OUT not in seen
    assert "/etc/" not in seen  # /etc was not walked
    assert "root:" not in seen  # nor /etc/passwd read
    through_link = [
        o for o in snapshot.objects if o.ref.name == IN and f"/{folder}/" in o.evidence[0].location
    ]
    if target_name in ("inside-file", "inside-folder"):
        # A link that stays inside the tree is followed like any path.
        assert through_link, snapshot.objects
    if target_name in REFUSED:
        assert not through_link
        # Nothing was listed through the link (a walk of /etc names its files as link/...).
        shown = [n.subject for n in snapshot.coverage]
        shown += [ev.location for o in snapshot.objects for ev in o.evidence]
        assert not [where for where in shown if BELOW_A_LINK.search(where)]
        # Every refusal is a note naming the link, never what it leads to.
        assert [n for n in snapshot.coverage if f"{folder}/" in n.reason and "link" in n.reason]

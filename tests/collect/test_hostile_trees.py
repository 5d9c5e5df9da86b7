"""The family of hostile trees: generated mixes of every kind of hostile entry (links out of
the tree, to /etc/passwd, loops, FIFOs, binary and non-UTF-8 files, alias bombs, deep
nesting, files of millions of documents, files over the size limit, charts and
kustomizations that reach outside or fetch) in random folders beside good manifests. Each
tree is scanned to the end within seconds, the good manifests are found, every note names a
path inside the tree, and nothing from outside it reaches the snapshot or the report."""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.cli_runner import run_cli

from upgradecheck.collect.binaries import BuildOptions
from upgradecheck.collect.files.scan import scan_manifests
from upgradecheck.collect.yaml_documents import MAX_DOCUMENTS
from upgradecheck.model import Snapshot
from upgradecheck.versions import parse_minor

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX links and FIFOs")

SENTINEL = "SENTINEL-outside"
LIMIT = 1024 * 1024
"""The scans' --max-file-size (1 MiB): small, so that a file over it is cheap to write."""
SECONDS = 20
"""Most a generated tree may take to scan (a few hundred files at most, on a busy machine)."""
FOLDERS = ["", "a", "a/b", "c", "chart/templates", "kust"]
PDB = "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: {name}\n"

_Make = Callable[[Path, Path, str], None]
"""(folder to put it in, the outside folder, a unique name) → writes one hostile entry."""


def _link(target: Callable[[Path], Path | str]) -> _Make:
    def make(folder: Path, outside: Path, name: str) -> None:
        (folder / f"{name}.yaml").symlink_to(target(outside))

    return make


def _write(content: Callable[[str], bytes]) -> _Make:
    def make(folder: Path, outside: Path, name: str) -> None:
        (folder / f"{name}.yaml").write_bytes(content(name))

    return make


def _fifo(folder: Path, outside: Path, name: str) -> None:
    os.mkfifo(folder / f"{name}.yaml")


def _loop(folder: Path, outside: Path, name: str) -> None:
    (folder / name).symlink_to(folder, target_is_directory=True)


def _self_link(folder: Path, outside: Path, name: str) -> None:
    (folder / f"{name}.yaml").symlink_to(folder / f"{name}.yaml")


def _bomb(name: str) -> bytes:
    lines = ["apiVersion: v1", "kind: ConfigMap", f"metadata: {{name: {name}}}", 'a: &a ["x"]']
    for level in "bcdefghij":
        lines.append(f"{level}: &{level} [" + ", ".join([f"*{chr(ord(level) - 1)}"] * 9) + "]")
    return ("\n".join(lines) + "\n").encode()


def _kustomization(entries: str) -> _Make:
    def make(folder: Path, outside: Path, name: str) -> None:
        kust = folder / f"k-{name}"
        kust.mkdir()
        (kust / "kustomization.yaml").write_text(entries.format(outside=outside))

    return make


def _chart_link(folder: Path, outside: Path, name: str) -> None:
    chart = folder / f"chart-{name}"
    (chart / "templates").mkdir(parents=True)
    (chart / "charts").mkdir()
    (chart / "Chart.yaml").write_text(f"apiVersion: v2\nname: {name}\nversion: 0.1.0\n")
    (chart / "templates" / "get.yaml").symlink_to(outside / "secret.yaml")
    (chart / "charts" / "dep").symlink_to(outside / "chart", target_is_directory=True)


HOSTILE: dict[str, _Make] = {
    "link-outside": _link(lambda outside: outside / "secret.yaml"),
    "link-outside-relative": _link(lambda outside: Path("..") / ".." / ".." / "outside"),
    "link-etc-passwd": _link(lambda outside: "/etc/passwd"),
    "link-etc": _link(lambda outside: "/etc"),
    "link-outside-fifo": _link(lambda outside: outside / "fifo.yaml"),
    "link-broken": _link(lambda outside: outside / "missing.yaml"),
    "link-loop": _loop,
    "link-self": _self_link,
    "fifo": _fifo,
    "binary": _write(lambda name: b"apiVersion: v1\nkind: \x00\x01\n"),
    "latin1": _write(lambda name: PDB.format(name=name).encode() + b"  labels: {a: caf\xe9}\n"),
    "bomb": _write(_bomb),
    "deep": _write(lambda name: b"apiVersion: v1\ndata: " + b"[" * 5000 + b"]" * 5000),
    "many-documents": _write(lambda name: b"{}\n---\n" * (MAX_DOCUMENTS + 1)),
    "over-the-limit": _write(lambda name: PDB.format(name=name).encode() + b"#" * LIMIT),
    "empty-json": lambda folder, outside, name: (folder / f"{name}.json").write_bytes(b""),
    "kustomize-up": _kustomization("resources:\n- ../../../../outside/secret.yaml\n"),
    "kustomize-absolute": _kustomization("resources:\n- {outside}/secret.yaml\n"),
    "kustomize-remote": _kustomization("resources:\n- https://example.com/x//y?ref=v1\n"),
    "chart-links-out": _chart_link,
}


def _outside(tmp: Path) -> Path:
    """Outside the scanned tree: a Secret, a chart and a FIFO that must never be read."""
    outside = tmp / "outside"
    (outside / "chart" / "templates").mkdir(parents=True)
    secret = f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {SENTINEL}\n"
    (outside / "secret.yaml").write_text(secret + f"stringData: {{token: {SENTINEL}}}\n")
    (outside / "chart" / "Chart.yaml").write_text("apiVersion: v2\nname: dep\nversion: 0.1.0\n")
    (outside / "chart" / "templates" / "s.yaml").write_text(PDB.format(name=SENTINEL))
    os.mkfifo(outside / "fifo.yaml")
    return outside


def _tree(tmp: Path, entries: list[tuple[int, str]]) -> tuple[Path, list[str]]:
    """The scanned tree (tmp/repo/top) with the entries and one good manifest per folder
    used; the names of the good manifests."""
    outside = _outside(tmp)
    repo = tmp / "repo" / "top"
    good: list[str] = []
    for index, (folder_index, kind) in enumerate(entries):
        folder = repo / FOLDERS[folder_index]
        if not folder.exists():
            folder.mkdir(parents=True)
            name = f"good-{len(good)}"
            (folder / f"{name}.yaml").write_text(PDB.format(name=name))
            good.append(name)
        HOSTILE[kind](folder, outside, f"h{index}")
    return repo, good


def _scan_in_time(repo: Path, build: BuildOptions) -> Snapshot:
    result: list[Snapshot | BaseException] = []

    def run() -> None:
        try:
            result.append(scan_manifests([str(repo)], build=build, max_file_bytes=LIMIT))
        except BaseException as exc:  # handed to the test thread
            result.append(exc)

    started = time.monotonic()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(SECONDS)
    if thread.is_alive():
        for fifo in repo.parent.parent.rglob("*.yaml"):  # let a blocked open end
            if fifo.is_fifo():
                os.close(os.open(fifo, os.O_RDWR | os.O_NONBLOCK))
        pytest.fail(f"the scan did not end within {SECONDS} s")
    (outcome,) = result
    if isinstance(outcome, BaseException):
        raise outcome
    assert time.monotonic() - started < SECONDS
    return outcome


TREES = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# A file of tens of thousands of documents costs about a second to reach its limit: it has
# its own test, and is in the tree of every kind below, not drawn here again and again.
DRAWN = sorted(set(HOSTILE) - {"many-documents"})
ENTRIES = st.lists(
    st.tuples(st.integers(0, len(FOLDERS) - 1), st.sampled_from(DRAWN)),
    min_size=1,
    max_size=8,
)


@TREES
@given(entries=ENTRIES)
def test_a_hostile_tree_is_scanned_in_seconds_and_nothing_outside_is_read(
    entries: list[tuple[int, str]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo, good = _tree(Path(tmp), entries)
        snapshot = _scan_in_time(repo, BuildOptions(target=parse_minor("1.33")))
        assert SENTINEL not in repr(snapshot)
        assert "root:" not in repr(snapshot)  # /etc/passwd
        names = {obj.ref.name for obj in snapshot.objects}
        assert set(good) <= names
        for note in snapshot.coverage:
            assert note.subject.startswith(str(repo)), note
        # Each hostile entry is said (named in a note), not passed over in silence.
        for index, (_, kind) in enumerate(entries):
            assert [n for n in snapshot.coverage if f"h{index}" in n.reason], (kind, snapshot)


def test_every_kind_together_through_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The whole family in one tree, as a user runs it: one line per problem, exit code 2
    (bad input), a report all the same, nothing from outside it, no traceback."""
    entries = [(index % len(FOLDERS), kind) for index, kind in enumerate(sorted(HOSTILE))]
    repo, good = _tree(tmp_path, entries)
    monkeypatch.setenv("PATH", "")  # no helm or kubectl: the fallbacks read the folders
    report = tmp_path / "report.json"
    started = time.monotonic()
    code, out, err = run_cli(
        monkeypatch, capsys, "scan", str(repo), "--target", "1.33", "--format", "text",
        "--max-file-size", "1",
    )  # fmt: skip
    written_code, _, written_err = run_cli(
        monkeypatch, capsys, "scan", str(repo), "--target", "1.33", "--max-file-size", "1",
        "-o", str(report), "-o", str(tmp_path / "report.md"),
    )  # fmt: skip
    assert time.monotonic() - started < 60
    assert code == written_code == 2, err
    assert "Traceback" not in out + err + written_err
    written = report.read_text() + (tmp_path / "report.md").read_text()
    for text in (out, err, written, written_err):
        assert SENTINEL not in text and "root:" not in text
    for name in good:
        assert name in out and name in written
    # One line per problem, each naming its file: one per entry at least.
    for index in range(len(entries)):
        assert [line for line in out.splitlines() if f"h{index}" in line], index

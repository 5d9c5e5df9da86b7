"""The walk and the reader on their own: what a walk yields for plain, chart and
kustomization folders, and what reading a file gives back."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from upgradecheck.collect.files.read import FileText, Reader, Unread
from upgradecheck.collect.files.walk import FileInput, FolderInput, Walk, check_paths
from upgradecheck.model import CoverageNote


def _tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _shown(items: list[object], root: Path) -> list[str]:
    shown = []
    for item in items:
        if isinstance(item, FileInput):
            shown.append("file " + os.path.relpath(item.display, root))
        elif isinstance(item, FolderInput):
            shown.append(f"{item.kind} " + os.path.relpath(item.display, root))
        else:
            assert isinstance(item, CoverageNote)
            shown.append(f"note {item.kind}")
    return shown


def test_plain_folders_yield_their_manifests_in_name_order(tmp_path: Path) -> None:
    _tree(tmp_path, {
        "b.yaml": "", "a.json": "", "README.md": "", ".hidden/x.yaml": "",
        "sub/c.yml": "", "chart/Chart.yaml": "", "chart/templates/t.yaml": "",
    })  # fmt: skip
    items = list(Walk(check_paths([str(tmp_path)]), folders=False))
    assert _shown(items, tmp_path) == [
        "file a.json", "file b.yaml", "file chart/Chart.yaml", "file chart/templates/t.yaml",
        "file sub/c.yml",
    ]


def test_a_chart_is_yielded_whole_and_a_kustomization_before_its_subfolders(
    tmp_path: Path,
) -> None:
    _tree(tmp_path, {
        "chart/Chart.yaml": "", "chart/templates/t.yaml": "",
        "kust/kustomization.yaml": "", "kust/own.yaml": "", "kust/base/b.yaml": "",
        "kust/extra/e.yaml": "",
    })  # fmt: skip
    walk = Walk(check_paths([str(tmp_path)]), folders=True)
    items = []
    for item in walk:
        items.append(item)
        if isinstance(item, FolderInput) and item.kind == "kustomize":
            walk.cover([str(tmp_path / "kust" / "base")])  # what its build listed
    assert _shown(items, tmp_path) == ["chart chart", "kustomize kust", "file kust/extra/e.yaml"]


def test_a_link_loop_is_noted_once(tmp_path: Path) -> None:
    _tree(tmp_path, {"a/x.yaml": ""})
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a")
    items = list(Walk(check_paths([str(tmp_path)]), folders=False))
    assert _shown(items, tmp_path) == ["note skipped", "file a/x.yaml"]  # `loop` < `x.yaml`
    note = items[0]
    assert isinstance(note, CoverageNote) and "symbolic link loop" in note.reason


def test_reading_gives_text_or_why_not(tmp_path: Path) -> None:
    _tree(tmp_path, {"ok.yaml": "kind: Pod\n", "big.yaml": "x" * 64})
    (tmp_path / "bin.yaml").write_bytes(b"kind: Pod\n\0")
    (tmp_path / "latin.yaml").write_bytes(b"a: 1\nb: \xe9\n")
    reader = Reader(limit=32)

    def read(name: str) -> FileText | Unread:
        return reader.read(FileInput(name, str(tmp_path / name), named=False))

    assert read("ok.yaml") == FileText("kind: Pod\n", None)
    assert read("ok.yaml") == Unread(None)  # reached twice: read once, nothing to say
    assert read("big.yaml") == Unread(CoverageNote(
        "big.yaml", "big.yaml: larger than the 32-byte limit (64 bytes); not scanned", "error"
    ))
    assert read("bin.yaml") == Unread(CoverageNote(
        "bin.yaml", "bin.yaml:2: binary file (NUL byte), not text", "error"
    ), counted=True)
    latin = read("latin.yaml")
    assert isinstance(latin, FileText) and latin.bad_line == 2


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_found_in_a_folder_is_skipped_unread(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    items = list(Walk(check_paths([str(tmp_path)]), folders=False))
    assert items == [CoverageNote(
        os.path.join(str(tmp_path), "pipe.yaml"),
        f"{os.path.join(str(tmp_path), 'pipe.yaml')}: skipped: a FIFO, not a regular file",
        "skipped",
    )]

"""The folders a scan builds whole instead of reading their files: a chart (`Chart.yaml`) is
rendered by helm, a kustomization (`kustomization.yaml`) built by kubectl, each read by its
fallback when that cannot be done."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from upgradecheck.collect.folder_files import CHART_FILE, KUSTOMIZATION_FILES

# The readers (the chart renderer with its template-aware fallback, kustomize) are imported
# when a folder of theirs is met: most scans (pre-commit's `scan FILE`) meet none.
if TYPE_CHECKING:
    from upgradecheck.collect.binaries import BuildOptions, FolderOutput
    from upgradecheck.collect.contain import Tree

CHART = "chart"
KUSTOMIZE = "kustomize"


def folder_kind(entries: Iterable[os.DirEntry[str]]) -> str | None:
    """`chart`, `kustomize` or None (plain files) from a folder's entries: a chart wins.
    Read from the listing, not by stat: every folder is asked."""
    kind = None
    for entry in entries:
        if entry.name == CHART_FILE and _is_file(entry):
            return CHART
        if entry.name in KUSTOMIZATION_FILES and _is_file(entry):
            kind = KUSTOMIZE
    return kind


def read_folder(
    kind: str, fs_path: str, display: str, build: BuildOptions, limit: int, tree: Tree
) -> FolderOutput:
    """Build (or read) a chart or kustomization folder, reading nothing outside `tree`;
    `limit` bounds each file read and each client's output."""
    if kind == CHART:
        from upgradecheck.collect.helm.render import read_chart

        return read_chart(fs_path, display, build, limit, tree)
    from upgradecheck.collect.kustomize import read_kustomization

    return read_kustomization(fs_path, display, build, limit, tree)


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False

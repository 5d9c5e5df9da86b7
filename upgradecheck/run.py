"""The jobs behind the commands, each returning a Report: what the CLI calls, and what a
program embedding upgradecheck would call."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from upgradecheck.assess import assess
from upgradecheck.collect.manifests import scan_manifests
from upgradecheck.knowledge import load_knowledge_base
from upgradecheck.model import Report
from upgradecheck.snapshot_io import read_snapshot


def report_for_manifests(
    paths: Sequence[str],
    *,
    target: str | None,
    current: str | None = None,
    stdin: TextIO | None = None,
) -> Report:
    """Scan manifest files and folders (`-` for stdin) and assess them."""
    kb = load_knowledge_base()
    snapshot = scan_manifests(paths, stdin=stdin)
    return assess(snapshot, kb, target=target, current=current)


def report_for_snapshot(
    path: str | Path, *, target: str | None, current: str | None = None
) -> Report:
    """Assess a saved snapshot file."""
    kb = load_knowledge_base()
    return assess(read_snapshot(path), kb, target=target, current=current)

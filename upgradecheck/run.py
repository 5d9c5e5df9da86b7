"""The jobs behind the commands, each returning a Report: what the CLI calls, and what a
program embedding upgradecheck would call."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from upgradecheck.assess import assess
from upgradecheck.collect.cluster.collector import CollectOptions, Progress, collect_cluster
from upgradecheck.collect.manifests import scan_manifests
from upgradecheck.knowledge import load_knowledge_base
from upgradecheck.model import Report, Snapshot
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


def collect_snapshot(options: CollectOptions, progress: Progress | None = None) -> Snapshot:
    """Collect a live cluster into a Snapshot."""
    return collect_cluster(options, load_knowledge_base(), progress)


def report_for_cluster(
    options: CollectOptions, *, target: str | None, progress: Progress | None = None
) -> Report:
    """Collect a live cluster and assess it."""
    kb = load_knowledge_base()
    return assess(collect_cluster(options, kb, progress), kb, target=target)

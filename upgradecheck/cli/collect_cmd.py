"""`upgradecheck collect`: snapshot a live cluster into a file, to assess later anywhere."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from upgradecheck.cli.collect_opts import (
    CLUSTER,
    Quiet,
    cluster_command,
    end_progress,
    progress_printer,
)
from upgradecheck.cli.options import Data
from upgradecheck.cli.output import OUTPUT_HINT, check_writable_folder, snapshot_written
from upgradecheck.collect.cluster.collector import CollectOptions
from upgradecheck.lifetime import one_shot
from upgradecheck.run import collect_snapshot
from upgradecheck.snapshot_io import write_snapshot


@cluster_command
def collect(
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Snapshot file to write (.json or .json.gz)."
        ),
    ],
    cluster: CollectOptions = CLUSTER,
    quiet: Quiet = False,
    data: Data = None,
) -> None:
    """Snapshot the cluster (read-only: GET requests only) into a file.

    Examples:

    \b
      upgradecheck collect -o prod.snapshot.json.gz
      upgradecheck collect --context staging -o staging.json.gz
    """
    check_writable_folder(output, OUTPUT_HINT)
    printer = progress_printer(quiet)
    try:
        with one_shot():
            snapshot = collect_snapshot(cluster, printer, data or ())
    finally:
        end_progress(printer)
    write_snapshot(snapshot, output, reduced=True)  # the collector keeps bodies to the allow-list
    if not quiet:
        print(f"upgradecheck: {snapshot_written(snapshot, output)}", file=sys.stderr)

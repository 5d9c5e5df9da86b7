"""`upgradecheck collect`: snapshot a live cluster into a file, to assess later anywhere."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from upgradecheck.cli.collect_opts import (
    Concurrency,
    Context,
    ExcludeNamespaces,
    Helm,
    Kubeconfig,
    Kubectl,
    MaxResponse,
    Namespaces,
    Quiet,
    Selector,
    Timeout,
    end_progress,
    options,
    progress_printer,
    scope,
)
from upgradecheck.cli.options import Data
from upgradecheck.cli.output import OUTPUT_HINT, check_writable_folder, snapshot_written
from upgradecheck.run import collect_snapshot
from upgradecheck.snapshot_io import write_snapshot


def collect(
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Snapshot file to write (.json or .json.gz)."
        ),
    ],
    kubeconfig: Kubeconfig = None,
    context: Context = None,
    concurrency: Concurrency = 8,
    request_timeout: Timeout = 30.0,
    kubectl: Kubectl = None,
    helm: Helm = None,
    quiet: Quiet = False,
    namespace: Namespaces = None,
    exclude_namespace: ExcludeNamespaces = None,
    selector: Selector = None,
    data: Data = None,
    max_response_size: MaxResponse = 16,
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
        snapshot = collect_snapshot(
            options(
                kubeconfig,
                context,
                concurrency,
                request_timeout,
                kubectl,
                helm,
                scope(namespace, exclude_namespace, selector),
                max_response_size,
            ),
            printer,
            data or (),
        )
    finally:
        end_progress(printer)
    write_snapshot(snapshot, output)
    if not quiet:
        print(f"upgradecheck: {snapshot_written(snapshot, output)}", file=sys.stderr)

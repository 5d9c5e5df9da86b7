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
from upgradecheck.render.view import coverage_counts
from upgradecheck.run import collect_snapshot
from upgradecheck.snapshot_io import write_snapshot
from upgradecheck.wording import plural


def collect(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Snapshot file to write (.json or .json.gz).")
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

      upgradecheck collect -o prod.snapshot.json.gz

      upgradecheck collect --context staging -o staging.json.gz
    """
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
    coverage = coverage_counts(snapshot.coverage)
    print(
        f"upgradecheck: {plural(len(snapshot.objects), 'object')}, "
        f"{plural(len(snapshot.nodes), 'node')}, "
        f"{plural(len(snapshot.helm_releases), 'Helm release revision')}"
        f"{', ' + coverage if coverage else ''}; written to {output}",
        file=sys.stderr,
    )

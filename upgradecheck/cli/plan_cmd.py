"""`upgradecheck plan`: collect the live cluster, assess it and write the upgrade plan."""

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
from upgradecheck.cli.options import Config, Data, FailOnOpt, Format, Output, Target
from upgradecheck.cli.output import check_writable_folder, destinations, emit
from upgradecheck.cli.publish_opts import (
    DryRun,
    Publish,
    check_dry_run,
    publisher_step,
    reach_of,
)
from upgradecheck.collect.cluster.collector import CollectOptions
from upgradecheck.collect.cluster.endpoint import load_endpoint
from upgradecheck.exit_codes import FailOn
from upgradecheck.lifetime import one_shot
from upgradecheck.render import REPORT_FORMATS
from upgradecheck.run import report_for_cluster

SNAPSHOT_HINT = "'--snapshot-out'"

SnapshotOut = Annotated[
    Path | None,
    typer.Option(
        "--snapshot-out",
        metavar="FILE",
        help="Also keep the snapshot the plan is made from (.json or .json.gz), to assess "
        "again or compare later without collecting again.",
    ),
]


@cluster_command
def plan(
    target: Target = None,
    fmt: Format = None,
    output: Output = None,
    fail_on: FailOnOpt = FailOn.BLOCKER,
    cluster: CollectOptions = CLUSTER,
    quiet: Quiet = False,
    config: Config = None,
    data: Data = None,
    snapshot_out: SnapshotOut = None,
    publish: Publish = False,
    dry_run: DryRun = False,
) -> None:
    """Collect the cluster, assess it for the target and write the upgrade plan.

    Examples:

    \b
      upgradecheck plan --target 1.33 -o plan.html
      upgradecheck plan --context test --format checklist -o rehearsal.md
      upgradecheck plan -o plan.html -o plan.sarif --snapshot-out prod.json.gz
      upgradecheck plan --publish --fail-on none -o plan.html
      upgradecheck plan --publish --dry-run -o plan.html
    """
    where = destinations(REPORT_FORMATS, fmt, output)
    check_dry_run(publish, dry_run)
    if snapshot_out is not None:
        check_writable_folder(snapshot_out, SNAPSHOT_HINT)
    # Publishing writes to the very cluster collected: one endpoint (one credential load)
    # serves both.
    endpoint = load_endpoint(cluster.kubeconfig, cluster.context) if publish else None
    printer = progress_printer(quiet)
    try:
        with one_shot():
            report = report_for_cluster(
                cluster,
                target=target,
                progress=printer,
                config=config,
                data=data or (),
                snapshot_out=snapshot_out,
                endpoint=endpoint,
            )
    finally:
        end_progress(printer)
    if snapshot_out is not None and not quiet:
        print(f"upgradecheck: snapshot written to {snapshot_out}", file=sys.stderr)
    then = None
    if endpoint is not None:
        reach = reach_of(cluster.scope)
        then = publisher_step(report, endpoint, cluster.transport, reach, quiet, dry_run)
    emit(report, where, fail_on, quiet=quiet, then=then)

"""`upgradecheck assess`: a saved snapshot judged against a target, with no cluster access
(unless asked to publish the result into one)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from upgradecheck.cli.options import (
    Config,
    Context,
    Current,
    Data,
    FailOnOpt,
    Format,
    Kubeconfig,
    Output,
    Quiet,
    Target,
)
from upgradecheck.cli.output import destinations, emit
from upgradecheck.cli.publish_opts import (
    DryRun,
    Publish,
    check_dry_run,
    publisher_step,
    reach_of_snapshot,
    snapshot_endpoint,
)
from upgradecheck.exit_codes import FailOn
from upgradecheck.lifetime import one_shot
from upgradecheck.render import REPORT_FORMATS
from upgradecheck.run import report_for_snapshot


def assess(
    snapshot: Annotated[
        Path, typer.Argument(metavar="SNAPSHOT", help="A snapshot file (.json or .json.gz).")
    ],
    target: Target = None,
    current: Current = None,
    fmt: Format = None,
    output: Output = None,
    fail_on: FailOnOpt = FailOn.BLOCKER,
    config: Config = None,
    data: Data = None,
    helm: Annotated[
        list[str] | None,
        typer.Option(
            "--helm",
            metavar="PATH",
            help="The helm binary that will run `helm upgrade` (repeatable): it judges charts' "
            "kubeVersion in place of the helm the snapshot recorded.",
        ),
    ] = None,
    quiet: Quiet = False,
    publish: Publish = False,
    kubeconfig: Kubeconfig = None,
    context: Context = None,
    dry_run: DryRun = False,
) -> None:
    """Assess a saved snapshot (from `collect -o`) for an upgrade to the target.

    Examples:

    \b
      upgradecheck assess snapshot.json.gz --target 1.33 -o plan.html
      upgradecheck assess snapshot.json.gz --format checklist -o rehearsal.md
      upgradecheck assess snapshot.json.gz -o plan.html -o rehearsal.checklist.md
      upgradecheck assess snapshot.json.gz --publish --kubeconfig prod.kubeconfig
    """
    where = destinations(REPORT_FORMATS, fmt, output)
    check_dry_run(publish, dry_run)
    if not publish and (kubeconfig or context):
        raise typer.BadParameter(
            "--kubeconfig and --context name the cluster to publish to: add --publish",
            param_hint="'--kubeconfig' / '--context'",
        )
    with one_shot():
        report = report_for_snapshot(
            snapshot,
            target=target,
            current=current,
            config=config,
            data=data or (),
            helm=helm or (),
        )
    then = None
    if publish:
        from upgradecheck.collect.cluster.transport import TransportOptions

        endpoint = snapshot_endpoint(report, kubeconfig, context)
        reach = reach_of_snapshot(report)
        then = publisher_step(report, endpoint, TransportOptions(), reach, quiet, dry_run)
    emit(report, where, fail_on, quiet=quiet, then=then)

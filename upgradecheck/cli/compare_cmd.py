"""`upgradecheck compare`: two snapshots side by side — what an upgrade broke on the cluster
that rehearsed it, or (--fidelity) how faithfully a test cluster stands in for production."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from upgradecheck.cli.options import ComparisonFormat, FailOnOpt, Output
from upgradecheck.cli.output import destinations, emit_result
from upgradecheck.exit_codes import FailOn
from upgradecheck.lifetime import one_shot
from upgradecheck.render import COMPARISON_FORMATS
from upgradecheck.render.summary import counts_text
from upgradecheck.run import comparison_for_files


def compare(
    before: Annotated[
        Path,
        typer.Argument(
            metavar="BEFORE", help="The first snapshot: before the upgrade, or production."
        ),
    ],
    after: Annotated[
        Path,
        typer.Argument(
            metavar="AFTER", help="The second snapshot: after the upgrade, or the test cluster."
        ),
    ],
    fidelity: Annotated[
        bool,
        typer.Option(
            "--fidelity",
            help="Compare production (first) with its test cluster (second): what the "
            "rehearsal cannot show, instead of what the upgrade broke.",
        ),
    ] = False,
    fmt: ComparisonFormat = None,
    output: Output = None,
    fail_on: FailOnOpt = FailOn.BLOCKER,
) -> None:
    """Compare two snapshots (from `collect -o`).

    Without --fidelity: one cluster before and after its upgrade. Nodes not Ready, workloads
    no longer ready, new crash loops, PVCs that lost their volume and newly failed Helm
    releases are blockers; objects that disappeared, new Pending PVCs and restart spikes are
    warnings.

    Examples:

    \b
      upgradecheck compare test-before.json.gz test-after.json.gz -o rehearsal.html
      upgradecheck compare prod.json.gz test.json.gz --fidelity --format markdown
    """
    where = destinations(COMPARISON_FORMATS, fmt, output)
    with one_shot():
        comparison = comparison_for_files(before, after, fidelity=fidelity)
    summary = f"{comparison.mode.value} {comparison.verdict.value}: {counts_text(comparison)}"
    emit_result(comparison, COMPARISON_FORMATS, where, fail_on, summary)

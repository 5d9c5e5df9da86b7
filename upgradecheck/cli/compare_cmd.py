"""`upgradecheck compare`: two snapshots side by side — what an upgrade broke on the cluster
that rehearsed it, or (--fidelity) how faithfully a test cluster stands in for production."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer

from upgradecheck.cli.options import FailOnOpt, Output
from upgradecheck.cli.output import choose_format, deliver
from upgradecheck.compare import Comparison
from upgradecheck.compare.render import CompareFormat
from upgradecheck.compare.view import counts_text
from upgradecheck.exit_codes import FailOn, exit_code
from upgradecheck.run import comparison_for_files

FormatOpt = Annotated[
    CompareFormat | None,
    typer.Option(
        "--format",
        "-f",
        help="Output format. Default: from the --output file's extension (.html, .md, .json), "
        "else text.",
        case_sensitive=False,
    ),
]


def compare(
    before: Annotated[
        Path, typer.Argument(help="The first snapshot: before the upgrade, or production.")
    ],
    after: Annotated[
        Path, typer.Argument(help="The second snapshot: after the upgrade, or the test cluster.")
    ],
    fidelity: Annotated[
        bool,
        typer.Option(
            "--fidelity",
            help="Compare production (first) with its test cluster (second): what the "
            "rehearsal cannot show, instead of what the upgrade broke.",
        ),
    ] = False,
    fmt: FormatOpt = None,
    output: Output = None,
    fail_on: FailOnOpt = FailOn.BLOCKER,
) -> None:
    """Compare two snapshots (from `collect -o`).

    Without --fidelity: one cluster before and after its upgrade. Nodes not Ready, workloads
    no longer ready, new crash loops, PVCs that lost their volume and newly failed Helm
    releases are blockers; objects that disappeared, new Pending PVCs and restart spikes are
    warnings.

    Examples:

      upgradecheck compare test-before.json.gz test-after.json.gz -o rehearsal.html

      upgradecheck compare prod.json.gz test.json.gz --fidelity --format markdown
    """
    comparison = comparison_for_files(before, after, fidelity=fidelity)
    emit_comparison(comparison, fmt, output, fail_on)


def emit_comparison(
    comparison: Comparison, fmt: CompareFormat | None, output: Path | None, fail_on: FailOn
) -> NoReturn:
    """Render, write to the file or stdout, print the summary when writing a file, exit."""
    chosen = fmt or CompareFormat(choose_format(None, output).value)
    text = chosen.to_renderer().render(comparison)
    summary = f"{comparison.mode.value} {comparison.verdict.value}: {counts_text(comparison)}"
    deliver(text, output, summary, f"{chosen.value} comparison")
    raise SystemExit(int(exit_code(comparison, fail_on)))

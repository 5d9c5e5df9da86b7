"""`upgradecheck scan`: manifests in files, folders or stdin, judged against a target."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from upgradecheck.cli.options import Current, FailOnOpt, Format, Output, Target
from upgradecheck.cli.output import emit
from upgradecheck.exit_codes import FailOn
from upgradecheck.run import report_for_manifests


def scan(
    paths: Annotated[
        list[str],
        typer.Argument(help="Files and folders (.yaml, .yml, .json), or - for stdin."),
    ],
    target: Target = None,
    current: Current = None,
    fmt: Format = None,
    output: Output = None,
    fail_on: FailOnOpt = FailOn.BLOCKER,
) -> None:
    """Scan Kubernetes manifests for APIs the target no longer serves.

    Examples:

      upgradecheck scan manifests/ --target 1.33

      helm template ./chart | upgradecheck scan - --target 1.33 --format markdown
    """
    report = report_for_manifests(paths, target=target, current=current, stdin=sys.stdin)
    emit(report, fmt, output, fail_on)

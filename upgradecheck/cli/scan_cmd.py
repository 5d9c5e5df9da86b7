"""`upgradecheck scan`: manifests in files, folders or stdin, judged against a target."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from upgradecheck.cli.options import (
    Config,
    Data,
    FailOnOpt,
    Format,
    Output,
    Quiet,
    ScanCurrent,
    Target,
)
from upgradecheck.cli.output import destinations, emit
from upgradecheck.collect.limits import RUN_TIMEOUT
from upgradecheck.exit_codes import FailOn
from upgradecheck.lifetime import one_shot
from upgradecheck.render import REPORT_FORMATS
from upgradecheck.run import report_for_manifests


def scan(
    paths: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH", help="Files and folders (.yaml, .yml, .json), or - for stdin."
        ),
    ],
    target: Target = None,
    current: ScanCurrent = None,
    fmt: Format = None,
    output: Output = None,
    fail_on: FailOnOpt = FailOn.BLOCKER,
    helm: Annotated[
        str | None,
        typer.Option(
            "--helm",
            metavar="PATH",
            help="The helm binary that renders chart folders (default: helm on PATH; "
            "without one, charts are read by a template-aware fallback).",
        ),
    ] = None,
    kubectl: Annotated[
        str | None,
        typer.Option(
            "--kubectl",
            metavar="PATH",
            help="The kubectl binary that builds kustomization folders (default: kubectl on "
            "PATH; without one, the resources they list are scanned).",
        ),
    ] = None,
    values: Annotated[
        list[str] | None,
        typer.Option(
            "--values",
            metavar="FILE",
            help="A values file for every chart rendered (repeatable, in order).",
        ),
    ] = None,
    config: Config = None,
    data: Data = None,
    max_file_size: Annotated[
        int,
        typer.Option(
            "--max-file-size",
            min=1,
            metavar="MIB",
            help="Largest file read, and most output taken from one helm template or kubectl "
            "kustomize run, in MiB; more is reported, not read.",
        ),
    ] = 16,
    root: Annotated[
        str | None,
        typer.Option(
            "--root",
            metavar="DIR",
            help="The tree nothing may be read outside of (default: each folder named): "
            "widen it so that links and kustomizations may reach ../base.",
        ),
    ] = None,
    client_timeout: Annotated[
        int,
        typer.Option(
            "--client-timeout",
            min=1,
            metavar="SECONDS",
            help="Longest one helm template or kubectl kustomize run may take; a run that "
            "takes longer is stopped and its folder read by the fallback.",
        ),
    ] = int(RUN_TIMEOUT),
    quiet: Quiet = False,
    publish: Annotated[
        bool,
        # Hidden: here only to say where publishing is, rather than "no such option".
        typer.Option("--publish", hidden=True),
    ] = False,
) -> None:
    """Scan Kubernetes manifests for APIs the target no longer serves.

    A folder holding Chart.yaml is rendered with helm template for the target version; a
    folder holding kustomization.yaml is built with kubectl kustomize. Nothing outside the
    folders named (or --root) is read, by the scan or by helm and kubectl.

    Examples:

    \b
      upgradecheck scan manifests/ --target 1.33
      upgradecheck scan charts/web --target 1.33 --values prod.yaml
      upgradecheck scan deploy/overlays/prod --root deploy -t 1.33
      helm template ./chart | upgradecheck scan - -t 1.33 -f markdown
      upgradecheck scan manifests/ -t 1.33 -o results.sarif -o junit.xml
    """
    if publish:
        raise typer.BadParameter(
            "scan reads files, not a cluster, so it has no cluster to publish to: publish "
            "with `plan --publish` (collects the cluster) or `assess SNAPSHOT --publish`; "
            "`--format policyreport -o reports.yaml` writes the reports to a file",
            param_hint="'--publish'",
        )
    where = destinations(REPORT_FORMATS, fmt, output)
    with one_shot():
        report = report_for_manifests(
            paths,
            target=target,
            current=current,
            stdin=sys.stdin,
            helm=helm,
            kubectl=kubectl,
            values=values or (),
            config=config,
            max_file_bytes=max_file_size * 1024 * 1024,
            data=data or (),
            root=root,
            client_timeout=client_timeout,
        )
    emit(report, where, fail_on, quiet=quiet)

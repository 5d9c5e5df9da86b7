"""Options shared by several commands, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from upgradecheck.exit_codes import FailOn
from upgradecheck.render import (
    COMPARISON_FORMATS,
    FLEET_FORMATS,
    REPORT_FORMATS,
    Formats,
    OutputFormat,
)
from upgradecheck.render.registry import SUFFIXES
from upgradecheck.suppress import DEFAULT_CONFIG, find_config

Target = Annotated[
    str | None,
    typer.Option(
        "--target",
        "-t",
        metavar="VERSION",
        help="Target Kubernetes version (1.33, v1.33 or 1.33.2). Default: the next minor "
        "after the current one, or the newest known release when the current is unknown.",
    ),
]
Current = Annotated[
    str | None,
    typer.Option(
        "--current",
        metavar="VERSION",
        help="Current Kubernetes version (default: from the snapshot, or the cluster's).",
    ),
]
ScanCurrent = Annotated[
    str | None,
    typer.Option(
        "--current",
        metavar="VERSION",
        help="The Kubernetes version the manifests run on today (default: unknown; findings "
        "are judged against the target only).",
    ),
]


def format_option(formats: Formats[Any]) -> Any:
    """`--format/-f`, offering exactly the formats `formats` registers, in its order; any
    other name is a usage error that lists them."""
    offered = "|".join(fmt.value for fmt in formats.choices)
    suffixes = ", ".join(s for s, fmt in SUFFIXES.items() if fmt in formats.choices)

    def parse(name: str) -> OutputFormat:
        try:
            return formats.parse(name)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None

    def complete(incomplete: str) -> list[str]:
        return [f.value for f in formats.choices if f.value.startswith(incomplete.lower())]

    return typer.Option(
        "--format",
        "-f",
        help=f"Output format: {', '.join(f.value for f in formats.choices)}. Default: from "
        f"the --output file's extension ({suffixes}), else text.",
        parser=parse,
        autocompletion=complete,
        metavar=f"<{offered}>",
    )


Format = Annotated[OutputFormat | None, format_option(REPORT_FORMATS)]
ComparisonFormat = Annotated[OutputFormat | None, format_option(COMPARISON_FORMATS)]
FleetFormat = Annotated[OutputFormat | None, format_option(FLEET_FORMATS)]
Output = Annotated[
    list[Path] | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Write here instead of standard output, in the format the extension names "
        "(repeatable: one run, several files).",
    ),
]
Quiet = Annotated[
    bool,
    typer.Option(
        "--quiet", "-q", help="Print nothing on stderr but errors: no progress, no summary."
    ),
]
FailOnOpt = Annotated[
    FailOn,
    typer.Option(
        "--fail-on",
        help="Exit 1 when a finding is at or above this severity.",
        case_sensitive=False,
    ),
]


def _config_file(given: Path | None) -> Path | None:
    # Called by Typer for the default too, so every command finds .upgradecheck.yaml alike.
    return find_config(given)


Config = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="FILE",
        help=f"Exceptions file: findings to suppress, each with a reason and an expiry "
        f"(default: {DEFAULT_CONFIG} in the current directory, when there is one).",
        callback=_config_file,
    ),
]

Data = Annotated[
    list[Path] | None,
    typer.Option(
        "--data",
        metavar="FILE",
        help="A knowledge-base data file of your own (in-house CRD versions, add-ons, "
        "corrections; docs/knowledge-base.md), applied after the config file's `data:`; "
        "repeatable, later files override earlier ones.",
    ),
]

Kubeconfig = Annotated[
    str | None,
    typer.Option(
        "--kubeconfig",
        metavar="FILE",
        help="kubeconfig file (default: KUBECONFIG, ~/.kube/config, "
        "else the in-cluster service account).",
    ),
]
Context = Annotated[
    str | None, typer.Option("--context", metavar="NAME", help="kubeconfig context.")
]

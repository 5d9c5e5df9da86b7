"""Options shared by several commands, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from upgradecheck.exit_codes import FailOn
from upgradecheck.render import COMPARISON_FORMATS, REPORT_FORMATS, Formats, OutputFormat
from upgradecheck.suppress import DEFAULT_CONFIG, find_config

Target = Annotated[
    str | None,
    typer.Option(
        "--target",
        "-t",
        help="Target Kubernetes version (1.33, v1.33 or 1.33.2). Default: the next minor "
        "after the current one, or the newest known release when the current is unknown.",
    ),
]
Current = Annotated[
    str | None,
    typer.Option("--current", help="Current Kubernetes version (default: from the snapshot)."),
]


def format_option(formats: Formats[Any]) -> Any:
    """`--format/-f`, offering exactly the formats `formats` registers, in its order."""
    offered = "|".join(fmt.value for fmt in formats.choices)
    return typer.Option(
        "--format",
        "-f",
        help="Output format. Default: from the --output file's extension (.html, .md, .json), "
        "else text.",
        parser=formats.parse,
        metavar=f"<{offered}>",
    )


Format = Annotated[OutputFormat | None, format_option(REPORT_FORMATS)]
ComparisonFormat = Annotated[OutputFormat | None, format_option(COMPARISON_FORMATS)]
Output = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write the report here instead of standard output."),
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
        help=f"Exceptions file: findings to suppress, each with a reason and an expiry "
        f"(default: {DEFAULT_CONFIG} in the current directory, when there is one).",
        callback=_config_file,
    ),
]

Data = Annotated[
    list[Path] | None,
    typer.Option(
        "--data",
        help="A knowledge-base data file of your own (in-house CRD versions, add-ons, "
        "corrections; docs/knowledge-base.md), applied after the config file's `data:`; "
        "repeatable, later files override earlier ones.",
    ),
]

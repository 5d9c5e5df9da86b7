"""`upgradecheck fleet`: many clusters in one run — kubeconfig contexts collected side by side,
or snapshot files — each judged as `plan` or `assess` judges it, then what they share."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from upgradecheck.cli.collect_opts import (
    ExcludeNamespaces,
    Kubeconfig,
    MaxResponse,
    Namespaces,
    Selector,
    Timeout,
    options,
    scope,
)
from upgradecheck.cli.fleet_display import FleetDisplay
from upgradecheck.cli.options import (
    Config,
    Data,
    FailOnOpt,
    FleetFormat,
    Output,
    Quiet,
    Target,
)
from upgradecheck.cli.output import destinations, emit_result
from upgradecheck.exit_codes import FailOn
from upgradecheck.fleet.runner import DEFAULT_PARALLEL, FleetOptions, judge_fleet
from upgradecheck.fleet.sources import context_entries, context_names, snapshot_entries
from upgradecheck.render import FLEET_FORMATS
from upgradecheck.render.fleet.view import states_text


def fleet(
    snapshots: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="SNAPSHOT_OR_FOLDER",
            help="Snapshot files (.json, .json.gz), or folders of them (read at any depth).",
            show_default=False,
        ),
    ] = None,
    context: Annotated[
        list[str] | None,
        typer.Option(
            "--context", metavar="NAME", help="A kubeconfig context to collect (repeatable)."
        ),
    ] = None,
    all_contexts: Annotated[
        bool, typer.Option("--all-contexts", help="Collect every context of the kubeconfig.")
    ] = False,
    target: Target = None,
    fmt: FleetFormat = None,
    output: Output = None,
    fail_on: FailOnOpt = FailOn.BLOCKER,
    config: Config = None,
    data: Data = None,
    kubeconfig: Kubeconfig = None,
    parallel: Annotated[
        int,
        typer.Option(
            "--parallel",
            min=1,
            max=32,
            metavar="N",
            help="Clusters collected at once (snapshots are read one at a time).",
        ),
    ] = DEFAULT_PARALLEL,
    concurrency: Annotated[
        int,
        typer.Option(
            "--concurrency",
            min=1,
            max=64,
            metavar="N",
            help="Lists fetched at once from each cluster.",
        ),
    ] = 4,
    request_timeout: Timeout = 30.0,
    max_response_size: MaxResponse = 16,
    namespace: Namespaces = None,
    exclude_namespace: ExcludeNamespaces = None,
    selector: Selector = None,
    quiet: Quiet = False,
) -> None:
    """Judge many clusters at once and show what they share.

    Each context is collected and assessed as `plan` does it, several at once; each snapshot
    is assessed as `assess` does it. --target applies to every cluster (default: each one's
    next minor). A cluster that cannot be reached is a row saying why; the others go on.
    Exit 1 when a cluster has findings at or above --fail-on, else 3 when one could not be
    reached, else 0; 2 when a snapshot or a context could not be used at all.

    Examples:

    \b
      upgradecheck fleet --context prod-eu --context prod-us -o fleet.html
      upgradecheck fleet --all-contexts --target 1.33 --format markdown
      upgradecheck fleet snapshots/ -o fleet.html -o fleet.json
    """
    where = destinations(FLEET_FORMATS, fmt, output)
    if all_contexts and context:
        raise typer.BadParameter("give --context or --all-contexts, not both")
    contexts = context_names(kubeconfig) if all_contexts else list(context or ())
    entries = context_entries(contexts) + snapshot_entries(snapshots or ())
    if not entries:
        raise typer.BadParameter(
            "name the clusters: --context (repeatable), --all-contexts, or snapshot files "
            "and folders"
        )
    collect = options(
        kubeconfig,
        None,
        concurrency,
        request_timeout,
        None,
        None,
        scope(namespace, exclude_namespace, selector),
        max_response_size,
    )
    settings = FleetOptions(
        collect=collect, target=target, config=config, data=tuple(data or ()), parallel=parallel
    )
    display = None if quiet else FleetDisplay(sys.stderr, len(entries), sys.stderr.isatty())
    try:
        result = judge_fleet(entries, settings, display)
    except BaseException as exc:
        if display is not None:
            display.end()
        if not isinstance(exc, Exception):  # SIGINT or SIGTERM
            _end_now(exc)
        raise
    if display is not None:
        display.end()
    summary = f"fleet {result.verdict.value}: {states_text(result)}"
    emit_result(result, FLEET_FORMATS, where, fail_on, summary, quiet=quiet)


def _end_now(interruption: BaseException) -> NoReturn:
    """End the process as every command ends when interrupted (the same line and exit code),
    but at once: the collections still in flight run on other threads, which this one cannot
    stop, and a normal exit would wait for each of their queued requests. Nothing of the
    fleet has been written yet."""
    from upgradecheck.cli import run  # the CLI's own handling of an interruption

    def again() -> None:
        raise interruption

    try:
        run(again)
    except SystemExit as ending:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(ending.code if isinstance(ending.code, int) else 1)
    raise AssertionError("run() ends an interruption with SystemExit")

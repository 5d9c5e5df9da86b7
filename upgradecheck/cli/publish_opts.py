"""`--publish` of `plan` and `assess`: the report written into the cluster as PolicyReports
once the output is safe, with what was done said on stderr."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Annotated

import typer

from upgradecheck.model import Report
from upgradecheck.publish import (
    ClusterReports,
    PolicyReportPublisher,
    PublishError,
    Reach,
)
from upgradecheck.wording import names, plural

Publish = Annotated[
    bool,
    typer.Option(
        "--publish",
        help="Also write the report into the cluster as wgpolicyk8s.io PolicyReports (server-"
        "side apply), replacing upgradecheck's earlier ones: the only write upgradecheck "
        "makes. Exit code 4 when that fails (the report is still written).",
    ),
]

# Collection notes this subject when it saw part of the cluster (collect/cluster/scope.py).
_SCOPE_SUBJECT = "scope"


def reach_of(
    namespaces: list[str] | None, exclude: list[str] | None, selector: str | None
) -> Reach:
    """The namespaces a run with these scope options speaks for."""
    return Reach(tuple(namespaces or ()), tuple(exclude or ()), partial=bool(selector))


def reach_of_snapshot(report: Report) -> Reach:
    """A saved snapshot says that it saw part of the cluster, not which part: then the run
    speaks only for the namespaces it has findings in."""
    return Reach(partial=any(note.subject == _SCOPE_SUBJECT for note in report.coverage))


def publisher_step(
    report: Report,
    kubeconfig: str | None,
    context: str | None,
    reach: Reach,
    timeout: float,
    quiet: bool = False,
) -> Callable[[], None]:
    """What `emit` calls after writing the report: publish it, say what was done (unless
    `quiet`: errors only). The kubeconfig is read now, so that an unusable one fails before
    the report is written."""
    reports = ClusterReports(kubeconfig, context, timeout=timeout)

    def step() -> None:
        try:
            done = PolicyReportPublisher(reports).publish(report, reach)
        except PublishError as exc:
            raise type(exc)(f"the report was written but not published: {exc}") from None
        finally:
            reports.close()
        if quiet:
            return
        say(f"published {plural(len(done.applied), 'report')} to {done.target}")
        if done.deleted:
            say(f"deleted {plural(len(done.deleted), 'earlier report')}: {names(done.deleted)}")
        for why in done.skipped:
            say(f"not published: {why}")

    return step


def say(line: str) -> None:
    """One line on stderr."""
    print(f"upgradecheck: {line}", file=sys.stderr)

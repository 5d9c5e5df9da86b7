"""`--publish` of `plan` and `assess`: the report written into the cluster as PolicyReports
once the output is safe, with what was done said on stderr."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from upgradecheck.model import Report
from upgradecheck.safetext import printable
from upgradecheck.wording import names, plural

# The cluster's transport (urllib3, TLS) and the publisher are imported when publishing:
# `assess` without --publish reaches no cluster and starts without them.
if TYPE_CHECKING:
    from upgradecheck.collect.cluster.endpoint import Endpoint
    from upgradecheck.collect.cluster.scope import Scope
    from upgradecheck.collect.cluster.transport import TransportOptions
    from upgradecheck.publish import Reach

Publish = Annotated[
    bool,
    typer.Option(
        "--publish",
        help="Also write the report into the cluster as wgpolicyk8s.io PolicyReports (server-"
        "side apply), replacing upgradecheck's earlier ones: the only write upgradecheck "
        "makes. Exit code 4 when that fails (the report is still written).",
    ),
]

DryRun = Annotated[
    bool,
    typer.Option(
        "--dry-run",
        help="With --publish: send the writes as server-side dry runs (the API server checks "
        "the CRDs, the RBAC and each report, and stores nothing) and say what would be "
        "published and deleted.",
    ),
]


def check_dry_run(publish: bool, dry_run: bool) -> None:
    """--dry-run qualifies --publish and means nothing alone."""
    if dry_run and not publish:
        raise typer.BadParameter(
            "--dry-run tries out --publish: add --publish", param_hint="'--dry-run'"
        )


# Collection notes this subject when it saw part of the cluster (collect/cluster/scope.py).
_SCOPE_SUBJECT = "scope"


def reach_of(scope: Scope) -> Reach:
    """The namespaces a run collecting `scope` speaks for."""
    from upgradecheck.publish import Reach

    return Reach(scope.namespaces, scope.exclude_namespaces, partial=bool(scope.selector))


def reach_of_snapshot(report: Report) -> Reach:
    """A saved snapshot says that it saw part of the cluster, not which part: then the run
    speaks only for the namespaces it has findings in."""
    from upgradecheck.publish import Reach

    return Reach(partial=any(note.subject == _SCOPE_SUBJECT for note in report.coverage))


def snapshot_endpoint(report: Report, kubeconfig: str | None, context: str | None) -> Endpoint:
    """The cluster to publish a saved snapshot's report to. One named by `--kubeconfig` or
    `--context` is taken as asked; the default kubeconfig's current context only when the
    snapshot was collected through a context of that name and, when both the snapshot and
    the cluster say it, from the cluster of the same kube-system namespace uid, so that a
    report is never published into another cluster by accident (a usage error says so)."""
    from upgradecheck.collect.cluster.endpoint import load_endpoint

    endpoint = load_endpoint(kubeconfig, context)
    if kubeconfig or context:
        return endpoint
    collected = report.cluster.context if report.cluster is not None else None
    if collected == endpoint.context:
        # Context names repeat across kubeconfig files (kubeadm calls every one
        # kubernetes-admin@kubernetes): the cluster's own identity decides when both sides
        # have it.
        uid = report.cluster.uid if report.cluster is not None else None
        live = _cluster_uid(endpoint) if uid is not None else None
        if live is None or live == uid:
            return endpoint
        why = (
            f"the snapshot was collected from another cluster than context "
            f"'{printable(endpoint.context or '', 80)}' reaches now (its kube-system "
            f"namespace has uid {printable(live, 40)}, the snapshot's {printable(uid or '', 40)})"
        )
    elif collected is None:
        why = "the snapshot does not say which cluster it was collected from"
    else:
        why = (
            f"the snapshot was collected through context '{printable(collected, 80)}', "
            f"the current one is '{printable(endpoint.context or '', 80)}'"
        )
    raise typer.BadParameter(
        f"{why}: name the cluster to publish to with --context or --kubeconfig",
        param_hint="'--publish'",
    )


def _cluster_uid(endpoint: Endpoint) -> str | None:
    from upgradecheck.collect.cluster.transport import TransportOptions
    from upgradecheck.publish.cluster import ClusterReports

    reports = ClusterReports(endpoint, TransportOptions())
    try:
        return reports.cluster_uid()
    finally:
        reports.close()


def publisher_step(
    report: Report,
    endpoint: Endpoint,
    options: TransportOptions,
    reach: Reach,
    quiet: bool = False,
    dry_run: bool = False,
) -> Callable[[], None]:
    """What `emit` calls after writing the report: publish it to `endpoint` (the one the
    caller loaded from the kubeconfig, before writing anything), or only try it (`dry_run`),
    and say what was done (unless `quiet`: errors only)."""
    from upgradecheck.publish import PublishError
    from upgradecheck.publish.cluster import ClusterReports
    from upgradecheck.publish.policyreports import PolicyReportPublisher

    reports = ClusterReports(endpoint, options, dry_run=dry_run)

    def step() -> None:
        try:
            done = PolicyReportPublisher(reports).publish(report, reach)
        except PublishError as exc:
            raise type(exc)(f"the report was written but not published: {exc}") from None
        finally:
            reports.close()
        if quiet:
            return
        where = f"{done.target} (context {endpoint.context})" if endpoint.context else done.target
        would = "dry run, nothing written: would have " if done.dry_run else ""
        say(f"{would}published {plural(len(done.applied), 'report')} to {where}")
        if done.deleted:
            earlier = f"{plural(len(done.deleted), 'earlier report')}: {names(done.deleted)}"
            say(f"{would}deleted {earlier}")
        for why in done.skipped:
            say(f"not published: {why}")

    return step


def say(line: str) -> None:
    """One line on stderr."""
    print(f"upgradecheck: {line}", file=sys.stderr)

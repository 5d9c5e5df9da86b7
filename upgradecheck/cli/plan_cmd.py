"""`upgradecheck plan`: collect the live cluster, assess it and write the upgrade plan."""

from __future__ import annotations

from upgradecheck.cli.collect_opts import (
    Concurrency,
    Context,
    ExcludeNamespaces,
    Helm,
    Kubeconfig,
    Kubectl,
    MaxResponse,
    Namespaces,
    Quiet,
    Selector,
    Timeout,
    end_progress,
    options,
    progress_printer,
    scope,
)
from upgradecheck.cli.options import Config, Data, FailOnOpt, Format, Output, Target
from upgradecheck.cli.output import emit
from upgradecheck.exit_codes import FailOn
from upgradecheck.run import report_for_cluster


def plan(
    target: Target = None,
    fmt: Format = None,
    output: Output = None,
    fail_on: FailOnOpt = FailOn.BLOCKER,
    kubeconfig: Kubeconfig = None,
    context: Context = None,
    concurrency: Concurrency = 8,
    request_timeout: Timeout = 30.0,
    kubectl: Kubectl = None,
    helm: Helm = None,
    quiet: Quiet = False,
    namespace: Namespaces = None,
    exclude_namespace: ExcludeNamespaces = None,
    selector: Selector = None,
    max_response_size: MaxResponse = 16,
    config: Config = None,
    data: Data = None,
) -> None:
    """Collect the cluster, assess it for the target and write the upgrade plan.

    Examples:

      upgradecheck plan --target 1.33 -o plan.html

      upgradecheck plan --context test --format checklist -o rehearsal.md
    """
    printer = progress_printer(quiet)
    try:
        report = report_for_cluster(
            options(
                kubeconfig,
                context,
                concurrency,
                request_timeout,
                kubectl,
                helm,
                scope(namespace, exclude_namespace, selector),
                max_response_size,
            ),
            target=target,
            progress=printer,
            config=config,
            data=data or (),
        )
    finally:
        end_progress(printer)
    emit(report, fmt, output, fail_on)

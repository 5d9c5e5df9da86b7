"""Options of the commands that reach a cluster (`collect`, `plan`), declared once."""

from __future__ import annotations

import sys
import threading
from typing import Annotated

import typer

from upgradecheck.collect.cluster.collector import CollectOptions, Progress
from upgradecheck.collect.cluster.scope import Scope
from upgradecheck.collect.cluster.transport import TransportOptions

Kubeconfig = Annotated[
    str | None,
    typer.Option(
        "--kubeconfig",
        help="kubeconfig file (default: KUBECONFIG, ~/.kube/config, "
        "else the in-cluster service account).",
    ),
]
Context = Annotated[str | None, typer.Option("--context", help="kubeconfig context.")]
Concurrency = Annotated[
    int, typer.Option("--concurrency", min=1, max=64, help="Lists fetched at once.")
]
Timeout = Annotated[
    float, typer.Option("--request-timeout", min=1.0, help="Seconds allowed per request.")
]
Kubectl = Annotated[
    list[str] | None,
    typer.Option("--kubectl", help="Another kubectl binary to check (repeatable)."),
]
Helm = Annotated[
    list[str] | None,
    typer.Option(
        "--helm",
        help="Another helm binary to check, the one that will run `helm upgrade`: it judges "
        "charts' kubeVersion (repeatable).",
    ),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")]
Namespaces = Annotated[
    list[str] | None,
    typer.Option(
        "--namespace",
        "-n",
        help="Only this namespace (repeatable). Cluster-scoped "
        "objects and nodes are always collected.",
    ),
]
ExcludeNamespaces = Annotated[
    list[str] | None,
    typer.Option("--exclude-namespace", help="Leave this namespace out (repeatable)."),
]
Selector = Annotated[
    str | None,
    typer.Option(
        "--selector",
        "-l",
        help="Only namespaced objects matching this label selector (e.g. team=shop).",
    ),
]


def options(
    kubeconfig: str | None,
    context: str | None,
    concurrency: int,
    timeout: float,
    kubectl: list[str] | None,
    helm: list[str] | None,
    scope: Scope | None = None,
) -> CollectOptions:
    """CollectOptions from the command line."""
    return CollectOptions(
        kubeconfig=kubeconfig,
        context=context,
        transport=TransportOptions(timeout=timeout, concurrency=concurrency),
        kubectl=tuple(kubectl or ()),
        helm=tuple(helm or ()),
        scope=scope or Scope(),
    )


def scope(namespaces: list[str] | None, exclude: list[str] | None, selector: str | None) -> Scope:
    """The Scope from the command line."""
    return Scope(tuple(namespaces or ()), tuple(exclude or ()), selector or None)


def progress_printer(quiet: bool) -> Progress | None:
    """A one-line progress display on stderr when it is a terminal; None otherwise."""
    if quiet or not sys.stderr.isatty():
        return None
    lock = threading.Lock()

    def show(what: str, done: int, seen: int) -> None:
        with lock:
            sys.stderr.write(f"\r\x1b[Kcollecting: {done} lists, {seen} objects ({what})")
            sys.stderr.flush()

    return show


def end_progress(printer: Progress | None) -> None:
    """Finish the progress line."""
    if printer is not None:
        sys.stderr.write("\r\x1b[K")
        sys.stderr.flush()

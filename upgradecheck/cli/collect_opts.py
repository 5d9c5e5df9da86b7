"""Options of the commands that reach a cluster (`collect`, `plan`), declared once."""

from __future__ import annotations

import functools
import inspect
import sys
import threading
from collections.abc import Callable
from typing import Annotated, Any, TextIO

import typer

from upgradecheck.cli.options import Context as Context
from upgradecheck.cli.options import Kubeconfig as Kubeconfig
from upgradecheck.cli.options import Quiet as Quiet
from upgradecheck.collect.cluster.collector import CollectOptions, Progress
from upgradecheck.collect.cluster.scope import Scope
from upgradecheck.collect.cluster.transport import DEFAULT_MAX_BODY, TransportOptions
from upgradecheck.safetext import printable

Concurrency = Annotated[
    int, typer.Option("--concurrency", min=1, max=64, metavar="N", help="Lists fetched at once.")
]
Timeout = Annotated[
    float,
    typer.Option(
        "--request-timeout",
        min=1.0,
        metavar="SECONDS",
        help="Seconds allowed for each whole request (connecting and the whole answer). A "
        "request that gets no answer is tried 3 times at most; a refused connection, a "
        "certificate that cannot be verified or rejected credentials end the run at once.",
    ),
]
MaxResponse = Annotated[
    int,
    typer.Option(
        "--max-response-size",
        min=1,
        metavar="MIB",
        help="Largest answer read from the API server, in MiB (after decompression). A list "
        "page over it is asked for again in smaller pages; an answer that stays over it is a "
        "coverage gap, not read. /metrics may be 4 times as large.",
    ),
]
Kubectl = Annotated[
    list[str] | None,
    typer.Option("--kubectl", metavar="PATH", help="Another kubectl binary to check (repeatable)."),
]
Helm = Annotated[
    list[str] | None,
    typer.Option(
        "--helm",
        metavar="PATH",
        help="Another helm binary to check, the one that will run `helm upgrade`: it judges "
        "charts' kubeVersion (repeatable).",
    ),
]
Namespaces = Annotated[
    list[str] | None,
    typer.Option(
        "--namespace",
        "-n",
        metavar="NAMESPACE",
        help="Only this namespace (repeatable). Cluster-scoped "
        "objects and nodes are always collected.",
    ),
]
ExcludeNamespaces = Annotated[
    list[str] | None,
    typer.Option(
        "--exclude-namespace", metavar="NAMESPACE", help="Leave this namespace out (repeatable)."
    ),
]
Selector = Annotated[
    str | None,
    typer.Option(
        "--selector",
        "-l",
        metavar="SELECTOR",
        help="Only namespaced objects matching this label selector (e.g. team=shop).",
    ),
]


_Param = inspect.Parameter


def _option(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return _Param(name, _Param.POSITIONAL_OR_KEYWORD, default=default, annotation=annotation)


CLUSTER_OPTIONS = (
    _option("kubeconfig", Kubeconfig, None),
    _option("context", Context, None),
    _option("concurrency", Concurrency, 8),
    _option("request_timeout", Timeout, 30.0),
    _option("kubectl", Kubectl, None),
    _option("helm", Helm, None),
    _option("namespace", Namespaces, None),
    _option("exclude_namespace", ExcludeNamespaces, None),
    _option("selector", Selector, None),
    _option("max_response_size", MaxResponse, 16),
)
"""The options every command that collects a cluster takes, in the order `--help` lists
them."""

CLUSTER = CollectOptions()
"""The default of a command's `cluster` parameter, never used: `cluster_command` puts the
options in its place."""


def cluster_command(command: Callable[..., None]) -> Callable[..., None]:
    """`command` with the cluster options in place of its `cluster` parameter: the command
    line shows and parses CLUSTER_OPTIONS there, and `command` receives them read, as one
    CollectOptions."""
    signature = inspect.signature(command, eval_str=True)
    parameters: list[inspect.Parameter] = []
    for parameter in signature.parameters.values():
        parameters.extend(CLUSTER_OPTIONS if parameter.name == "cluster" else [parameter])
    names = [option.name for option in CLUSTER_OPTIONS]

    @functools.wraps(command)
    def with_options(**given: Any) -> None:
        read = {name: given.pop(name) for name in names}
        cluster = options(
            read["kubeconfig"],
            read["context"],
            read["concurrency"],
            read["request_timeout"],
            read["kubectl"],
            read["helm"],
            scope(read["namespace"], read["exclude_namespace"], read["selector"]),
            read["max_response_size"],
        )
        command(cluster=cluster, **given)

    # typer reads the parameters from the signature and resolves them through the
    # annotations: both name the options themselves, not the `cluster` parameter.
    with_options.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    with_options.__annotations__ = {p.name: p.annotation for p in parameters}
    return with_options


def options(
    kubeconfig: str | None,
    context: str | None,
    concurrency: int,
    timeout: float,
    kubectl: list[str] | None,
    helm: list[str] | None,
    scope: Scope | None = None,
    max_response_mib: int = DEFAULT_MAX_BODY // (1024 * 1024),
) -> CollectOptions:
    """CollectOptions from the command line."""
    transport = TransportOptions(
        timeout=timeout, concurrency=concurrency, max_body=max_response_mib * 1024 * 1024
    )
    return CollectOptions(
        kubeconfig=kubeconfig,
        context=context,
        transport=transport,
        kubectl=tuple(kubectl or ()),
        helm=tuple(helm or ()),
        scope=scope or Scope(),
    )


def scope(namespaces: list[str] | None, exclude: list[str] | None, selector: str | None) -> Scope:
    """The Scope from the command line."""
    return Scope(tuple(namespaces or ()), tuple(exclude or ()), selector or None)


class TerminalProgress:
    """A one-line progress display on a terminal, redrawn in place; retries show there too.
    What the server named (resources, messages) is shown with its control characters
    escaped."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def _draw(self, line: str) -> None:
        with self._lock:
            self._stream.write(f"\r\x1b[K{line}")
            self._stream.flush()

    def __call__(self, what: str, done: int, seen: int) -> None:
        self._draw(f"collecting: {done} lists, {seen} objects ({printable(what, 100)})")

    def retrying(self, message: str) -> None:
        self._draw(f"collecting: {printable(message, 200)}")

    def end(self) -> None:
        with self._lock:
            self._stream.write("\r\x1b[K")
            self._stream.flush()


def progress_printer(quiet: bool) -> TerminalProgress | None:
    """The progress display on stderr when it is a terminal and not --quiet; None otherwise."""
    if quiet or not sys.stderr.isatty():
        return None
    return TerminalProgress(sys.stderr)


def end_progress(printer: Progress | None) -> None:
    """Finish the progress line."""
    if isinstance(printer, TerminalProgress):
        printer.end()

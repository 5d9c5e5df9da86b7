"""Options of the commands that reach a cluster (`collect`, `plan`), declared once."""

from __future__ import annotations

import sys
import threading
from typing import Annotated, TextIO

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

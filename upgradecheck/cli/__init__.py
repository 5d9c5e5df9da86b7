"""The command line: parse options, call a job that returns a Report, render it. Errors of
every layer become one line on stderr and the documented exit code."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from typing import NoReturn

import typer

from upgradecheck import __version__
from upgradecheck.cli import (
    assess_cmd,
    collect_cmd,
    compare_cmd,
    fleet_cmd,
    kb_cmd,
    plan_cmd,
    rbac_cmd,
    rules_cmd,
    scan_cmd,
    schema_cmd,
)
from upgradecheck.cli.helpformat import Command
from upgradecheck.errors import LAYER_ERRORS as _ERRORS
from upgradecheck.exit_codes import ExitCode
from upgradecheck.gcpause import gc_paused
from upgradecheck.safetext import printable

app = typer.Typer(
    name="upgradecheck",
    help="What breaks when you upgrade a Kubernetes cluster, and the plan to get there.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"upgradecheck {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """What breaks when you upgrade a Kubernetes cluster, and the plan to get there."""


app.command("plan", cls=Command)(plan_cmd.plan)
app.command("collect", cls=Command)(collect_cmd.collect)
app.command("scan", cls=Command)(scan_cmd.scan)
app.command("assess", cls=Command)(assess_cmd.assess)
app.command("compare", cls=Command)(compare_cmd.compare)
app.command("fleet", cls=Command)(fleet_cmd.fleet)
app.command("rules", cls=Command)(rules_cmd.rules)
app.command("rbac", cls=Command)(rbac_cmd.rbac)
app.command("schema", cls=Command)(schema_cmd.schema)
app.add_typer(kb_cmd.app, name="kb")

class Interrupted(BaseException):
    """SIGINT or SIGTERM, raised in the main thread: every clean-up on the way out runs (the
    requests in flight are stopped, a half-written file is removed). A BaseException, so
    that no `except Exception` swallows it, and not a KeyboardInterrupt, which click would
    turn into "Aborted!" and exit code 1."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


_SIGNALS = {
    signal.SIGINT: ("interrupted", ExitCode.INTERRUPTED),
    signal.SIGTERM: ("terminated", ExitCode.TERMINATED),
}


def _raise_interrupted(signum: int, _frame: object) -> None:
    raise Interrupted(signum)


def _fail(message: str, code: ExitCode) -> NoReturn:
    # The message may quote what a server or a file said: no control characters reach the
    # terminal.
    print(f"upgradecheck: error: {printable(message)}", file=sys.stderr)
    raise SystemExit(int(code))


def run(entry: Callable[[], object]) -> None:
    """Call `entry`, turning the layers' errors into one line and an exit code."""
    try:
        entry()
    except (KeyboardInterrupt, Interrupted) as exc:
        signum = getattr(exc, "signum", signal.SIGINT)
        word, code = _SIGNALS.get(signum, ("interrupted", ExitCode.INTERRUPTED))
        print(f"upgradecheck: {word}", file=sys.stderr)
        raise SystemExit(int(code)) from None
    except tuple(cls for cls, _ in _ERRORS) as exc:
        code = next(c for cls, c in _ERRORS if isinstance(exc, cls))
        _fail(str(exc), code)


def main(prog_name: str = "upgradecheck") -> None:
    """The `upgradecheck` console script. The cyclic garbage collector stays off for the
    run: the process builds large acyclic data and exits (see gcpause.py). SIGINT and SIGTERM
    stop the run through Interrupted."""
    complete_var = "_" + prog_name.replace(" ", "_").replace("-", "_").upper() + "_COMPLETE"
    previous = {sig: signal.signal(sig, _raise_interrupted) for sig in _SIGNALS}
    try:
        with gc_paused():
            run(lambda: app(prog_name=prog_name, complete_var=complete_var))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def kubectl_plugin() -> None:
    """The `kubectl-upgradecheck` console script: kubectl runs it for `kubectl upgradecheck
    ...` (any executable named kubectl-NAME on PATH is the plugin NAME)."""
    main("kubectl upgradecheck")

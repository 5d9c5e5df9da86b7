"""The command line: parse options, call a job that returns a Report, render it. Errors of
every layer become one line on stderr and the documented exit code."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from typing import NoReturn

import typer

from upgradecheck import __version__
from upgradecheck.cli.lazy import LazyGroup
from upgradecheck.errors import exit_code_for
from upgradecheck.exit_codes import ExitCode
from upgradecheck.gcpause import gc_paused
from upgradecheck.safetext import printable


class AllCommands(LazyGroup):
    """Every command, imported only when chosen (or when help or completion lists them)."""

    LAZY = {
        "plan": "upgradecheck.cli.plan_cmd:plan",
        "collect": "upgradecheck.cli.collect_cmd:collect",
        "scan": "upgradecheck.cli.scan_cmd:scan",
        "assess": "upgradecheck.cli.assess_cmd:assess",
        "compare": "upgradecheck.cli.compare_cmd:compare",
        "fleet": "upgradecheck.cli.fleet_cmd:fleet",
        "rules": "upgradecheck.cli.rules_cmd:rules",
        "rbac": "upgradecheck.cli.rbac_cmd:rbac",
        "schema": "upgradecheck.cli.schema_cmd:schema",
        "kb": "upgradecheck.cli.kb_cmd:app",
    }


app = typer.Typer(
    name="upgradecheck",
    cls=AllCommands,
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
    except Exception as exc:
        layer_code = exit_code_for(exc)
        if layer_code is None:
            raise  # a bug: its traceback is what a report of it needs
        _fail(str(exc), layer_code)


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

"""The process's entry points: `python -m upgradecheck` and the console scripts
(`upgradecheck`, `kubectl-upgradecheck`); `upgradecheck.cli.main` is the command line itself,
which tests and programs call in their own process.

A process that only runs the command line may leave Python's cyclic collector off from its
first import (typer's, before `cli.main` pauses it: see gcpause.py) and never give it the
heap back: at exit the interpreter's last collections walk every object still alive (the
knowledge base, the report, every module) to free nothing the system does not reclaim. Both
together are a twentieth of a short command such as `scan FILE`. For the same reason the
process ends by `os._exit` once the command is done, its exit functions run and its streams
flushed: a large snapshot is never freed object by object (lifetime.py).
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
from typing import NoReturn


def _run(prog_name: str) -> NoReturn:
    gc.disable()
    from upgradecheck import cli, lifetime

    lifetime.ending_without_teardown()
    try:
        cli.main(prog_name)
    except SystemExit as done:
        code = done.code
    else:
        code = None
    finally:
        # Everything alive now stays so until the process ends: out of the collector's reach.
        # (A bug's exception goes on, to the interpreter's traceback and teardown.)
        gc.freeze()
    _exit(code)


def _exit(code: object) -> NoReturn:
    """End the process as `sys.exit(code)` would, without freeing the heap object by object
    (see lifetime.py): the exit functions run and the standard streams are flushed first."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        print(code, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: as the interpreter's own exit says it
            status = status or 120
    os._exit(status)


def main() -> NoReturn:
    """`upgradecheck` (and `python -m upgradecheck`)."""
    _run("upgradecheck")


def kubectl_plugin() -> NoReturn:
    """`kubectl-upgradecheck`: kubectl runs it for `kubectl upgradecheck ...`."""
    _run("kubectl upgradecheck")


if __name__ == "__main__":
    main()

"""The process's entry points: `python -m upgradecheck` and the console scripts
(`upgradecheck`, `kubectl-upgradecheck`); `upgradecheck.cli.main` is the command line itself,
which tests and programs call in their own process.

A process that only runs the command line may leave Python's cyclic collector off from its
first import (typer's, before `cli.main` pauses it: see gcpause.py) and never give it the
heap back: at exit the interpreter's last collections walk every object still alive (the
knowledge base, the report, every module) to free nothing the system does not reclaim. Both
together are a twentieth of a short command such as `scan FILE`.
"""

from __future__ import annotations

import gc


def _run(prog_name: str) -> None:
    gc.disable()
    from upgradecheck import cli

    try:
        cli.main(prog_name)
    finally:
        # Everything alive now stays so until the process ends: out of the collector's reach.
        gc.freeze()


def main() -> None:
    """`upgradecheck` (and `python -m upgradecheck`)."""
    _run("upgradecheck")


def kubectl_plugin() -> None:
    """`kubectl-upgradecheck`: kubectl runs it for `kubectl upgradecheck ...`."""
    _run("kubectl upgradecheck")


if __name__ == "__main__":
    main()

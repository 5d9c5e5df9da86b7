"""What a command that makes one report leaves to the end of the process instead of freeing.

Freeing a large snapshot object by object costs a tenth of an assessment's CPU time (0.9 s for
the envelope's 273,259 objects), all of it wasted when the process ends right after: the
system takes the memory back at once. The console entry (`__main__`) ends its process without
tearing the heap down and says so (`ending_without_teardown`); a command that makes one report
runs its job inside `one_shot()`, and the job hands its snapshot to `outlive()`. Anywhere else
(the fleet's many reports, tests and programs that call the command line in their own
process) `outlive` keeps nothing, and everything is freed as usual.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

_kept: list[object] = []
_ends_without_teardown = False
_holding = False


def ending_without_teardown() -> None:
    """Said by an entry point that ends the process with `os._exit` once its command is done."""
    global _ends_without_teardown
    _ends_without_teardown = True


@contextmanager
def one_shot() -> Iterator[None]:
    """Within it, `outlive` keeps what it is given until the process ends (when the entry
    point ends it without teardown)."""
    global _holding
    before = _holding
    _holding = _ends_without_teardown
    try:
        yield
    finally:
        _holding = before


def outlive(value: object) -> None:
    """Keep `value` alive until the process ends, inside `one_shot` of a process that ends
    without teardown; else nothing."""
    if _holding:
        _kept.append(value)


def kept() -> int:
    """How many values are kept (for tests)."""
    return len(_kept)

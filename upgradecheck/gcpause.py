"""Pausing Python's cyclic garbage collector around bulk work on plain data.

Reading, collecting and assessing build millions of dicts and lists that hold no reference
cycles; every automatic collection walks the whole growing heap to free nothing (on a
100,000-object snapshot: 11.5 s instead of 3.2 s to read it). Reference counting frees
everything else as usual."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic collector inside the block (nesting is fine)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

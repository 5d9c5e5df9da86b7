"""Running independent requests side by side, and stopping all of them at once when the run
is interrupted (Ctrl-C, SIGTERM) instead of waiting for the queue."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from upgradecheck.collect.cluster.transport import Transport

T = TypeVar("T")


def run_all(transport: Transport, tasks: Sequence[Callable[[], T]], workers: int) -> list[T]:
    """Each task's result, in order, run on `workers` threads. When the caller is interrupted
    (the exception arrives in this thread), queued tasks are dropped and every request in
    flight is stopped, so the workers end within moments."""
    pool = ThreadPoolExecutor(max_workers=max(1, workers))
    try:
        return list(pool.map(lambda task: task(), tasks))
    except BaseException:
        transport.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)

"""Judging a fleet: each member collected (or read) and assessed by the same jobs `plan` and
`assess` run, live clusters side by side on a bounded number of threads, snapshots one at a
time; a member that fails becomes a member saying why, never the end of the run. Then the
aggregation."""

from __future__ import annotations

import datetime as dt
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from upgradecheck.collect.cluster.collector import CollectOptions, Progress
from upgradecheck.errors import exit_code_for
from upgradecheck.exit_codes import ExitCode
from upgradecheck.fleet.aggregate import build_fleet
from upgradecheck.fleet.model import Fleet, Member, Origin, Status
from upgradecheck.fleet.sources import Entry
from upgradecheck.model import Report
from upgradecheck.run import check_inputs, report_for_cluster, report_for_snapshot

DEFAULT_PARALLEL = 4
"""Live clusters collected at once, by default."""
SETTLE_SECONDS = 5.0
"""How long an interrupted run waits, at most, for collections still loading credentials."""


@dataclass(frozen=True)
class FleetOptions:
    """How every member is judged."""

    collect: CollectOptions = field(default_factory=CollectOptions)
    """How each live cluster is collected: the kubeconfig, timeouts, the requests one cluster
    may have in flight, scope. Its context is replaced by each member's."""
    target: str | None = None
    """The target for every member, as users write it; None: each one's next minor."""
    config: str | Path | None = None
    """The exceptions file (`.upgradecheck.yaml`) applied to every member."""
    data: tuple[str | Path, ...] = ()
    """User knowledge-base data files."""
    parallel: int = DEFAULT_PARALLEL
    """Live clusters collected at once (each with its own `collect.transport.concurrency`
    requests in flight)."""


class Watcher(Protocol):
    """Who is told how the run goes (a display): `started` on the worker threads,
    `finished` on the caller's."""

    def started(self, entry: Entry) -> Progress | None:
        """`entry` is being judged now; the collector's progress for it, if wanted."""

    def finished(self, member: Member) -> None:
        """`member` is judged (called on the thread that called `judge_fleet`)."""


def judge_fleet(
    entries: Sequence[Entry],
    options: FleetOptions,
    watcher: Watcher | None = None,
    now: dt.datetime | None = None,
) -> Fleet:
    """Judge every entry and aggregate them into the Fleet. A bad exceptions file, data file
    or target raises at once (the layers' errors), before any cluster is reached; after
    that nothing a member does stops the others."""
    check_inputs(target=options.target, config=options.config, data=options.data)
    stop = threading.Event()
    judge = _Judge(options, watcher, stop)
    try:
        members = _run_all(entries, judge.member, options.parallel, watcher, stop)
    except BaseException:
        # Interrupted: the caller may end the process without waiting for the collections
        # in flight. One still loading its credentials may hold a certificate from an exec
        # plugin in a temporary folder until that is done: give those a moment to finish.
        judge.settle(SETTLE_SECONDS)
        raise
    return build_fleet(members, target=options.target, now=now)


class _Judge:
    def __init__(
        self, options: FleetOptions, watcher: Watcher | None, stop: threading.Event
    ) -> None:
        self.options = options
        self.watcher = watcher
        self.stop = stop
        # Snapshots are read one at a time: reading and assessing one is work for the CPU
        # alone, so two at once under the GIL take as long as one after the other, while
        # each holds a whole snapshot in memory.
        self.snapshot_turn = threading.Lock()
        # The contexts started whose API server has not yet said its version: their
        # credentials may still be loading.
        self.loading: set[str] = set()
        self.changed = threading.Condition()

    def member(self, entry: Entry) -> Member:
        if entry.problem is not None:
            return Member(entry.name, entry.origin, Status.FAILED, reason=entry.problem)
        try:
            report = self._report(entry)
        except _NotStarted as exc:
            return Member(entry.name, entry.origin, Status.FAILED, reason=str(exc))
        except Exception as exc:  # every failure is this member's alone
            return _failed(entry, exc)
        return Member(entry.name, entry.origin, Status.ASSESSED, report=report)

    def _report(self, entry: Entry) -> Report:
        o = self.options
        if entry.origin is Origin.SNAPSHOT:
            with self.snapshot_turn:
                self._started(entry)
                return report_for_snapshot(
                    entry.name, target=o.target, config=o.config, data=o.data
                )
        if not self._begin(entry.name):
            raise _NotStarted("not started: the run was interrupted")
        try:
            return report_for_cluster(
                replace(o.collect, context=entry.name),
                target=o.target,
                progress=self._started(entry),
                config=o.config,
                data=o.data,
                reached=lambda _: self._end(entry.name),
            )
        finally:
            self._end(entry.name)

    def _begin(self, name: str) -> bool:
        """Note that `name` starts loading its credentials; False once the run is stopping
        (the check and the note are one step, so `settle` never misses one)."""
        with self.changed:
            if self.stop.is_set():
                return False
            self.loading.add(name)
            return True

    def _end(self, name: str) -> None:
        with self.changed:
            self.loading.discard(name)
            self.changed.notify_all()

    def settle(self, timeout: float) -> None:
        """Stop starting members, then wait until none is loading its credentials,
        `timeout` seconds at most."""
        self.stop.set()
        with self.changed:
            self.changed.wait_for(lambda: not self.loading, timeout)

    def _started(self, entry: Entry) -> Progress | None:
        return self.watcher.started(entry) if self.watcher is not None else None


class _NotStarted(Exception):
    """A member the run stopped before it began."""


def _failed(entry: Entry, exc: Exception) -> Member:
    code = exit_code_for(exc)
    if code is ExitCode.CLUSTER_UNREACHABLE:
        return Member(entry.name, entry.origin, Status.UNREACHABLE, reason=str(exc))
    # A layer's error says what is wrong in its own words; anything else is a bug, named.
    reason = str(exc) if code is not None else f"unexpected error: {type(exc).__name__}: {exc}"
    return Member(entry.name, entry.origin, Status.FAILED, reason=reason)


def _run_all(
    entries: Sequence[Entry],
    judge: Callable[[Entry], Member],
    parallel: int,
    watcher: Watcher | None,
    stop: threading.Event,
) -> list[Member]:
    """Each entry's member, in the entries' order, judged on at most `parallel` threads.

    The threads are daemons, and once `stop` is set (the caller was interrupted) no further
    member is started: the collections in flight cannot be stopped from here (the collector
    stops its requests when interrupted on its own thread), so the caller may end the
    process without waiting for them. Nothing is written before every member is judged."""
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for index in range(len(entries)):
        todo.put(index)
    done: queue.SimpleQueue[tuple[int, Member]] = queue.SimpleQueue()

    def work() -> None:
        while not stop.is_set():
            try:
                index = todo.get_nowait()
            except queue.Empty:
                return
            try:
                member = judge(entries[index])
            except BaseException as exc:  # the caller must not wait for it forever
                member = _failed(entries[index], Exception(f"{type(exc).__name__}: {exc}"))
                done.put((index, member))
                raise
            done.put((index, member))

    for n in range(min(max(parallel, 1), len(entries))):
        threading.Thread(target=work, name=f"upgradecheck-fleet-{n}", daemon=True).start()
    members: list[Member | None] = [None] * len(entries)
    try:
        for _ in entries:
            index, member = done.get()
            members[index] = member
            if watcher is not None:
                watcher.finished(member)
    except BaseException:
        stop.set()
        raise
    return [m for m in members if m is not None]

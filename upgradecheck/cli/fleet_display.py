"""What `fleet` shows on stderr while it runs: a line per cluster as each is judged, and on a
terminal one live line of the collections in flight. Clusters are collected on several
threads: every write goes through one lock and names its cluster, so lines never mix."""

from __future__ import annotations

import shutil
import threading
from typing import TextIO

from upgradecheck.fleet.model import Member, Origin
from upgradecheck.fleet.sources import Entry
from upgradecheck.render.summary import counts_text, path_text
from upgradecheck.safetext import printable


def member_line(member: Member) -> str:
    """`prod: blocked — 3 blockers, 1 warning, 0 info (1.21 → 1.22)`, or why it has none."""
    name = printable(member.name)
    if member.report is None:
        return f"{name}: {member.status.value} — {printable(member.reason or '', 300)}"
    report = member.report
    return f"{name}: {report.verdict.value} — {counts_text(report)} ({path_text(report)})"


def _tail(name: str, limit: int = 40) -> str:
    """A name for the live line: its end, where a snapshot's path says which cluster."""
    text = printable(name)
    return text if len(text) <= limit else "…" + text[-(limit - 1) :]


class FleetDisplay:
    """The Watcher `judge_fleet` tells; `live` redraws a status line (a terminal only)."""

    def __init__(self, stream: TextIO, total: int, live: bool) -> None:
        self._stream = stream
        self._total = total
        self._live = live
        self._lock = threading.Lock()
        self._finished = 0
        self._running: dict[str, str] = {}

    def started(self, entry: Entry) -> _ClusterProgress | None:
        """Note that `entry` is being judged; its collector's progress on a terminal."""
        state = "reading" if entry.origin is Origin.SNAPSHOT else "connecting"
        with self._lock:
            self._running[entry.name] = f"{_tail(entry.name)} ({state})"
            self._redraw()
        return _ClusterProgress(self, entry.name) if self._live else None

    def finished(self, member: Member) -> None:
        """Print `member`'s line for good."""
        with self._lock:
            self._finished += 1
            self._running.pop(member.name, None)
            self._clear()
            self._stream.write(
                f"upgradecheck: [{self._finished}/{self._total}] {member_line(member)}\n"
            )
            self._redraw()
            self._stream.flush()

    def end(self) -> None:
        """Leave no live line behind."""
        with self._lock:
            self._clear()
            self._stream.flush()

    def update(self, name: str, state: str) -> None:
        """`name`'s collection is at `state`."""
        with self._lock:
            if name in self._running:
                self._running[name] = f"{_tail(name)} ({state})"
                self._redraw()

    def _clear(self) -> None:
        if self._live:
            self._stream.write("\r\x1b[K")

    def _redraw(self) -> None:
        if not self._live:
            return
        width = shutil.get_terminal_size((100, 24)).columns - 1
        line = f"fleet: {self._finished}/{self._total} done; " + ", ".join(
            self._running.values()
        )
        self._stream.write("\r\x1b[K" + line[:width])
        self._stream.flush()


class _ClusterProgress:
    """The collector's progress for one cluster, shown on the display's live line."""

    def __init__(self, display: FleetDisplay, name: str) -> None:
        self._display = display
        self._name = name

    def __call__(self, what: str, done: int, seen: int) -> None:
        self._display.update(self._name, f"{done} lists, {seen} objects")

    def retrying(self, message: str) -> None:
        """A request is tried again: said on the live line."""
        self._display.update(self._name, printable(message, 60))

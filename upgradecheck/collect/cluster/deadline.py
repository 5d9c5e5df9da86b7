"""A deadline for each whole request (connect, TLS handshake, headers and the whole body), and
a way to stop every request at once. urllib3's timeouts bound each socket operation only, so
a server that drips one byte a second never trips them; a watchdog thread shuts the
connection down when the request's time is up, which ends any blocked read at once."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import urllib3

_local = threading.local()


class Cancelled(Exception):
    """Every request was stopped (the run is being interrupted)."""


class Call:
    """One request in flight: its deadline and the connections it is using."""

    __slots__ = ("deadline", "expired", "socks")

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.expired = False
        self.socks: list[socket.socket] = []


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


class Deadlines:
    """The requests in flight of one transport, each shut down when its deadline passes."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._calls: dict[int, Call] = {}
        self._thread: threading.Thread | None = None
        self._closed = False
        self.cancelled = False

    @contextmanager
    def call(self, seconds: float) -> Iterator[Call]:
        """Run one request inside the block: connections it opens or reuses are shut down
        after `seconds`, or at once on cancel(). Cancelled when already cancelled."""
        call = Call(time.monotonic() + seconds)
        with self._cond:
            if self.cancelled:
                raise Cancelled()
            self._closed = False  # in use again after close()
            self._calls[id(call)] = call
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._watch, name="upgradecheck-deadlines", daemon=True
                )
                self._thread.start()
            self._cond.notify()
        _local.owner, _local.call = self, call
        try:
            yield call
        finally:
            _local.call = None
            with self._cond:
                self._calls.pop(id(call), None)

    def attach(self, call: Call, sock: socket.socket) -> None:
        """Let `call`'s deadline end `sock` (shut down now when it has already passed)."""
        with self._cond:
            if call.expired:
                _shut(sock)
            elif not any(s is sock for s in call.socks):
                call.socks.append(sock)

    def cancel(self) -> None:
        """Stop every request in flight, and refuse any later one."""
        with self._cond:
            self.cancelled = True
            for call in self._calls.values():
                self._expire(call)
            self._cond.notify()

    def close(self) -> None:
        """End the watchdog thread."""
        with self._cond:
            self._closed = True
            self._cond.notify()

    def _expire(self, call: Call) -> None:
        call.expired = True
        for sock in call.socks:
            _shut(sock)

    def _watch(self) -> None:
        with self._cond:
            while not self._closed:
                now = time.monotonic()
                earliest: float | None = None
                for call in self._calls.values():
                    if call.expired:
                        continue
                    if call.deadline <= now:
                        self._expire(call)
                    elif earliest is None or call.deadline < earliest:
                        earliest = call.deadline
                self._cond.wait(None if earliest is None else earliest - now)
            self._thread = None


def _attach_current(sock: socket.socket) -> None:
    call: Call | None = getattr(_local, "call", None)
    if call is not None:
        _local.owner.attach(call, sock)


class _Watched:
    """Mixed into urllib3's connection classes: each new socket gets a twin (a duplicate
    descriptor of the same connection) that the watchdog can shut down from another thread,
    whether the TLS handshake, the headers or the body is being read."""

    _watch: socket.socket | None = None

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        self._watch = socket.fromfd(sock.fileno(), sock.family, sock.type)
        _attach_current(self._watch)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> Any:
        if self._watch is not None:  # a kept-alive connection, reused
            _attach_current(self._watch)
        return super().request(*args, **kwargs)  # type: ignore[misc]

    def close(self) -> None:
        try:
            super().close()  # type: ignore[misc]
        finally:
            if self._watch is not None:
                self._watch.close()
                self._watch = None


def _watched_pool(pool_cls: type[Any]) -> type[Any]:
    connection = pool_cls.ConnectionCls
    watched = type(f"Watched{connection.__name__}", (_Watched, connection), {})
    return type(f"Watched{pool_cls.__name__}", (pool_cls,), {"ConnectionCls": watched})


def watch_pools(manager: urllib3.PoolManager) -> urllib3.PoolManager:
    """`manager`, its connections made watchable (works for plain, proxy and SOCKS managers)."""
    manager.pool_classes_by_scheme = {
        scheme: _watched_pool(cls) for scheme, cls in manager.pool_classes_by_scheme.items()
    }
    return manager

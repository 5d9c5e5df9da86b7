"""A TCP listener on loopback that accepts connections and never says a word: what a client
meets when a wedged process or a half-open firewall holds the API server's port (the TLS
handshake never completes, no answer ever comes)."""

from __future__ import annotations

import socket
import threading
from types import TracebackType
from typing import Self

__all__ = ["SilentServer"]


class SilentServer:
    """Accepts on 127.0.0.1 and holds every connection open, silent; a context manager."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self._held: list[socket.socket] = []
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self.connections = 0
        """Connections accepted so far."""

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self._sock.getsockname()[1])

    @property
    def url(self) -> str:
        """``https://127.0.0.1:PORT``."""
        return f"https://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.connections += 1
            self._held.append(conn)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stopped.set()
        self._sock.close()
        for conn in self._held:
            conn.close()

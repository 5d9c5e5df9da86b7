"""Raw HTTP(S) requests to a fake API server: no client-side retries, for protocol checks."""

from __future__ import annotations

import functools
import http.client
import json
import ssl
from dataclasses import dataclass
from typing import Any

from .server import FakeApiServer

__all__ = ["Answer", "request"]


@dataclass
class Answer:
    """One HTTP answer."""

    status: int
    """HTTP status."""
    headers: http.client.HTTPMessage
    """Response headers."""
    body: bytes
    """Response body."""

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


@functools.lru_cache(maxsize=8)
def _context(ca_pem: bytes) -> ssl.SSLContext:
    # Only the test CA: loading the system's CA store on every request is slow.
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cadata=ca_pem.decode())
    return ctx


def request(
    api: FakeApiServer,
    path: str,
    *,
    method: str = "GET",
    token: str | None = "default",
    accept: str = "application/json",
    timeout: float = 10,
    body: bytes | None = None,
    content_type: str | None = None,
) -> Answer:
    """One request over a fresh connection; ``token="default"`` sends the server's token.
    A write sends ``body`` (default ``{}``) with ``content_type``, if given."""
    if api.tls:
        ctx = _context(api.ca_pem or b"")
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            api.host, api.port, context=ctx, timeout=timeout
        )
    else:
        conn = http.client.HTTPConnection(api.host, api.port, timeout=timeout)
    headers = {"Accept": accept, "User-Agent": "fakeapi-selftest"}
    bearer = api.token if token == "default" else token
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"
    if content_type:
        headers["Content-Type"] = content_type
    if method != "GET" and body is None:
        body = b"{}"
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return Answer(resp.status, resp.headers, resp.read())
    finally:
        conn.close()

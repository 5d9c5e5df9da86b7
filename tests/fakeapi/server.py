"""A fake Kubernetes API server on loopback, for tests: discovery, lists, gets, metrics.

It serves a fixture cluster (``fixtures.Cluster``) over HTTPS with bearer-token or
client-certificate auth (or plain HTTP), answers only GET (anything else is 405 and
recorded; with ``policy_reports`` it also serves the wgpolicyk8s.io reports and accepts
server-side apply and delete on them alone, see ``policyreports``), and lets a test inject
faults: 403/404/429/500/410 answers, slow answers, dropped connections, answers that never
come or drip a byte at a time, and any raw body (HTML, odd JSON, gzip bombs, endless
streams), on chosen paths or at random with a seed.

    with FakeApiServer("v1.21") as api:
        kubeconfig = api.write_kubeconfig(tmp_path / "kubeconfig")
        api.faults.forbid("/api/v1/secrets")
        ...  # run the code under test against kubeconfig
        assert {r.method for r in api.requests} == {"GET"}

Responses follow the real server where clients depend on it: Status JSON errors,
``limit``/``continue`` paging with ``remainingItemCount``, list items without
apiVersion/kind for built-in types, server-side Tables for kubectl, deprecation
``Warning`` headers, legacy discovery (aggregated-discovery requests fall back to it).
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import random
import socket
import ssl
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from . import policyreports
from .catalog import ResourceType
from .fixtures import Cluster, load_cluster
from .kubeconfig import write_kubeconfig
from .query import SelectorError
from .store import BadContinue, Store
from .tables import to_table
from .tls import TlsMaterial, shared_tls_material

__all__ = ["FakeApiServer", "Fault", "Faults", "RecordedRequest"]

DEFAULT_TOKEN = "fake-token-0123456789abcdef"
"""The bearer token a server accepts unless told otherwise."""


@dataclass
class RecordedRequest:
    """One request the server received."""

    method: str
    """HTTP method."""
    path: str
    """URL path, without the query."""
    query: dict[str, list[str]]
    """Parsed query parameters."""
    raw_query: str
    """The query string as sent."""
    user_agent: str
    """The User-Agent header."""
    accept: str
    """The Accept header."""
    authorized: bool = False
    """Whether the bearer token was accepted."""
    status: int = 0
    """HTTP status answered (0 when the connection was dropped)."""
    fault: str = ""
    """Name of the injected fault, if any."""
    client_user: str = ""
    """The common name of the client certificate presented, if any (see client_ca_pem)."""
    content_type: str = ""
    """The Content-Type header of a write."""
    body: bytes = b""
    """The body of a write (at most 4 MiB of it)."""
    at: float = field(default_factory=time.monotonic)
    """time.monotonic() when it arrived."""

    def param(self, name: str) -> str | None:
        """The first value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else None


@dataclass
class Fault:
    """An injected fault: what to answer, on which paths, how many times."""

    kind: str
    """``status`` (answer ``code``), ``delay`` (sleep, then answer normally), ``drop``,
    ``hang`` (never answer), ``drip`` (send ``body`` a byte at a time) or ``raw`` (answer
    ``code`` with ``body`` as it is)."""
    pattern: str = "*"
    """fnmatch pattern on the URL path (``*`` matches across ``/``)."""
    code: int = 0
    """HTTP status for ``status`` faults."""
    reason: str = ""
    """Status reason (``Forbidden``, ``NotFound``, ``TooManyRequests``...)."""
    message: str = ""
    """Status message; a realistic one is made when empty."""
    times: int | None = None
    """How many matching requests it hits; None: all of them."""
    retry_after: int | None = None
    """Retry-After seconds (429)."""
    seconds: float = 0.0
    """Delay for ``delay`` faults."""
    only_continue: bool = False
    """Hit only requests that carry a ``continue`` token."""
    body: bytes | Callable[[], Iterable[bytes]] | None = None
    """For ``raw`` and ``drip``: the body, or a function giving its pieces (streamed without
    a Content-Length, the connection closed at the end)."""
    content_type: str = "application/json"
    """For ``raw`` and ``drip``: the Content-Type header."""
    headers: dict[str, str] = field(default_factory=dict)
    """For ``raw``: further headers (``Content-Encoding: gzip``...)."""
    interval: float = 1.0
    """For ``drip``: seconds between two bytes."""
    hits: int = 0
    """How many requests it has hit so far."""

    def matches(self, path: str, query: dict[str, list[str]]) -> bool:
        """Whether this fault applies to a request (ignores remaining count)."""
        if self.only_continue and not query.get("continue"):
            return False
        return fnmatch.fnmatchcase(path, self.pattern)

    @property
    def name(self) -> str:
        """Short label used in the request log."""
        return self.kind if self.kind != "status" else str(self.code)


class Faults:
    """The faults of one server; thread-safe. Every method returns the Fault it added."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._random: random.Random | None = None
        self._rates: dict[str, float] = {}
        self._random_pattern = "*"
        self._random_exclude: tuple[str, ...] = ()
        self._random_delay = 0.05
        self._random_retry_after = 1

    def add(self, fault: Fault) -> Fault:
        """Add a fault; earlier faults win over later ones."""
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Remove every fault and turn random mode off."""
        with self._lock:
            self._faults.clear()
            self._random = None

    def forbid(self, pattern: str, *, times: int | None = None, message: str = "") -> Fault:
        """403 Forbidden (RBAC denies the list/get)."""
        return self.add(Fault("status", pattern, 403, "Forbidden", message, times))

    def not_found(self, pattern: str, *, times: int | None = None) -> Fault:
        """404 NotFound."""
        return self.add(Fault("status", pattern, 404, "NotFound", "", times))

    def unauthorized(self, pattern: str = "*", *, times: int | None = None) -> Fault:
        """401 Unauthorized, whatever the token."""
        return self.add(Fault("status", pattern, 401, "Unauthorized", "Unauthorized", times))

    def throttle(self, pattern: str, *, times: int = 1, retry_after: int = 1) -> Fault:
        """429 TooManyRequests with Retry-After on the first ``times`` requests."""
        return self.add(
            Fault("status", pattern, 429, "TooManyRequests", "", times, retry_after=retry_after)
        )

    def error(self, pattern: str, *, code: int = 500, times: int | None = 1) -> Fault:
        """500 InternalError (or another 5xx), once by default."""
        reason = {500: "InternalError", 503: "ServiceUnavailable", 504: "Timeout"}.get(
            code, "InternalError"
        )
        return self.add(Fault("status", pattern, code, reason, "", times))

    def expire_continue(self, pattern: str = "*", *, times: int | None = 1) -> Fault:
        """410 Gone (reason Expired) for requests carrying a continue token."""
        return self.add(Fault("status", pattern, 410, "Expired", "", times, only_continue=True))

    def delay(self, pattern: str, seconds: float, *, times: int | None = None) -> Fault:
        """Answer normally, but only after ``seconds``."""
        return self.add(Fault("delay", pattern, times=times, seconds=seconds))

    def drop(self, pattern: str, *, times: int | None = 1) -> Fault:
        """Close the connection without answering."""
        return self.add(Fault("drop", pattern, times=times))

    def hang(self, pattern: str = "*", *, times: int | None = None) -> Fault:
        """Read the request and never answer (until the server stops)."""
        return self.add(Fault("hang", pattern, times=times))

    def drip(
        self,
        pattern: str,
        body: bytes = b'{"kind":"List","apiVersion":"v1","metadata":{},"items":[]}',
        *,
        interval: float = 1.0,
        times: int | None = None,
    ) -> Fault:
        """Answer 200 with a Content-Length, then send the body one byte every ``interval``."""
        return self.add(Fault("drip", pattern, body=body, interval=interval, times=times))

    def respond(
        self,
        pattern: str,
        body: bytes | Callable[[], Iterable[bytes]],
        *,
        code: int = 200,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
        times: int | None = None,
    ) -> Fault:
        """Answer ``code`` with ``body`` exactly as given (HTML, broken JSON, a gzip bomb
        with ``headers={"Content-Encoding": "gzip"}``, an endless stream...)."""
        return self.add(Fault("raw", pattern, code=code, body=body, content_type=content_type,
                              headers=dict(headers or {}), times=times))

    def answer_json(self, pattern: str, doc: Any, *, code: int = 200,
                    times: int | None = None) -> Fault:
        """Answer ``code`` with ``doc`` as JSON, whatever was asked (odd shapes of lists,
        discovery documents of the wrong type, a continue token that never changes...)."""
        return self.respond(pattern, json.dumps(doc).encode(), code=code, times=times)

    def random(
        self,
        seed: int,
        rates: dict[str, float],
        *,
        pattern: str = "*",
        exclude: Iterable[str] = (),
        delay_seconds: float = 0.05,
        retry_after: int = 1,
    ) -> None:
        """Random faults: per request, each kind in ``rates`` with its probability.

        Kinds: ``"403"``, ``"404"``, ``"429"``, ``"500"``, ``"503"``, ``"410"`` (only on
        requests with a continue token), ``"delay"``, ``"drop"``. Paths matching one of
        ``exclude`` (fnmatch) are spared. Same seed and same request order, same faults.
        """
        unknown = set(rates) - {"403", "404", "429", "500", "503", "410", "delay", "drop"}
        if unknown:
            raise ValueError(f"unknown random fault kinds: {sorted(unknown)}")
        with self._lock:
            self._random = random.Random(seed)
            self._rates = dict(rates)
            self._random_pattern = pattern
            self._random_exclude = tuple(exclude)
            self._random_delay = delay_seconds
            self._random_retry_after = retry_after

    def items(self) -> list[Fault]:
        """The faults added so far (with their hit counts)."""
        with self._lock:
            return list(self._faults)

    def pick(self, path: str, query: dict[str, list[str]]) -> tuple[float, Fault | None]:
        """(delay seconds, terminal fault or None) for a request."""
        delay = 0.0
        with self._lock:
            for fault in self._faults:
                if fault.times is not None and fault.hits >= fault.times:
                    continue
                if not fault.matches(path, query):
                    continue
                fault.hits += 1
                if fault.kind == "delay":
                    delay += fault.seconds
                    continue
                return delay, fault
            if self._random is not None and fnmatch.fnmatchcase(path, self._random_pattern) and \
                    not any(fnmatch.fnmatchcase(path, p) for p in self._random_exclude):
                for kind, rate in self._rates.items():
                    if self._random.random() >= rate:
                        continue
                    if kind == "delay":
                        delay += self._random_delay
                        continue
                    if kind == "410" and not query.get("continue"):
                        continue
                    if kind == "drop":
                        return delay, Fault("drop", times=1, hits=1)
                    code = int(kind)
                    reason = {403: "Forbidden", 404: "NotFound", 429: "TooManyRequests",
                              500: "InternalError", 503: "ServiceUnavailable",
                              410: "Expired"}[code]
                    return delay, Fault(
                        "status", code=code, reason=reason, times=1, hits=1,
                        retry_after=self._random_retry_after if code == 429 else None,
                    )
        return delay, None


@dataclass
class _Route:
    """A parsed resource request."""

    group: str
    version: str
    rt: ResourceType
    namespace: str
    name: str
    subresource: str

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def verb(self) -> str:
        return "get" if self.name else "list"


def _status(code: int, reason: str, message: str, details: dict[str, Any] | None = None
            ) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message, "reason": reason,
    }
    if details:
        doc["details"] = details
    doc["code"] = code
    return doc


_EXPIRED_MESSAGE = (
    "The provided continue parameter is too old to display a consistent list result. You "
    "can start a new list without the continue parameter, or use the continue token in "
    "this response to retrieve the remainder of the results. Continuing with the provided "
    "token results in an inconsistent list - objects that were created, modified, or "
    "deleted between the time the first chunk was returned and now may show up in the list."
)


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    timeout = 60  # idle keep-alive connections end after a minute

    # ------------------------------------------------------------------ plumbing

    def setup(self) -> None:
        super().setup()
        # Headers and body go out as two writes: without NODELAY, Nagle's algorithm and
        # the client's delayed ACK add ~40 ms to every answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.do_handshake()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # tests read the request log, not stderr

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(min(length, 10 * 1024 * 1024)) if length else b""

    def do_GET(self) -> None:
        self._serve("GET")

    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def do_OPTIONS(self) -> None:
        self._serve("OPTIONS")

    def _send(
        self,
        code: int,
        body: bytes,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        self._record.status = code
        self.send_response(code)
        self.send_header("Audit-Id", str(uuid.uuid4()))
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        for warning in self._warnings:
            self.send_header("Warning", f'299 - "{warning}"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, code: int, doc: Any, headers: dict[str, str] | None = None) -> None:
        self._send(code, json.dumps(doc, separators=(",", ":")).encode(), headers=headers)

    def _text_404(self) -> None:
        self._send(404, b"404 page not found\n", "text/plain; charset=utf-8",
                   {"X-Content-Type-Options": "nosniff"})

    # ------------------------------------------------------------------ dispatch

    def _serve(self, method: str) -> None:
        api = self.server.api
        split = urlsplit(self.path)
        path = split.path.rstrip("/") or "/"
        query = parse_qs(split.query, keep_blank_values=True)
        self._warnings: list[str] = []
        self._record = RecordedRequest(
            method=method, path=path, query=query, raw_query=split.query,
            user_agent=self.headers.get("User-Agent", ""), accept=self.headers.get("Accept", ""),
        )
        api._record(self._record)
        if method not in ("GET", "HEAD"):
            self._record.content_type = self.headers.get("Content-Type", "")
            self._record.body = self._read_body()[: 4 * 1024 * 1024]

        auth = self.headers.get("Authorization", "")
        # The auth scheme is case-insensitive, as kube-apiserver reads it: in-cluster clients
        # send `bearer TOKEN`.
        scheme, _, presented = (auth or "").partition(" ")
        self._record.authorized = api.token is None or (
            scheme.lower() == "bearer" and presented == api.token
        )
        if api.client_ca_pem is not None and isinstance(self.connection, ssl.SSLSocket):
            # x509 client authentication: the handshake verified the certificate against
            # client_ca_pem; its common name is the user.
            peer = self.connection.getpeercert() or {}
            for rdn in peer.get("subject", ()):
                for key, value in rdn:
                    if key == "commonName":
                        self._record.client_user = value
                        self._record.authorized = True
        if not self._record.authorized and not any(
            fnmatch.fnmatchcase(path, p) for p in api.anonymous_paths
        ):
            self._json(401, _status(401, "Unauthorized", "Unauthorized"))
            return

        route = self._route(path) if path.startswith(("/api/", "/apis/")) else None

        delay, fault = api.faults.pick(path, query)
        if delay:
            time.sleep(delay)
        if fault is not None:
            self._record.fault = fault.name
            if fault.kind == "drop":
                self._drop()
                return
            if fault.kind == "status":
                self._fault_status(fault, path, route)
                return
            if fault.kind == "hang":
                api._stopping.wait()
                self._drop()
                return
            if fault.kind == "drip":
                self._drip(fault)
                return
            if fault.kind == "raw":
                self._raw(fault)
                return

        if method in ("PATCH", "DELETE") and api.policy_reports and route is not None \
                and route.group == policyreports.GROUP:
            now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            code, doc = policyreports.write(api.store, method, route, query,
                                            self._record.content_type, self._record.body, now)
            self._json(code, doc)
            return
        if method not in ("GET",):
            if route is not None and route.group == policyreports.GROUP:
                self._json(403, _status(403, "Forbidden", f"{method} is not allowed on "
                                        f"{route.rt.name}.{route.group}: only server-side "
                                        "apply and delete"))
                return
            self._json(405, _status(
                405, "MethodNotAllowed",
                f"the fake API server is read-only: {method} is not allowed",
            ))
            return
        if query.get("watch", ["false"])[0] in ("true", "1"):
            self._json(405, _status(405, "MethodNotAllowed", "watch is not supported here"))
            return
        try:
            self._dispatch(path, query, route)
        except (BrokenPipeError, ConnectionResetError):
            raise
        except Exception as exc:  # a bug in the fake: answer 500 so the test sees it
            api._errors.append(exc)
            self._json(500, _status(500, "InternalError", f"fake API server bug: {exc!r}"))

    def _drop(self) -> None:
        self._record.status = 0
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _drip(self, fault: Fault) -> None:
        body = fault.body if isinstance(fault.body, bytes) else b""
        self._record.status = 200
        self.send_response(200)
        self.send_header("Content-Type", fault.content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.flush()
        stopping = self.server.api._stopping
        for i in range(len(body)):
            if stopping.wait(fault.interval):
                break
            try:
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
            except OSError:  # the client gave up
                break
        self.close_connection = True

    def _raw(self, fault: Fault) -> None:
        self._record.status = fault.code
        self.send_response(fault.code)
        self.send_header("Content-Type", fault.content_type)
        for key, value in fault.headers.items():
            self.send_header(key, value)
        if isinstance(fault.body, bytes) or fault.body is None:
            body = fault.body or b""
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        # A stream: no Content-Length, the end of the body is the end of the connection.
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            for piece in fault.body():
                if self.server.api._stopping.is_set():
                    break
                self.wfile.write(piece)
        except OSError:  # the client stopped reading: what it was meant to do
            pass

    def _fault_status(self, fault: Fault, path: str, route: _Route | None) -> None:
        api = self.server.api
        headers: dict[str, str] = {}
        details: dict[str, Any] = {}
        message = fault.message
        if route is not None:
            details = {"group": route.group, "kind": route.rt.name}
            if route.name:
                details["name"] = route.name
        if fault.code == 403 and not message:
            if route is None:
                message = f'forbidden: User "{api.user}" cannot get path "{path}"'
            else:
                scope = (f'in the namespace "{route.namespace}"' if route.namespace
                         else "at the cluster scope")
                message = (
                    f'{route.rt.name} is forbidden: User "{api.user}" cannot {route.verb} '
                    f'resource "{route.rt.name}" in API group "{route.group}" {scope}'
                )
        elif fault.code == 404 and not message:
            message = (f'{route.rt.name} "{route.name}" not found' if route and route.name
                       else "the server could not find the requested resource")
        elif fault.code == 429:
            retry = fault.retry_after if fault.retry_after is not None else 1
            headers["Retry-After"] = str(retry)
            message = message or "Too many requests, please try again later."
            details = {**details, "retryAfterSeconds": retry}
        elif fault.code == 410:
            message = message or _EXPIRED_MESSAGE
        elif fault.code >= 500 and not message:
            message = "Internal error occurred: injected fault"
            details = {**details, "causes": [{"message": "injected fault"}]}
        elif not message:
            message = fault.reason
        self._json(fault.code, _status(fault.code, fault.reason, message, details or None),
                   headers)

    def _route(self, path: str) -> _Route | None:
        store = self.server.api.store
        parts = path.strip("/").split("/")
        if parts[0] == "api":
            if len(parts) < 3:
                return None
            group, version, rest = "", parts[1], parts[2:]
        else:
            if len(parts) < 4:
                return None
            group, version, rest = parts[1], parts[2], parts[3:]
        namespace = ""
        if rest[0] == "namespaces" and len(rest) >= 3 and not (
            len(rest) == 3 and rest[2] in ("status", "finalize")
        ):
            namespace, rest = rest[1], rest[2:]
        if len(rest) > 3:
            return None
        rt = store.lookup(group, version, rest[0])
        if rt is None or (namespace and not rt.namespaced):
            return None
        name = rest[1] if len(rest) > 1 else ""
        sub = rest[2] if len(rest) > 2 else ""
        return _Route(group, version, rt, namespace, name, sub)

    def _dispatch(self, path: str, query: dict[str, list[str]], route: _Route | None) -> None:
        api = self.server.api
        store = api.store
        if path == "/version":
            self._json(200, store.cluster.version)
        elif path in ("/healthz", "/livez", "/readyz"):
            self._send(200, b"ok", "text/plain; charset=utf-8")
        elif path == "/metrics":
            self._send(200, api.metrics_text().encode(), "text/plain; version=0.0.4; charset=utf-8")
        elif path == "/api":
            self._json(200, store.api_versions())
        elif path == "/apis":
            self._json(200, store.api_group_list())
        elif path.startswith("/api/") and path.count("/") == 2:
            doc = store.api_resource_list("", path.split("/")[2])
            self._json(200, doc) if doc else self._text_404()
        elif path.startswith("/apis/") and path.count("/") == 2:
            doc = store.api_group(path.split("/")[2])
            self._json(200, doc) if doc else self._text_404()
        elif path.startswith("/apis/") and path.count("/") == 3:
            _, _, group, version = path.split("/")
            doc = store.api_resource_list(group, version)
            self._json(200, doc) if doc else self._text_404()
        elif route is not None:
            self._resource(route, query)
        elif path.startswith(("/api/v1/", "/apis/")) and self._served_prefix(path):
            self._json(404, _status(404, "NotFound",
                                    "the server could not find the requested resource",
                                    {"causes": [{"reason": "UnexpectedServerResponse",
                                                 "message": "404 page not found"}]}))
        else:
            self._text_404()

    def _served_prefix(self, path: str) -> bool:
        parts = path.strip("/").split("/")
        served = self.server.api.store.served
        if parts[0] == "api":
            return len(parts) >= 2 and parts[1] in served
        return len(parts) >= 3 and f"{parts[1]}/{parts[2]}" in served

    # ------------------------------------------------------------------ resources

    def _resource(self, route: _Route, query: dict[str, list[str]]) -> None:
        api = self.server.api
        store = api.store
        rt = route.rt
        deprecation = store.deprecations.get((route.group, route.version, rt.name))
        if deprecation is not None:
            self._warnings.append(deprecation.warning())
            api._note_deprecated(route.group, route.version, rt.name, route.subresource,
                                 deprecation.removed_in)
        if "get" not in rt.verbs and "list" not in rt.verbs:
            self._json(405, _status(405, "MethodNotAllowed",
                                    f"the server does not allow this method on {rt.name}"))
            return
        wants_table = "as=Table" in self.headers.get("Accept", "")
        include_object = (query.get("includeObject") or ["Metadata"])[0]
        gv = route.group_version

        if route.name:
            obj = store.get(rt, route.namespace, route.name)
            if obj is None:
                self._json(404, _status(
                    404, "NotFound", f'{rt.name}{"." + route.group if route.group else ""} '
                    f'"{route.name}" not found',
                    {"name": route.name, "group": route.group, "kind": rt.name},
                ))
                return
            if route.subresource not in ("", "status"):
                if route.subresource == "scale" and "scale" in rt.subresources:
                    self._json(200, _scale(obj.obj))
                else:
                    self._json(404, _status(404, "NotFound",
                                            "the server could not find the requested resource"))
                return
            if wants_table:
                meta = {"resourceVersion": obj.obj["metadata"].get("resourceVersion", "")}
                self._json(200, to_table(
                    rt.kind, [obj.as_version(gv)], list_meta=meta, include_object=include_object,
                    group_version=gv,
                    printer_columns=store.printer_columns(route.group, route.version, rt.name),
                ))
            else:
                self._send(200, obj.item_bytes(gv, rt.kind))
            return

        try:
            limit = int((query.get("limit") or ["0"])[0] or 0)
        except ValueError:
            limit = 0
        try:
            page = store.list_page(
                rt, route.namespace,
                label_selector=(query.get("labelSelector") or [""])[0],
                field_selector=(query.get("fieldSelector") or [""])[0],
                limit=limit,
                continue_token=(query.get("continue") or [""])[0],
            )
        except (BadContinue, SelectorError) as exc:
            self._json(400, _status(400, "BadRequest", str(exc)))
            return
        if wants_table:
            self._json(200, to_table(
                rt.kind, [o.as_version(gv) for o in page.items], list_meta=page.metadata(),
                include_object=include_object, group_version=gv,
                printer_columns=store.printer_columns(route.group, route.version, rt.name),
            ))
            return
        if "as=PartialObjectMetadataList" in self.headers.get("Accept", ""):
            # Metadata only, as a real server answers this Accept (meta.k8s.io/v1).
            self._json(200, {
                "kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1",
                "metadata": page.metadata(),
                "items": [{"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                           "metadata": o.obj.get("metadata", {})} for o in page.items],
            })
            return
        item_version = store.item_api_version(rt, gv)
        head = json.dumps({"kind": rt.list_kind_name, "apiVersion": gv,
                           "metadata": page.metadata()}, separators=(",", ":")).encode()
        body = b"".join((
            head[:-1], b',"items":[',
            b",".join(o.item_bytes(item_version, rt.kind) for o in page.items),
            b"]}",
        ))
        self._send(200, body)


def _scale(obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj.get("metadata", {})
    spec = obj.get("spec", {})
    status = obj.get("status", {})
    return {
        "kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion",
                                          "creationTimestamp") if k in meta},
        "spec": {"replicas": spec.get("replicas", 1)},
        "status": {"replicas": status.get("replicas", 0)},
    }


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, api: FakeApiServer, address: tuple[str, int],
                 context: ssl.SSLContext | None) -> None:
        self.api = api
        self.ssl_context = context
        super().__init__(address, _Handler)

    def get_request(self) -> tuple[Any, Any]:
        sock, addr = self.socket.accept()
        self.api.connections += 1
        if self.ssl_context is not None:
            # The handshake happens in the handler's thread (see _Handler.setup), so a
            # slow or broken client cannot stall the accept loop.
            sock = self.ssl_context.wrap_socket(
                sock, server_side=True, do_handshake_on_connect=False
            )
        return sock, addr

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that hang up or reject the certificate are not test failures


class FakeApiServer:
    """A fake API server serving one cluster on 127.0.0.1; a context manager."""

    def __init__(
        self,
        cluster: Cluster | str | Path,
        *,
        token: str | None = DEFAULT_TOKEN,
        user: str = "system:serviceaccount:upgradecheck:reader",
        tls: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
        tls_material: TlsMaterial | None = None,
        list_item_typemeta: bool = False,
        record_deprecated_requests: bool = False,
        anonymous_paths: Iterable[str] = (),
        client_ca_pem: bytes | None = None,
        policy_reports: bool = False,
    ) -> None:
        """Prepare a server (``start()`` or ``with`` runs it).

        ``cluster`` is a Cluster or a fixture name/folder. ``token`` None accepts any
        request. ``list_item_typemeta`` puts apiVersion/kind on built-in list items (the
        real server leaves them out). ``record_deprecated_requests`` makes ``/metrics``
        count this server's own deprecated-API requests, as the real gauge does.
        ``anonymous_paths`` are fnmatch patterns served without a token (e.g. /version).
        ``client_ca_pem`` turns on client-certificate authentication: a certificate signed by
        that CA authorizes a request (see ``tls.make_client_certificate``).
        ``policy_reports`` installs the wgpolicyk8s.io CRDs and accepts server-side apply
        and delete of their reports: the only writes this server ever accepts.
        """
        self.cluster = cluster if isinstance(cluster, Cluster) else load_cluster(cluster)
        self.store = Store(self.cluster, list_item_typemeta=list_item_typemeta)
        self.token = token
        self.user = user
        self.tls = tls
        self.host = host
        self._port = port
        self.tls_material = tls_material or (shared_tls_material() if tls else None)
        self.record_deprecated_requests = record_deprecated_requests
        self.anonymous_paths = tuple(anonymous_paths)
        self.client_ca_pem = client_ca_pem
        self.connections = 0
        """TCP connections accepted so far (a client that retries connects again)."""
        self._stopping = threading.Event()
        self.policy_reports = policy_reports
        if policy_reports:
            policyreports.install(self.store)
        self.faults = Faults()
        self._requests: list[RecordedRequest] = []
        self._requests_lock = threading.Lock()
        self._live_deprecated: set[tuple[str, str, str, str, str]] = set()
        self._errors: list[Exception] = []
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.kubeconfig_path: Path | None = None
        """A kubeconfig for this server, when a fixture wrote one (see plugin.py)."""

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> Self:
        """Bind and serve in a daemon thread; returns self."""
        if self._httpd is not None:
            return self
        self._stopping.clear()
        context = None
        if self.tls:
            assert self.tls_material is not None
            self._tmp = tempfile.TemporaryDirectory(prefix="fakeapi-")
            _, cert, key = self.tls_material.write(Path(self._tmp.name))
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.load_cert_chain(cert, key)
            context.set_alpn_protocols(["http/1.1"])
            if self.client_ca_pem is not None:
                context.verify_mode = ssl.CERT_OPTIONAL
                context.load_verify_locations(cadata=self.client_ca_pem.decode())
        self._httpd = _HTTPServer(self, (self.host, self._port), context)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"fakeapi-{self.port}", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._httpd is None:
            return
        self._stopping.set()  # hanging and dripping answers end
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ---------------------------------------------------------------- addresses

    @property
    def port(self) -> int:
        """The bound port (after start)."""
        if self._httpd is None:
            raise RuntimeError("the fake API server is not running")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """``https://127.0.0.1:PORT`` (or http://)."""
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.host}:{self.port}"

    @property
    def ca_pem(self) -> bytes | None:
        """The CA certificate that signs the server certificate (None without TLS)."""
        return self.tls_material.ca_cert_pem if self.tls_material else None

    def write_kubeconfig(
        self,
        path: str | Path,
        *,
        context: str = "fake",
        cluster_name: str | None = None,
        user_name: str | None = None,
        namespace: str | None = None,
        token: str | None = None,
        client_cert_pem: bytes | None = None,
        client_key_pem: bytes | None = None,
    ) -> Path:
        """Write a kubeconfig for this server; ``token`` overrides the server's token; a
        client certificate and key go in as client-certificate-data and client-key-data."""
        return write_kubeconfig(
            path,
            server=self.url,
            ca_pem=self.ca_pem,
            token=token if token is not None else self.token,
            context=context,
            cluster_name=cluster_name or f"{context}-cluster",
            user_name=user_name or f"{context}-user",
            namespace=namespace,
            client_cert_pem=client_cert_pem,
            client_key_pem=client_key_pem,
        )

    # ---------------------------------------------------------------- request log

    def _record(self, rec: RecordedRequest) -> None:
        with self._requests_lock:
            self._requests.append(rec)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first (a copy)."""
        with self._requests_lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        """Forget the requests received so far."""
        with self._requests_lock:
            self._requests.clear()

    def methods(self) -> set[str]:
        """The HTTP methods used so far."""
        return {r.method for r in self.requests}

    def paths(self) -> list[str]:
        """The paths requested so far, in order."""
        return [r.path for r in self.requests]

    @property
    def errors(self) -> list[Exception]:
        """Exceptions the fake raised while serving (bugs in the fake)."""
        return list(self._errors)

    # ---------------------------------------------------------------- metrics

    def _note_deprecated(self, group: str, version: str, resource: str, sub: str,
                         removed: str) -> None:
        if self.record_deprecated_requests:
            with self._requests_lock:
                self._live_deprecated.add((group, version, resource, sub, removed))

    def metrics_text(self) -> str:
        """The Prometheus text ``/metrics`` answers."""
        stability = "STABLE" if self.cluster.minor >= 27 else "ALPHA"
        series = {
            (m["group"], m["version"], m["resource"], m["subresource"], m["removed_release"])
            for m in self.cluster.deprecated_api_metrics
        }
        with self._requests_lock:
            series |= self._live_deprecated
            total = len(self._requests)
        lines = [
            "# HELP aggregator_openapi_v2_regeneration_count [ALPHA] Counter of OpenAPI v2 "
            "spec regeneration count broken down by causing APIService name and reason.",
            "# TYPE aggregator_openapi_v2_regeneration_count counter",
            'aggregator_openapi_v2_regeneration_count{apiservice="*",reason="startup"} 0',
            "# HELP apiserver_request_total [STABLE] Counter of apiserver requests broken out "
            "for each verb, dry run value, group, version, resource, scope, component, and "
            "HTTP response code.",
            "# TYPE apiserver_request_total counter",
            'apiserver_request_total{code="200",component="apiserver",dry_run="",group="",'
            f'resource="pods",scope="cluster",subresource="",verb="LIST",version="v1"}} '
            f"{1000 + total}",
            'apiserver_request_total{code="404",component="apiserver",dry_run="",group="apps",'
            'resource="deployments",scope="resource",subresource="",verb="GET",version="v1"} 7',
            f"# HELP apiserver_requested_deprecated_apis [{stability}] Gauge of deprecated APIs "
            "that have been requested, broken out by API group, version, resource, "
            "subresource, and removed_release.",
            "# TYPE apiserver_requested_deprecated_apis gauge",
        ]
        for group, version, resource, sub, removed in sorted(series):
            lines.append(
                f'apiserver_requested_deprecated_apis{{group="{group}",'
                f'removed_release="{removed}",resource="{resource}",subresource="{sub}",'
                f'version="{version}"}} 1'
            )
        lines += [
            "# HELP go_goroutines Number of goroutines that currently exist.",
            "# TYPE go_goroutines gauge",
            "go_goroutines 1742",
            "# HELP process_start_time_seconds Start time of the process since unix epoch "
            "in seconds.",
            "# TYPE process_start_time_seconds gauge",
            "process_start_time_seconds 1.68e+09",
        ]
        return "\n".join(lines) + "\n"

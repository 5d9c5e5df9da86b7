"""Requests to the API server, as raw JSON: the collector's GETs (and the publisher's apply and
delete, which go through the same code): one deadline for each whole request, a cap on the
size of answers, retries only where a retry can help (429, 5xx, no answer), each retry told
to a callback, and one exception for a request that failed for good."""

from __future__ import annotations

import json
import random
import ssl
import threading
import time
import warnings
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

import urllib3

from upgradecheck import __version__
from upgradecheck.collect.cluster.deadline import Call, Cancelled, Deadlines, watch_pools
from upgradecheck.collect.cluster.endpoint import Endpoint
from upgradecheck.safetext import printable

USER_AGENT = f"upgradecheck/{__version__} (read-only upgrade assessment)"
DEFAULT_MAX_BODY = 16 * 1024 * 1024
"""The largest answer read by default (after decompression), as `scan --max-file-size`."""
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_IDEMPOTENT = frozenset({"GET", "PATCH", "DELETE"})
_NO_ANSWER_RETRIES = 2  # a server that does not answer rarely answers the third time
_BUDGET = 3  # no attempt starts later than this many timeouts after the first
_CHUNK = 1024 * 1024
_ERROR_BODY = 64 * 1024  # of an error answer, only the message is wanted

Decode = Callable[[bytes | bytearray], Any]
"""Parses an answer's JSON, raising json's errors."""
Retrying = Callable[[str], None]
"""Told, in one line, that a request is being tried again and why."""


class RequestFailed(Exception):
    """One request failed for good: an error answer (`status`), or no usable answer
    (`status` 0). `kind` says which: `answer`, `no-answer`, `tls`, `too-large`, `malformed`,
    `cancelled`, or `down` (not sent: the server had stopped answering). `details_kind` is
    the `details.kind` of an error answer's Status (`namespaces` when a 404 is about the
    namespace, not the object), else empty."""

    def __init__(
        self,
        status: int,
        reason: str,
        path: str,
        kind: str = "answer",
        attempts: int = 1,
        details_kind: str = "",
    ) -> None:
        super().__init__(f"{status} {reason}: {path}" if status else f"{reason}: {path}")
        self.status = status
        self.reason = reason
        self.path = path
        self.kind = kind
        self.attempts = attempts
        self.details_kind = details_kind


@dataclass(frozen=True)
class TransportOptions:
    """How requests are made."""

    timeout: float = 30.0
    """Seconds allowed for each whole request: connecting, the headers and the whole body."""
    retries: int = 5
    """Further attempts after a 429 or a 5xx (two at most after no answer); no attempt
    starts later than three timeouts after the first."""
    backoff: float = 0.5
    """Seconds before the first retry; doubles each time (with jitter), capped at 10 s."""
    concurrency: int = 8
    """Connections kept open to the server (the collector's worker count)."""
    max_body: int = DEFAULT_MAX_BODY
    """The largest answer read, in bytes after decompression; a larger one fails its request
    (a list is then asked for in smaller pages)."""
    user_agent: str = USER_AGENT
    """What the requests say they come from."""


class _Retry(Exception):
    def __init__(
        self, status: int, reason: str, retry_after: float | None = None, details_kind: str = ""
    ) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.retry_after = retry_after
        self.details_kind = details_kind


@dataclass(frozen=True)
class _Request:
    """One request, as each attempt sends it."""

    method: str
    path: str
    query: Sequence[tuple[str, Any]]
    accept: str
    limit: int
    body: bytes | None = None
    content_type: str | None = None


class Transport:
    """Raw requests against one API server, safe to share between threads."""

    def __init__(
        self,
        endpoint: Endpoint,
        options: TransportOptions = TransportOptions(),
        sleep: Callable[[float], None] | None = None,
        on_retry: Retrying | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.options = options
        self.host = endpoint.host
        self.requests = 0
        self.on_retry = on_retry
        self._sleep = sleep
        self._stop = threading.Event()
        self._deadlines = Deadlines()
        self._timeout = urllib3.Timeout(connect=options.timeout, read=options.timeout)
        self._pool = watch_pools(_pool_manager(endpoint, options.concurrency))
        self._lock = threading.Lock()
        self._last_answer = 0.0
        self._down: str | None = None

    # ---- the public calls ------------------------------------------------------------------

    def get_json(
        self, path: str, query: Sequence[tuple[str, Any]] = (), decode: Decode = json.loads
    ) -> Any:
        """GET `path` and parse its JSON body (with `decode`)."""
        return self.send_json("GET", path, query, decode=decode)

    def send_json(
        self,
        method: str,
        path: str,
        query: Sequence[tuple[str, Any]] = (),
        body: bytes | None = None,
        content_type: str | None = None,
        accept: str = "application/json",
        decode: Decode = json.loads,
    ) -> Any:
        """Send `method` to `path` (with `body`, of `content_type`) and parse the JSON answer
        (an empty answer is `{}`). Only GET, PATCH and DELETE are sent, all of which may be
        sent again: a server-side apply or a delete repeated does what the first did."""
        if method not in _IDEMPOTENT:
            raise ValueError(f"{method} is not a request the transport sends")
        request = _Request(method, path, query, accept, self.options.max_body, body, content_type)
        answer, answered_type = self._send(request)
        if not answer and method != "GET":
            return {}
        try:
            return decode(answer)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            what = printable(answered_type.split(";")[0], 60) or "no content type"
            raise RequestFailed(0, f"the answer was not JSON ({what})", path, "malformed") from None

    def get_text(self, path: str, max_body: int | None = None) -> str:
        """GET `path` as text (for /metrics)."""
        limit = max_body or self.options.max_body
        body, _ = self._send(_Request("GET", path, (), "text/plain", limit))
        return body.decode("utf-8", "replace")

    def cancel(self) -> None:
        """Stop every request in flight now and refuse later ones (Ctrl-C)."""
        self._stop.set()
        self._deadlines.cancel()

    def close(self) -> None:
        """Release the connections and the watchdog thread."""
        self._deadlines.close()
        self._pool.clear()

    # ---- retries ---------------------------------------------------------------------------

    def _send(self, request: _Request) -> tuple[bytearray, str]:
        path = request.path
        if self._down is not None:
            raise RequestFailed(0, f"not requested: {self._down}", path, "down")
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._once(request)
            except _Retry as exc:
                answered = exc.status != 0
                allowed = (
                    self.options.retries
                    if answered
                    else min(self.options.retries, _NO_ANSWER_RETRIES)
                )
                delay = self._delay(attempt, exc.retry_after)
                left = started + _BUDGET * self.options.timeout - time.monotonic()
                if attempt > allowed or delay >= left or self._stop.is_set():
                    raise self._gave_up(exc, path, started, attempt) from None
                if self.on_retry is not None:
                    why = f"{exc.status} {exc.reason}" if answered else exc.reason
                    self.on_retry(
                        f"retrying {printable(path, 120)}: {why} "
                        f"(attempt {attempt + 1} of {allowed + 1})"
                    )
                self._pause(delay)

    def _gave_up(self, exc: _Retry, path: str, started: float, attempts: int) -> RequestFailed:
        if exc.status:
            return RequestFailed(
                exc.status, exc.reason, path, "answer", attempts, exc.details_kind
            )
        with self._lock:
            if self._last_answer < started and self._down is None:
                # Nothing at all answered while this request was tried: stop sending the
                # rest, each of which would wait as long, and say so for each of them.
                self._down = f"the API server stopped answering ({exc.reason})"
        return RequestFailed(0, exc.reason, path, "no-answer", attempts)

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return max(0.0, min(retry_after, self.options.timeout))
        base = self.options.backoff * (2 ** (attempt - 1))
        return float(min(base, 10.0) * (0.5 + random.random() / 2))

    def _pause(self, seconds: float) -> None:
        if self._sleep is not None:
            self._sleep(seconds)
        else:
            self._stop.wait(seconds)  # a cancel ends the wait at once

    # ---- one attempt -----------------------------------------------------------------------

    def _once(self, request: _Request) -> tuple[bytearray, str]:
        path, query, limit = request.path, request.query, request.limit
        url = self.host + path + (f"?{urlencode(list(query))}" if query else "")
        try:
            headers = {
                "Accept": request.accept,
                "User-Agent": self.options.user_agent,
                **self.endpoint.auth(),
            }
        except Exception as exc:  # a credential plugin run again, failing
            reason = f"could not refresh the credentials: {self.endpoint.scrub(str(exc))}"
            raise RequestFailed(0, printable(reason, 300), path, "no-answer") from None
        if request.content_type is not None:
            headers["Content-Type"] = request.content_type
        self.requests += 1
        response = None
        complete = False  # a connection goes back to the pool only when its answer was read
        try:
            with self._deadlines.call(self.options.timeout) as call:
                try:
                    response = self._pool.urlopen(
                        request.method,
                        url,
                        body=request.body,
                        headers=headers,
                        timeout=self._timeout,
                        retries=False,
                        redirect=False,
                        preload_content=False,
                        decode_content=False,
                    )
                    self._last_answer = time.monotonic()
                    status = response.status
                    ok = 200 <= status < 300
                    data = _read(response, limit if ok else _ERROR_BODY, cut=not ok)
                except _TooLarge:
                    raise RequestFailed(
                        0,
                        f"the answer is larger than the {_mib(limit)} limit (--max-response-size)",
                        path,
                        "too-large",
                    ) from None
                except zlib.error as exc:
                    raise RequestFailed(
                        0,
                        f"the answer could not be decompressed ({printable(exc, 100)})",
                        path,
                        "malformed",
                    ) from None
                except (urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
                    raise self._no_answer(exc, call, path) from None
                content_type = str(response.headers.get("Content-Type") or "")
                complete = not call.expired
        except Cancelled:
            raise RequestFailed(0, "cancelled", path, "cancelled") from None
        finally:
            if response is not None:
                if not complete:
                    response.close()
                response.release_conn()
        if ok:
            return data, content_type
        raise self._answer_error(status, response.headers, data, path)

    def _no_answer(self, exc: BaseException, call: Call, path: str) -> Exception:
        if call.expired:
            if self._deadlines.cancelled:
                return RequestFailed(0, "cancelled", path, "cancelled")
            return _Retry(0, f"no complete answer within {self.options.timeout:g} s")
        cert = _find(exc, ssl.SSLCertVerificationError)
        if cert is not None:
            return RequestFailed(0, self._unverified(cert), path, "tls")
        tls = _find(exc, ssl.SSLError)
        if tls is not None and not isinstance(tls, ssl.SSLEOFError | ssl.SSLZeroReturnError):
            reason = getattr(tls, "reason", None) or str(tls)
            return RequestFailed(
                0,
                f"the TLS handshake with {self.host} failed ({printable(reason, 120)}); is it "
                "an HTTPS API server?",
                path,
                "tls",
            )
        return _Retry(0, _plain_reason(exc, self.options.timeout))

    def _unverified(self, exc: ssl.SSLCertVerificationError) -> str:
        why = printable(exc.verify_message or exc.reason or "verification failed", 160)
        if "mismatch" in why.lower():
            return (
                f"the API server's certificate is not valid for {self.host} ({why}); use the "
                "address the certificate names, or set tls-server-name in the kubeconfig"
            )
        return (
            f"the API server's certificate could not be verified ({why}); pass --kubeconfig "
            "with a kubeconfig whose cluster holds the CA that signed it "
            "(certificate-authority-data or certificate-authority)"
        )

    def _answer_error(
        self, status: int, headers: Mapping[str, str], body: bytes | bytearray, path: str
    ) -> Exception:
        reason, details_kind = _status_message(status, body)
        if status in _RETRY_STATUSES:
            return _Retry(status, reason, _retry_after(headers), details_kind)
        if 300 <= status < 400:
            reason = f"{reason}: a redirect (not followed; is this the API server's URL?)"
        return RequestFailed(status, reason, path, "answer", details_kind=details_kind)


class _TooLarge(Exception):
    pass


class _Inflate:
    """A gzip or zlib body decompressed by us, never more than asked for at a time: urllib3's
    own decoder inflates the rest of a body in one go once the connection has been read to
    its end, which lets a 1 MiB gzip bomb become 1 GiB in memory."""

    _WBITS = 32 + zlib.MAX_WBITS  # gzip or zlib, told apart by the header

    def __init__(self) -> None:
        self._obj = zlib.decompressobj(self._WBITS)

    def feed(self, data: bytes, room: int) -> bytes:
        """What `data` inflates to, stopping once past `room` bytes."""
        out = bytearray()
        while data and len(out) <= room:
            out += self._obj.decompress(data, room + 1 - len(out))
            data = self._obj.unconsumed_tail
            if self._obj.eof:  # a gzip body may hold several members, one after the other
                data = self._obj.unused_data
                self._obj = zlib.decompressobj(self._WBITS)
        return bytes(out)


def _read(response: Any, limit: int, cut: bool = False) -> bytearray:
    """The (decompressed) body, read in pieces: past `limit`, _TooLarge, or with `cut` the
    first `limit` bytes."""
    length = response.headers.get("Content-Length")
    if not cut and length and length.isdigit() and int(length) > limit:
        raise _TooLarge()
    encoding = str(response.headers.get("Content-Encoding") or "identity").strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        inflate: _Inflate | None = _Inflate()
    elif encoding in ("identity", ""):
        inflate = None
    else:
        raise zlib.error(f"unsupported content encoding {printable(encoding, 40)}")
    data = bytearray()
    while True:
        chunk = response.read(_CHUNK, decode_content=False)
        if not chunk:
            return data
        data += inflate.feed(chunk, limit - len(data)) if inflate is not None else chunk
        if len(data) > limit:
            if cut:
                return data[:limit]
            raise _TooLarge()


def _pool_manager(endpoint: Endpoint, size: int) -> urllib3.PoolManager:
    tls: dict[str, Any] = {}
    if endpoint.ssl_context is not None:
        tls["ssl_context"] = endpoint.ssl_context
        if endpoint.server_name:
            tls["server_hostname"] = endpoint.server_name
        if endpoint.ssl_context.verify_mode == ssl.CERT_NONE:
            # The kubeconfig asked for it (insecure-skip-tls-verify); coverage says so once,
            # instead of a warning per request on the terminal.
            warnings.filterwarnings("ignore", category=urllib3.exceptions.InsecureRequestWarning)
    options: dict[str, Any] = {"maxsize": max(size, 1), "block": False, "retries": False, **tls}
    if endpoint.proxy:
        if endpoint.proxy.split("://")[0].lower().startswith("socks"):
            from urllib3.contrib.socks import SOCKSProxyManager

            return SOCKSProxyManager(endpoint.proxy, **options)
        return urllib3.ProxyManager(endpoint.proxy, **options)
    return urllib3.PoolManager(**options)


def _find(exc: BaseException, cls: type[BaseException]) -> Any:
    """`exc` or the first exception in its chain (or arguments) of class `cls`."""
    seen: set[int] = set()
    todo: list[Any] = [exc]
    while todo:
        item = todo.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, cls):
            return item
        todo += [item.__cause__, item.__context__, *item.args, getattr(item, "reason", None)]
    return None


def _plain_reason(exc: BaseException, timeout: float) -> str:
    """Why a request got no answer, in a few words."""
    if _find(exc, ConnectionRefusedError) is not None:
        return "connection refused"
    if isinstance(exc, urllib3.exceptions.NameResolutionError):
        return "the server's name does not resolve"
    if _find(exc, TimeoutError) is not None or isinstance(exc, urllib3.exceptions.TimeoutError):
        return f"no complete answer within {timeout:g} s"
    if _find(exc, ConnectionResetError) is not None:
        return "the connection was reset"
    if isinstance(exc, urllib3.exceptions.ProxyError):
        return f"the proxy failed ({printable(exc, 120)})"
    if isinstance(exc, urllib3.exceptions.ProtocolError | urllib3.exceptions.SSLError):
        return "the connection was closed before a complete answer"
    text = str(getattr(exc, "reason", None) or exc).splitlines()
    return printable(text[0] if text and text[0] else type(exc).__name__, 160)


def _retry_after(headers: Mapping[str, str] | None) -> float | None:
    if not headers:
        return None
    value = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _status_message(status: int, body: bytes | bytearray) -> tuple[str, str]:
    """The reason an error answer gives, and its Status's `details.kind`."""
    reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
    try:
        doc = json.loads(body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        return reason or f"HTTP {status}", ""
    if not isinstance(doc, Mapping):
        return reason or f"HTTP {status}", ""
    details = doc.get("details")
    kind = details.get("kind") if isinstance(details, Mapping) else None
    details_kind = printable(kind, 60) if isinstance(kind, str) else ""
    if isinstance(doc.get("message"), str) and doc["message"]:
        # The first sentence: Status messages can run to a paragraph.
        message = printable(doc["message"].split(". ", 1)[0].rstrip("."), 200)
        return (f"{reason}: {message}" if reason and message != reason else message), details_kind
    return reason or f"HTTP {status}", details_kind


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):g} MiB"

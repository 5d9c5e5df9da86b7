"""GET requests through the official kubernetes client, as raw JSON: retries with backoff on
429 (honouring Retry-After), 5xx and timeouts; one exception per kind of refusal."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import urllib3

if TYPE_CHECKING:
    from kubernetes import client as k8s_client

# The kubernetes client (and pydantic under it) takes a fifth of a second to import: it is
# imported where a cluster is reached, so `scan` and `assess` start without it.

from upgradecheck import __version__
from upgradecheck.collect.errors import ClusterUnreachable, SourceError

USER_AGENT = f"upgradecheck/{__version__} (read-only upgrade assessment)"
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class RequestRefused(Exception):
    """The server answered one request with an error that retrying will not fix."""

    def __init__(self, status: int, reason: str, path: str) -> None:
        super().__init__(f"{status} {reason}: {path}")
        self.status = status
        self.reason = reason
        self.path = path


@dataclass(frozen=True)
class TransportOptions:
    """How requests are made."""

    timeout: float = 30.0
    """Seconds allowed for each request."""
    retries: int = 5
    """Further attempts after a 429, a 5xx, a timeout or a dropped connection."""
    backoff: float = 0.5
    """Seconds before the first retry; doubles each time (with jitter), capped at 10 s."""
    concurrency: int = 8
    """Connections kept open to the server (the collector's worker count)."""


def load_configuration(
    kubeconfig: str | None, context: str | None
) -> tuple[k8s_client.Configuration, str | None]:
    """The client configuration: the kubeconfig (or its default), else in-cluster."""
    from kubernetes import client as k8s_client
    from kubernetes import config as k8s_config
    from kubernetes.config.config_exception import ConfigException

    cfg = k8s_client.Configuration()
    try:
        k8s_config.load_kube_config(  # type: ignore[no-untyped-call]
            config_file=kubeconfig,
            context=context,
            client_configuration=cfg,
            persist_config=False,
        )
        return cfg, context or _current_context(kubeconfig)
    except (ConfigException, FileNotFoundError, OSError) as exc:
        if kubeconfig or context:
            raise SourceError(f"cannot use kubeconfig: {exc}") from None
        try:
            k8s_config.load_incluster_config(client_configuration=cfg)  # type: ignore[no-untyped-call]
        except ConfigException:
            raise SourceError(
                "no kubeconfig found (set --kubeconfig or KUBECONFIG) and not running "
                "inside a cluster"
            ) from None
        return cfg, "in-cluster"


def _current_context(kubeconfig: str | None) -> str | None:
    from kubernetes import config as k8s_config
    from kubernetes.config.config_exception import ConfigException

    try:
        _, active = k8s_config.list_kube_config_contexts(  # type: ignore[no-untyped-call]
            config_file=kubeconfig
        )
    except (ConfigException, OSError):
        return None
    name = active.get("name") if isinstance(active, Mapping) else None
    return str(name) if name else None


class Transport:
    """Raw GETs against one API server, safe to share between threads."""

    def __init__(
        self,
        cfg: k8s_client.Configuration,
        options: TransportOptions = TransportOptions(),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        cfg.connection_pool_maxsize = max(options.concurrency, 1)
        cfg.retries = False  # retries are ours: urllib3's would hide 429s and Retry-After
        from kubernetes import client as k8s_client

        self._api = k8s_client.ApiClient(cfg)
        self._api.user_agent = USER_AGENT
        self.options = options
        self.host = cfg.host
        self._sleep = sleep
        self.requests = 0

    def get_json(self, path: str, query: Sequence[tuple[str, Any]] = ()) -> Any:
        """GET `path` and parse its JSON body."""
        body = self.get_bytes(path, query)
        try:
            return json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise RequestRefused(0, f"invalid JSON in response ({exc})", path) from None

    def get_text(self, path: str) -> str:
        """GET `path` as text (for /metrics)."""
        return self.get_bytes(path, (), accept="text/plain").decode("utf-8", "replace")

    def get_bytes(
        self, path: str, query: Sequence[tuple[str, Any]] = (), accept: str = "application/json"
    ) -> bytes:
        """GET `path`, retrying what a retry can fix; RequestRefused for the rest."""
        attempt = 0
        while True:
            try:
                return self._once(path, query, accept)
            except _Retryable as exc:
                attempt += 1
                if attempt > self.options.retries:
                    if exc.status == 0:
                        raise ClusterUnreachable(
                            f"cannot reach the API server at {self.host}: {exc.reason}"
                        ) from None
                    raise RequestRefused(exc.status, exc.reason, path) from None
                self._sleep(self._delay(attempt, exc.retry_after))

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, 60.0)
        base = self.options.backoff * (2 ** (attempt - 1))
        return float(min(base, 10.0) * (0.5 + random.random() / 2))

    def _once(self, path: str, query: Sequence[tuple[str, Any]], accept: str) -> bytes:
        from kubernetes.client.exceptions import ApiException

        self.requests += 1
        try:
            status, headers, data = self._request(path, query, accept)
        except ApiException as exc:  # raised by the client for TLS and transport failures
            raise _Retryable(0, _short(exc), None) from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise _Retryable(0, _short(exc), None) from None
        if 200 <= status < 300:
            return data
        raise self._classify(status, headers, data, path)

    def _request(
        self, path: str, query: Sequence[tuple[str, Any]], accept: str
    ) -> tuple[int, Mapping[str, str], bytes]:
        from kubernetes.client.exceptions import ApiException

        api: Any = self._api
        headers = {"Accept": accept, "User-Agent": USER_AGENT}
        if hasattr(api, "param_serialize"):  # kubernetes client 35 and newer
            method, url, hdrs, _, _ = api.param_serialize(
                "GET",
                path,
                query_params=list(query),
                header_params=headers,
                auth_settings=["BearerToken"],
            )
            resp = api.call_api(
                method, url, header_params=hdrs, _request_timeout=self.options.timeout
            )
            raw = resp.response
            return int(raw.status), raw.headers, bytes(raw.data)
        try:  # older generators: call_api(path, method, ...) raising ApiException on errors
            raw = api.call_api(
                path,
                "GET",
                query_params=list(query),
                header_params=headers,
                auth_settings=["BearerToken"],
                _preload_content=False,
                _request_timeout=self.options.timeout,
                _return_http_data_only=True,
            )
        except ApiException as exc:
            if not exc.status:
                raise
            return int(exc.status), exc.headers or {}, (exc.body or "").encode()
        return int(raw.status), raw.headers, bytes(raw.data)

    def _classify(
        self, status: int, headers: Mapping[str, str], body: bytes, path: str
    ) -> Exception:
        reason = _status_message(status, body)
        if status in _RETRY_STATUSES:
            return _Retryable(status, reason, _retry_after(headers))
        if status == 401:
            return ClusterUnreachable(
                f"the API server at {self.host} rejected the credentials (401 Unauthorized)"
            )
        return RequestRefused(status, reason, path)


class _Retryable(Exception):
    def __init__(self, status: int, reason: str, retry_after: float | None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.retry_after = retry_after


def _retry_after(headers: Mapping[str, str] | None) -> float | None:
    if not headers:
        return None
    value = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _status_message(status: int, body: bytes) -> str:
    reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
    try:
        doc = json.loads(body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return reason
    if isinstance(doc, Mapping) and doc.get("message"):
        # The first sentence: Status messages can run to a paragraph.
        message = str(doc["message"]).split(". ", 1)[0].rstrip(".")[:200]
        return f"{reason}: {message}" if reason else message
    return reason


def _short(exc: BaseException) -> str:
    text = str(getattr(exc, "reason", None) or exc)
    return text.splitlines()[0][:200] if text else type(exc).__name__

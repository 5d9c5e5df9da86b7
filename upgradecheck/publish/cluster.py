"""The requests publishing makes, and no others: list the tool's own reports, server-side
apply one, delete one, on wgpolicyk8s.io policyreports and clusterpolicyreports only.
Through the collector's endpoint (the same kubeconfig and context, or the in-cluster
service account) and its kind of connection pool."""

from __future__ import annotations

import contextlib
import json
import random
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

import urllib3

from upgradecheck import __version__
from upgradecheck.collect.cluster.endpoint import load_endpoint
from upgradecheck.collect.cluster.transport import pool_manager
from upgradecheck.publish.interface import PublishRefused, PublishUnreachable, ReportsNotServed
from upgradecheck.render.policyreport import GROUP, MANAGED_BY, VERSION
from upgradecheck.safetext import printable

FIELD_MANAGER = "upgradecheck"
USER_AGENT = f"upgradecheck/{__version__} (publishing PolicyReports)"
APPLY_PATCH = "application/apply-patch+yaml"
# Only the metadata of the earlier reports is wanted: a real API server sends just that when
# asked (meta.k8s.io/v1, Kubernetes 1.15+), else the whole objects.
METADATA_ONLY = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json"
PAGE_SIZE = 500
MAX_ANSWER = 64 * 1024 * 1024
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_NOT_SERVED = (
    f"the cluster does not serve {GROUP}/{VERSION} PolicyReports: install the PolicyReport "
    "CRDs (Kyverno installs them, or apply the v1alpha2 CRDs of "
    "kubernetes-sigs/wg-policy-prototypes)"
)


class NamespaceGone(Exception):
    """The namespace a report was applied to does not exist (any more)."""


class ClusterReports:
    """The tool's PolicyReports in one cluster: list, apply, delete."""

    def __init__(
        self,
        kubeconfig: str | None,
        context: str | None,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        """Find the API server and its credentials as the collector does (SourceError for an
        unusable kubeconfig); no request is made yet."""
        self.endpoint = load_endpoint(kubeconfig, context)
        self.target = self.endpoint.host
        self.timeout = timeout
        self.retries = retries
        self._sleep = sleep or time.sleep
        self._pool = pool_manager(self.endpoint, 1)

    def close(self) -> None:
        """Release the connection."""
        self._pool.clear()

    def list(self, plural: str) -> list[Mapping[str, Any]]:
        """The metadata of every report of `plural` (in every namespace) that carries the
        tool's label. ReportsNotServed when the cluster does not serve them."""
        items: list[Mapping[str, Any]] = []
        query: dict[str, Any] = {
            "labelSelector": f"{MANAGED_BY[0]}={MANAGED_BY[1]}",
            "limit": PAGE_SIZE,
        }
        while True:
            page = self._call(f"list {plural}", "GET", _path(plural), query, accept=METADATA_ONLY)
            if not isinstance(page, Mapping) or not isinstance(page.get("items"), list | None):
                raise PublishRefused(f"list {plural}: the answer was not a list")
            items += [i for i in page.get("items") or () if isinstance(i, Mapping)]
            token = (page.get("metadata") or {}).get("continue")
            if not token:
                return items
            query["continue"] = token

    def apply(self, plural: str, doc: Mapping[str, Any]) -> None:
        """Server-side apply `doc` (field manager `upgradecheck`, taking over conflicting
        fields). NamespaceGone when its namespace does not exist."""
        meta = doc["metadata"]
        path = _path(plural, meta.get("namespace"), meta["name"])
        query = {"fieldManager": FIELD_MANAGER, "force": "true"}
        body = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()
        self._call(f"apply {_what(plural, meta)}", "PATCH", path, query, body, gone=True)

    def delete(self, plural: str, namespace: str | None, name: str) -> None:
        """Delete one report; one already gone is fine."""
        what = _what(plural, {"namespace": namespace, "name": name})
        with contextlib.suppress(NamespaceGone):
            self._call(f"delete {what}", "DELETE", _path(plural, namespace, name), gone=True)

    def _call(
        self,
        what: str,
        method: str,
        path: str,
        query: Mapping[str, Any] | None = None,
        body: bytes | None = None,
        *,
        accept: str = "application/json",
        gone: bool = False,
    ) -> Any:
        """One request, retried on 429, 5xx and no answer; its JSON answer, or each refusal
        as the layer's exceptions. A 404 of a missing namespace (or, for a delete, of the
        object) raises NamespaceGone when `gone`."""
        url = self.target + path + (f"?{urlencode(dict(query))}" if query else "")
        attempt = 0
        while True:
            attempt += 1
            try:
                status, data, retry_after = self._send(method, url, body, accept)
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                if attempt <= self.retries:
                    self._sleep(_backoff(attempt))
                    continue
                reason = str(getattr(exc, "reason", None) or exc).strip().splitlines()
                raise PublishUnreachable(
                    f"cannot reach the API server at {self.target}: "
                    f"{printable(self.endpoint.scrub(reason[0] if reason else ''), 160)}"
                ) from None
            if 200 <= status < 300:
                return _json(data)
            if status in _RETRY_STATUSES and attempt <= self.retries:
                self._sleep(retry_after if retry_after is not None else _backoff(attempt))
                continue
            raise _refusal(what, status, data, gone, self.target)

    def _send(
        self, method: str, url: str, body: bytes | None, accept: str
    ) -> tuple[int, bytes, float | None]:
        try:
            credentials = self.endpoint.auth()
        except Exception as exc:  # a credential plugin run again, failing
            raise PublishUnreachable(
                f"could not refresh the credentials: {self.endpoint.scrub(str(exc))[:300]}"
            ) from None
        headers = {"Accept": accept, "User-Agent": USER_AGENT, **credentials}
        if body is not None:
            headers["Content-Type"] = APPLY_PATCH
        response = self._pool.urlopen(
            method,
            url,
            body=body,
            headers=headers,
            timeout=urllib3.Timeout(connect=self.timeout, read=self.timeout),
            retries=False,
            redirect=False,
            preload_content=False,
        )
        try:
            data = response.read(MAX_ANSWER + 1)
        finally:
            response.release_conn()
        if len(data) > MAX_ANSWER:
            raise PublishRefused(f"{method} {url}: the answer is larger than 64 MiB")
        return response.status, data, _retry_after(response.headers.get("Retry-After"))


def _path(plural: str, namespace: str | None = None, name: str | None = None) -> str:
    where = f"namespaces/{namespace}/{plural}" if namespace else plural
    return f"/apis/{GROUP}/{VERSION}/{where}" + (f"/{name}" if name else "")


def _what(plural: str, meta: Mapping[str, Any]) -> str:
    namespace, name = meta.get("namespace"), meta.get("name")
    return f"{plural} {namespace}/{name}" if namespace else f"{plural} {name}"


def _refusal(what: str, status: int, data: bytes, gone: bool, target: str) -> Exception:
    doc = _json(data)
    doc = doc if isinstance(doc, Mapping) else {}
    message = printable(str(doc.get("message") or "").split("\n")[0], 300)
    if status == 404:
        details = doc.get("details")
        kind = str(details.get("kind") or "") if isinstance(details, Mapping) else ""
        if gone and (kind == "namespaces" or what.startswith("delete")):
            return NamespaceGone(message)
        return ReportsNotServed(_NOT_SERVED)
    if status == 401:
        return PublishUnreachable(f"the API server at {target} rejected the credentials (401)")
    if status == 403:
        return PublishRefused(
            f"{what}: forbidden (403): the credentials need the rules "
            "`upgradecheck rbac --publish` prints"
        )
    return PublishRefused(f"{what}: {status} {message}".rstrip())


def _json(data: bytes) -> Any:
    try:
        return json.loads(data) if data else {}
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        return {}


def _retry_after(value: str | None) -> float | None:
    try:
        return min(float(value), 30.0) if value is not None else None
    except ValueError:
        return None


def _backoff(attempt: int) -> float:
    return float(min(0.5 * 2 ** (attempt - 1), 8.0) * (0.5 + random.random() / 2))

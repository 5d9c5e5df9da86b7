"""The requests publishing makes, and no others: list the tool's own reports, server-side
apply one, delete one, on wgpolicyk8s.io policyreports and clusterpolicyreports only, and
read the kube-system namespace to tell which cluster it is. They go
through the collector's Endpoint and Transport: the same kubeconfig checks, credentials, TLS
verification and its errors, deadline for each whole request, retries and answer size cap."""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Callable, Mapping
from typing import Any

from upgradecheck import __version__
from upgradecheck.collect.cluster.endpoint import Endpoint
from upgradecheck.collect.cluster.transport import RequestFailed, Transport, TransportOptions
from upgradecheck.publish.interface import PublishRefused, PublishUnreachable, ReportsNotServed
from upgradecheck.render.policyreport import GROUP, MANAGED_BY, VERSION

FIELD_MANAGER = "upgradecheck"
USER_AGENT = f"upgradecheck/{__version__} (publishing PolicyReports)"
APPLY_PATCH = "application/apply-patch+yaml"
# Only the metadata of the earlier reports is wanted: a real API server sends just that when
# asked (meta.k8s.io/v1, Kubernetes 1.15+), else the whole objects.
METADATA_ONLY = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json"
PAGE_SIZE = 500
_NOT_SERVED = (
    f"the cluster does not serve {GROUP}/{VERSION} PolicyReports: install the PolicyReport "
    "CRDs (Kyverno installs them, or apply the v1alpha2 CRDs of "
    "kubernetes-sigs/wg-policy-prototypes)"
)
# Answers that mean the request never got a usable answer from the server: as for the
# collector, the cluster could not be reached.
_UNREACHED = frozenset({"no-answer", "tls", "down", "cancelled"})


class NamespaceGone(Exception):
    """The namespace a report was applied to does not exist (any more)."""


class ClusterReports:
    """The tool's PolicyReports in one cluster: list, apply, delete."""

    def __init__(
        self,
        endpoint: Endpoint,
        options: TransportOptions | None = None,
        *,
        dry_run: bool = False,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        """Requests to `endpoint` (loaded by the caller, as the collector loads it), made as
        `options` say (timeout, retries, answer size), one at a time; none is made yet. With
        `dry_run`, applies and deletes are sent as server-side dry runs (`dryRun=All`): the
        API server checks them as it would the real ones (the CRDs, RBAC, the schema) and
        stores nothing."""
        self.endpoint = endpoint
        self.target = endpoint.host
        self.dry_run = dry_run
        publishing = dataclasses.replace(
            options or TransportOptions(), concurrency=1, user_agent=USER_AGENT
        )
        self._transport = Transport(endpoint, publishing, sleep=sleep)

    @property
    def requests(self) -> int:
        """Requests sent so far."""
        return self._transport.requests

    def close(self) -> None:
        """Release the connection."""
        self._transport.close()

    def cluster_uid(self) -> str | None:
        """The uid of the cluster's kube-system namespace (who the cluster is); None when it
        cannot be read (no permission to get namespaces, no answer): the caller then goes by
        what else it knows."""
        try:
            doc = self._transport.get_json("/api/v1/namespaces/kube-system")
        except RequestFailed:
            return None
        meta = doc.get("metadata") if isinstance(doc, Mapping) else None
        uid = meta.get("uid") if isinstance(meta, Mapping) else None
        return uid if isinstance(uid, str) and uid else None

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
        query = {"fieldManager": FIELD_MANAGER, "force": "true", **self._dry_run()}
        # A lone surrogate (a path read from undecodable bytes) cannot be UTF-8, and as a
        # JSON escape the API server's YAML reader refuses it: it is sent as "?".
        body = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode(
            errors="replace"
        )
        self._call(f"apply {_what(plural, meta)}", "PATCH", path, query, body, gone=True)

    def delete(self, plural: str, namespace: str | None, name: str) -> None:
        """Delete one report; one already gone is fine."""
        what = _what(plural, {"namespace": namespace, "name": name})
        with contextlib.suppress(NamespaceGone):
            path = _path(plural, namespace, name)
            self._call(f"delete {what}", "DELETE", path, self._dry_run(), gone=True)

    def _dry_run(self) -> dict[str, str]:
        return {"dryRun": "All"} if self.dry_run else {}

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
        """One request (the transport retries what can be retried); its JSON answer, or each
        failure as the layer's exceptions. A 404 of a missing namespace (or, for a delete, of
        the object) raises NamespaceGone when `gone`."""
        content_type = APPLY_PATCH if body is not None else None
        try:
            return self._transport.send_json(
                method, path, list((query or {}).items()), body, content_type, accept
            )
        except RequestFailed as exc:
            raise self._refusal(what, exc, gone) from None

    def _refusal(self, what: str, exc: RequestFailed, gone: bool) -> Exception:
        target = self.target
        if exc.status == 404:
            if gone and (exc.details_kind == "namespaces" or what.startswith("delete")):
                return NamespaceGone(exc.reason)
            return ReportsNotServed(_NOT_SERVED)
        if exc.status == 401:
            return PublishUnreachable(
                f"the API server at {target} rejected the credentials (401 Unauthorized); "
                "they may have expired"
            )
        if exc.status == 403:
            return PublishRefused(
                f"{what}: forbidden (403): the credentials need the rules "
                "`upgradecheck rbac --publish` prints"
            )
        if exc.status:
            return PublishRefused(f"{what}: {exc.status} {exc.reason}")
        if exc.kind in _UNREACHED:
            tries = f" ({exc.attempts} attempts)" if exc.attempts > 1 else ""
            return PublishUnreachable(
                f"cannot reach the API server at {target}: {exc.reason}{tries}"
            )
        return PublishRefused(f"{what}: {exc.reason}")


def _path(plural: str, namespace: str | None = None, name: str | None = None) -> str:
    where = f"namespaces/{namespace}/{plural}" if namespace else plural
    return f"/apis/{GROUP}/{VERSION}/{where}" + (f"/{name}" if name else "")


def _what(plural: str, meta: Mapping[str, Any]) -> str:
    namespace, name = meta.get("namespace"), meta.get("name")
    return f"{plural} {namespace}/{name}" if namespace else f"{plural} {name}"

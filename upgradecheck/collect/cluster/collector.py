"""collect: a live cluster into a Snapshot. GET requests only; independent lists run in a
bounded pool; what is refused becomes coverage, the rest is still collected."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from upgradecheck import __version__
from upgradecheck.collect.cluster.certificates import file_not_after, tls_not_after
from upgradecheck.collect.cluster.discovery import Discovery, ServedResource, discover
from upgradecheck.collect.cluster.evidence import evidence_of
from upgradecheck.collect.cluster.helm import HelmRecordError, decode_release
from upgradecheck.collect.cluster.listing import PAGE_SIZE, RESTART, list_items
from upgradecheck.collect.cluster.metrics import deprecated_api_requests
from upgradecheck.collect.cluster.nodes import node_info, platform
from upgradecheck.collect.cluster.scope import Scope
from upgradecheck.collect.cluster.selection import select_resources
from upgradecheck.collect.cluster.transport import (
    RequestRefused,
    Transport,
    TransportOptions,
    load_configuration,
)
from upgradecheck.collect.errors import SourceError
from upgradecheck.collect.local_clients import find_clients
from upgradecheck.collect.sanitize import trim_object
from upgradecheck.gcpause import gc_paused
from upgradecheck.knowledge.model import KnowledgeBase
from upgradecheck.model import (
    ApiRequest,
    ClusterInfo,
    CoverageNote,
    HelmRelease,
    NodeInfo,
    ObjectRef,
    ObservedObject,
    Snapshot,
)

Progress = Callable[[str, int, int], None]
"""Called as (what was just listed, resources done, objects seen so far)."""


@dataclass(frozen=True)
class CollectOptions:
    """What to collect and how."""

    kubeconfig: str | None = None
    """The kubeconfig file (default: KUBECONFIG or ~/.kube/config, else in-cluster)."""
    context: str | None = None
    """The kubeconfig context (default: the current one)."""
    transport: TransportOptions = field(default_factory=TransportOptions)
    """Timeouts, retries and concurrency."""
    kubectl: tuple[str, ...] = ()
    """Further kubectl binaries to report on."""
    helm: tuple[str, ...] = ()
    """Further helm binaries to report on."""
    probe_clients: bool = True
    """Whether to look for local kubectl and helm binaries."""
    scope: Scope = field(default_factory=Scope)
    """Namespaces and labels to collect (default: everything)."""


@dataclass
class _Result:
    objects: list[ObservedObject] = field(default_factory=list)
    nodes: list[NodeInfo] = field(default_factory=list)
    releases: list[HelmRelease] = field(default_factory=list)
    requests: tuple[ApiRequest, ...] = ()
    coverage: list[CoverageNote] = field(default_factory=list)


def observed(item: Mapping[str, Any], res: ServedResource) -> ObservedObject:
    """One listed item as an ObservedObject (list items carry no apiVersion or kind)."""
    meta = item.get("metadata") or {}
    body = trim_object(item, res.api_version, res.kind)
    ref = ObjectRef(
        res.api_version,
        res.kind,
        meta.get("namespace") if res.namespaced else None,
        str(meta.get("name", "<unnamed>")),
    )
    return ObservedObject(ref, evidence_of(meta), body)


_SECRETS = ServedResource("", "v1", "secrets", "Secret", True, ("list",), True)
_CONFIGMAPS = ServedResource("", "v1", "configmaps", "ConfigMap", True, ("list",), True)
T = TypeVar("T")


def _tls_secret(item: Mapping[str, Any]) -> ObservedObject:
    obj = observed(item, _SECRETS)
    not_after = tls_not_after(item)
    body = {**obj.body, "tls": {"notAfter": not_after}} if not_after else obj.body
    return ObservedObject(obj.ref, (), body)


class _Collector:
    def __init__(
        self, transport: Transport, kb: KnowledgeBase, progress: Progress | None, scope: Scope
    ):
        self.t = transport
        self.kb = kb
        self.scope = scope
        self.progress = progress
        self.lock = threading.Lock()
        self.done = 0
        self.seen = 0

    def _tick(self, what: str, count: int) -> None:
        with self.lock:
            self.done += 1
            self.seen += count
            done, seen = self.done, self.seen
        if self.progress is not None:
            self.progress(what, done, seen)

    def _refused(self, subject: str, exc: RequestRefused) -> CoverageNote:
        kind = {403: "forbidden", 404: "not-found"}.get(exc.status, "gap")
        why = f"{exc.status} {exc.reason}".strip() if exc.status else exc.reason
        return CoverageNote(subject, why, kind)

    def _list(
        self,
        paths: list[str],
        convert: Callable[[Mapping[str, Any]], T],
        label: str | None = None,
        field: str | None = None,
        page_size: int = PAGE_SIZE,
    ) -> list[T]:
        """Every item of the lists at `paths`, converted; each exactly once even when a list
        has to start over. RequestRefused from any path propagates."""
        out: list[T] = []
        for path in paths:
            items: list[T] = []
            for page in list_items(self.t, path, label, page_size, field):
                if page is RESTART:  # an expired continue token: this list starts over
                    items.clear()
                items.extend(convert(item) for item in page)
            out += items
        return out

    def _scoped_paths(self, base: str, resource: str) -> list[str]:
        return self.scope.namespace_paths(base, resource)

    def list_resource(self, res: ServedResource) -> _Result:
        out = _Result()
        base = res.path.rpartition("/")[0]
        paths = self._scoped_paths(base, res.name) if res.namespaced else [res.path]
        label = self.scope.selector if res.namespaced else None
        field = self.scope.field_selector() if res.namespaced else None
        for path in paths:  # one namespace refused does not lose the others
            try:
                out.objects += self._list([path], lambda item: observed(item, res), label, field)
            except RequestRefused as exc:
                where = f"resource {res.api_version}/{res.name}"
                if path != res.path:
                    where += f" in namespace {path.split('/namespaces/')[1].split('/')[0]}"
                out.coverage.append(self._refused(where, exc))
        self._tick(f"{res.api_version}/{res.name}", len(out.objects))
        return out

    def list_nodes(self) -> _Result:
        out = _Result()
        try:
            out.nodes = self._list(["/api/v1/nodes"], node_info)
        except RequestRefused as exc:
            out.coverage.append(self._refused("resource v1/nodes", exc))
        self._tick("v1/nodes", len(out.nodes))
        return out

    def list_kube_system_configmaps(self) -> _Result:
        out = _Result()
        path = "/api/v1/namespaces/kube-system/configmaps"
        try:
            out.objects = self._list([path], lambda item: observed(item, _CONFIGMAPS))
        except RequestRefused as exc:
            out.coverage.append(self._refused("configmaps in kube-system", exc))
        self._tick("kube-system/configmaps", len(out.objects))
        return out

    def tls_secrets(self) -> _Result:
        """kubernetes.io/tls Secrets: name, namespace, labels and the notAfter date only."""
        out = _Result()
        field = self.scope.field_selector("type=kubernetes.io/tls")
        try:
            out.objects = self._list(
                self._scoped_paths("/api/v1", "secrets"),
                _tls_secret,
                self.scope.selector,
                field,
                page_size=100,
            )
        except RequestRefused as exc:
            out.coverage.append(self._refused("TLS secrets (certificate expiry dates)", exc))
        self._tick("tls secrets", len(out.objects))
        return out

    def helm_records(self, storage: str) -> _Result:
        out = _Result()
        resource = "secrets" if storage == "secret" else "configmaps"
        try:
            decoded = self._list(
                self._scoped_paths("/api/v1", resource),
                lambda record: self._decode(record, storage),
                "owner=helm",
                self.scope.field_selector(),
                page_size=50,
            )
        except RequestRefused as exc:
            out.coverage.append(self._refused(f"helm release records ({storage}s)", exc))
            decoded = []
        for item in decoded:
            if isinstance(item, HelmRelease):
                out.releases.append(item)
            else:
                out.coverage.append(item)
        self._tick(f"helm release {storage}s", len(out.releases))
        return out

    def _decode(self, record: Mapping[str, Any], storage: str) -> HelmRelease | CoverageNote:
        meta = record.get("metadata") or {}
        try:
            return decode_release(record, storage, self._namespaced)
        except HelmRecordError as exc:
            where = f"helm release record {meta.get('namespace')}/{meta.get('name')}"
            return CoverageNote(where, f"cannot decode: {exc}", "gap")

    def _namespaced(self, api_version: str, kind: str) -> bool:
        entry = self.kb.api(api_version, kind)
        if entry is not None:
            return entry.namespaced
        return kind not in _CLUSTER_SCOPED

    def metrics(self) -> _Result:
        out = _Result()
        try:
            out.requests = deprecated_api_requests(self.t.get_text("/metrics"))
        except RequestRefused as exc:
            out.coverage.append(self._refused("API server /metrics", exc))
        self._tick("/metrics", 0)
        return out


# Cluster-scoped kinds commonly found in charts, for kinds the knowledge base does not track.
_CLUSTER_SCOPED = frozenset(
    {
        "Namespace",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "StorageClass",
        "PersistentVolume",
        "PriorityClass",
        "IngressClass",
        "APIService",
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
        "CSIDriver",
        "RuntimeClass",
        "PodSecurityPolicy",
        "ClusterIssuer",
        "GatewayClass",
        "Node",
    }
)


def _server(transport: Transport, context: str | None) -> ClusterInfo:
    try:
        version = transport.get_json("/version")
    except RequestRefused as exc:
        raise SourceError(
            f"the API server at {transport.host} refused /version: {exc.status} {exc.reason}"
        ) from None
    git = str(version.get("gitVersion") or "") if isinstance(version, Mapping) else ""
    if not git:
        raise SourceError(f"the API server at {transport.host} reported no version")
    return ClusterInfo(server_version=git, context=context)


def collect_cluster(
    options: CollectOptions,
    kb: KnowledgeBase,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> Snapshot:
    """Collect a snapshot of the cluster `options` point at."""
    cfg, context = load_configuration(options.kubeconfig, options.context)
    transport = Transport(cfg, options.transport)
    cluster = replace(_server(transport, context), credential_expires=file_not_after(cfg.cert_file))
    disco = discover(transport, options.transport.concurrency)
    return _collect(transport, kb, cluster, disco, options, progress, now)


def _collect(
    transport: Transport,
    kb: KnowledgeBase,
    cluster: ClusterInfo,
    disco: Discovery,
    options: CollectOptions,
    progress: Progress | None,
    now: dt.datetime | None,
) -> Snapshot:
    c = _Collector(transport, kb, progress, options.scope)
    resources = select_resources(disco.resources, kb)
    tasks: list[Callable[[], _Result]] = [
        c.list_nodes,
        c.metrics,
        c.list_kube_system_configmaps,
        c.tls_secrets,
        lambda: c.helm_records("secret"),
        lambda: c.helm_records("configmap"),
    ]
    tasks += [lambda r=r: c.list_resource(r) for r in resources]  # type: ignore[misc]
    workers = max(1, options.transport.concurrency)
    with gc_paused(), ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda task: task(), tasks))
    merged = _merge(results)
    nodes = tuple(sorted(merged.nodes, key=lambda n: n.name))
    info = replace(cluster, platform=platform(cluster.server_version, disco.group_versions, nodes))
    clients = find_clients(options.kubectl, options.helm) if options.probe_clients else ()
    notes = tuple(
        CoverageNote(f"local {name}", f"no {name} found on PATH (nor given with --{name})", "note")
        for name in ("kubectl", "helm")
        if options.probe_clients and not any(c.name == name for c in clients)
    )
    when = now or dt.datetime.now(dt.UTC)
    return Snapshot(
        source="cluster",
        collected_at=when.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        cluster=info,
        nodes=nodes,
        clients=clients,
        objects=tuple(merged.objects),
        helm_releases=tuple(
            sorted(merged.releases, key=lambda r: (r.namespace, r.name, r.revision))
        ),
        api_requests=merged.requests,
        served_apis=disco.group_versions,
        coverage=disco.coverage + tuple(merged.coverage) + notes + _scope_note(options.scope),
        stats={
            "resources": len(resources),
            "objects": len(merged.objects),
            "nodes": len(nodes),
            "helm_releases": len(merged.releases),
            "requests": transport.requests,
        },
        tool_version=__version__,
    )


def _scope_note(scope: Scope) -> tuple[CoverageNote, ...]:
    note = scope.note()
    return (note,) if note is not None else ()


def _merge(results: Sequence[_Result]) -> _Result:
    out = _Result()
    for r in results:
        out.objects += r.objects
        out.nodes += r.nodes
        out.releases += r.releases
        out.coverage += r.coverage
        out.requests = out.requests + r.requests
    return out

"""collect: a live cluster into a Snapshot. GET requests only; independent lists run in a
bounded pool. A list that fails (refused, unanswered, malformed, too large) becomes coverage and
the rest is still collected: only /version failing, or no list read at all, means the cluster
could not be reached."""

from __future__ import annotations

import datetime as dt
import json
import ssl
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Protocol, TypeVar

from upgradecheck import __version__
from upgradecheck.collect.cluster.certificates import pem_not_after, tls_not_after
from upgradecheck.collect.cluster.discovery import Discovery, ServedResource, discover
from upgradecheck.collect.cluster.endpoint import Endpoint, load_endpoint
from upgradecheck.collect.cluster.evidence import evidence_of
from upgradecheck.collect.cluster.helm import HelmRecordError, ManifestsRead, decode_release
from upgradecheck.collect.cluster.listing import PAGE_SIZE, RESTART, list_items
from upgradecheck.collect.cluster.metrics import deprecated_api_requests
from upgradecheck.collect.cluster.nodes import node_info, platform
from upgradecheck.collect.cluster.pages import body_of, shape
from upgradecheck.collect.cluster.scope import Scope
from upgradecheck.collect.cluster.selection import select_resources
from upgradecheck.collect.cluster.transport import (
    Decode,
    RequestFailed,
    Transport,
    TransportOptions,
)
from upgradecheck.collect.cluster.workers import run_all
from upgradecheck.collect.errors import ClusterUnreachable
from upgradecheck.collect.local_clients import find_clients
from upgradecheck.collect.sanitize import (
    ConfigMapKeys,
    configmap_keys,
    without_unread_templates,
)
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
from upgradecheck.safetext import printable
from upgradecheck.shapes import as_map
from upgradecheck.versions import VersionError, parse_minor

METRICS_SIZE_FACTOR = 4
"""/metrics may be this many times the answer size limit: a large API server's runs to tens
of MiB, and only two of its series are kept."""


class Progress(Protocol):
    """How a collection is going, for a display."""

    def __call__(self, what: str, done: int, seen: int) -> None:
        """`what` was just listed; `done` lists so far, `seen` objects so far."""

    def retrying(self, message: str) -> None:
        """A request is being tried again (`message` says which, why, which attempt)."""


CheckServer = Callable[[ClusterInfo], None]
"""Called with the server's version before anything is listed; raises to stop the run (a
target that cannot apply to this cluster)."""


@dataclass(frozen=True)
class CollectOptions:
    """What to collect and how."""

    kubeconfig: str | None = None
    """The kubeconfig file (default: KUBECONFIG or ~/.kube/config, else in-cluster)."""
    context: str | None = None
    """The kubeconfig context (default: the current one)."""
    transport: TransportOptions = field(default_factory=TransportOptions)
    """Timeouts, retries, concurrency and the answer size limit."""
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


def _name(value: Any) -> str | None:
    return printable(value, 253) if isinstance(value, str) and value else None


def observed(
    item: dict[str, Any], res: ServedResource, configmaps: ConfigMapKeys | None = None
) -> ObservedObject:
    """One listed item, as `shape(res.kind)` decoded it (list items carry no apiVersion or
    kind), as an ObservedObject: its evidence, then its body reduced to the allow-list, in
    place (nothing of the page is held by anything else)."""
    meta = as_map(item.get("metadata"))
    ref = ObjectRef(
        res.api_version,
        res.kind,
        _name(meta.get("namespace")) if res.namespaced else None,
        _name(meta.get("name")) or "<unnamed>",
    )
    evidence = evidence_of(meta)
    return ObservedObject(ref, evidence, body_of(item, res.api_version, res.kind, configmaps))


def _whole(item: Mapping[str, Any], res: ServedResource) -> ObservedObject:
    """A listed item decoded whole (a TLS Secret, whose certificate is read too)."""
    return observed(shape(res.kind).reduce(item), res)


_SECRETS = ServedResource("", "v1", "secrets", "Secret", True, ("list",), True)
_CONFIGMAPS = ServedResource("", "v1", "configmaps", "ConfigMap", True, ("list",), True)
T = TypeVar("T")


def _tls_secret(item: Mapping[str, Any]) -> ObservedObject:
    obj = _whole(item, _SECRETS)
    not_after = tls_not_after(item)
    body = {**obj.body, "tls": {"notAfter": not_after}} if not_after else obj.body
    return ObservedObject(obj.ref, (), body)


def _failure_note(subject: str, exc: RequestFailed, kept: int = 0) -> CoverageNote:
    kind = {403: "forbidden", 404: "not-found"}.get(exc.status, "gap")
    why = f"{exc.status} {exc.reason}".strip() if exc.status else exc.reason
    if kept:
        why = f"incomplete, {kept} objects read: {why}"
    return CoverageNote(subject, why, kind)


def _in_namespace(subject: str, path: str) -> str:
    if "/namespaces/" not in path:
        return subject
    return f"{subject} in namespace {path.split('/namespaces/')[1].split('/')[0]}"


class _Collector:
    def __init__(
        self, transport: Transport, kb: KnowledgeBase, progress: Progress | None, scope: Scope
    ):
        self.t = transport
        self.kb = kb
        self.configmaps = configmap_keys(
            (d.type, d.params) for removal in kb.removals for d in removal.detect
        )
        self.scope = scope
        self.progress = progress
        self.lock = threading.Lock()
        self.done = 0
        self.seen = 0
        self.read = 0
        """Lists (and /metrics) that answered at least once."""
        self.manifests: ManifestsRead = {}
        """The Helm manifests read so far."""

    def _tick(self, what: str, count: int) -> None:
        with self.lock:
            self.done += 1
            self.seen += count
            done, seen = self.done, self.seen
        if self.progress is not None:
            self.progress(what, done, seen)

    def _answered(self) -> None:
        with self.lock:
            self.read += 1

    def _read(
        self,
        path: str,
        convert: Callable[[dict[str, Any]], T],
        label: str | None,
        field: str | None,
        page_size: int,
        decode: Decode,
    ) -> tuple[list[T], int, RequestFailed | None]:
        """The converted items of one list, each once even when the list has to start over;
        how many items were not objects; the failure that ended it early, if any (the items
        read before it are kept)."""
        items: list[T] = []
        skipped = 0
        answered = False
        try:
            for page in list_items(self.t, path, label, page_size, field, decode):
                if page is RESTART:
                    items.clear()
                    skipped = 0
                    continue
                answered = True
                for item in page:
                    if type(item) is dict:  # as JSON decodes every object
                        items.append(convert(item))
                    else:
                        skipped += 1
            failure = None
        except RequestFailed as exc:
            failure = exc
        if answered:
            self._answered()
        return items, skipped, failure

    def _gather(
        self,
        subject: str,
        paths: Sequence[str],
        convert: Callable[[dict[str, Any]], T],
        label: str | None = None,
        field: str | None = None,
        page_size: int = PAGE_SIZE,
        decode: Decode = json.loads,
    ) -> tuple[list[T], list[CoverageNote]]:
        """Every item of the lists at `paths` (their pages parsed by `decode`); one path
        failing does not lose the others."""
        out: list[T] = []
        notes: list[CoverageNote] = []
        for path in paths:
            items, skipped, failure = self._read(path, convert, label, field, page_size, decode)
            out += items
            where = _in_namespace(subject, path)
            if failure is not None:
                notes.append(_failure_note(where, failure, len(items)))
            if skipped:
                notes.append(
                    CoverageNote(where, f"{skipped} list items were not objects; skipped", "gap")
                )
        return out, notes

    def list_resource(self, res: ServedResource) -> _Result:
        out = _Result()
        base = res.path.rpartition("/")[0]
        paths = self.scope.namespace_paths(base, res.name) if res.namespaced else [res.path]
        label = self.scope.selector if res.namespaced else None
        field = self.scope.field_selector() if res.namespaced else None
        out.objects, out.coverage = self._gather(
            f"resource {res.api_version}/{res.name}",
            paths,
            lambda item: observed(item, res, self.configmaps),
            label,
            field,
            decode=shape(res.kind).decode,
        )
        self._tick(f"{res.api_version}/{res.name}", len(out.objects))
        return out

    def list_nodes(self) -> _Result:
        out = _Result()
        out.nodes, out.coverage = self._gather("resource v1/nodes", ["/api/v1/nodes"], node_info)
        self._tick("v1/nodes", len(out.nodes))
        return out

    def list_kube_system_configmaps(self) -> _Result:
        out = _Result()
        out.objects, out.coverage = self._gather(
            "configmaps",
            ["/api/v1/namespaces/kube-system/configmaps"],
            lambda item: observed(item, _CONFIGMAPS, self.configmaps),
            decode=shape("ConfigMap").decode,
        )
        self._tick("kube-system/configmaps", len(out.objects))
        return out

    def tls_secrets(self) -> _Result:
        """kubernetes.io/tls Secrets: name, namespace, labels and the notAfter date only."""
        out = _Result()
        out.objects, out.coverage = self._gather(
            "TLS secrets (certificate expiry dates)",
            self.scope.namespace_paths("/api/v1", "secrets"),
            _tls_secret,
            self.scope.selector,
            self.scope.field_selector("type=kubernetes.io/tls"),
            page_size=100,
        )
        self._tick("tls secrets", len(out.objects))
        return out

    def helm_records(self, storage: str) -> _Result:
        out = _Result()
        resource = "secrets" if storage == "secret" else "configmaps"
        decoded, out.coverage = self._gather(
            f"helm release records ({storage}s)",
            self.scope.namespace_paths("/api/v1", resource),
            lambda record: self._decode(record, storage),
            "owner=helm",
            self.scope.field_selector(),
            page_size=50,
        )
        for item in decoded:
            if isinstance(item, HelmRelease):
                out.releases.append(item)
            else:
                out.coverage.append(item)
        self._tick(f"helm release {storage}s", len(out.releases))
        return out

    def _decode(self, record: Mapping[str, Any], storage: str) -> HelmRelease | CoverageNote:
        meta = as_map(record.get("metadata"))
        try:
            return decode_release(record, storage, self._namespaced, self.manifests)
        except HelmRecordError as exc:
            where = f"helm release record {_name(meta.get('namespace'))}/{_name(meta.get('name'))}"
            return CoverageNote(where, f"cannot decode: {exc}", "gap")

    def _namespaced(self, api_version: str, kind: str) -> bool:
        entry = self.kb.api(api_version, kind)
        if entry is not None:
            return entry.namespaced
        return kind not in _CLUSTER_SCOPED

    def metrics(self) -> _Result:
        out = _Result()
        limit = self.t.options.max_body * METRICS_SIZE_FACTOR
        try:
            out.requests = deprecated_api_requests(self.t.get_text("/metrics", limit))
            self._answered()
        except RequestFailed as exc:
            out.coverage.append(_failure_note("API server /metrics", exc))
        self._tick("/metrics", 0)
        return out

    def guarded(self, label: str, task: Callable[[], _Result]) -> Callable[[], _Result]:
        """`task`, turned into a coverage note should it raise: one list is then lost,
        never the snapshot."""

        def run() -> _Result:
            try:
                return task()
            except Exception as exc:  # a shape no guard foresaw: say so, keep the rest
                why = f"{type(exc).__name__}: {printable(exc, 200)}"
                self._tick(label, 0)
                note = f"could not be read ({why}); please report this as a bug"
                return _Result(coverage=[CoverageNote(label, note, "gap")])

        return run


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


def _unreachable(host: str, exc: RequestFailed) -> ClusterUnreachable:
    """Why /version failed, as the one line the run ends with."""
    if exc.status == 401:
        return ClusterUnreachable(
            f"the API server at {host} rejected the credentials (401 Unauthorized); they may "
            "have expired: get fresh ones (e.g. your provider's get-credentials command)"
        )
    if exc.status:
        return ClusterUnreachable(
            f"the API server at {host} refused /version: {exc.status} {exc.reason}"
        )
    if exc.kind == "malformed":
        return ClusterUnreachable(f"the API server at {host} answered /version: {exc.reason}")
    tries = f" ({exc.attempts} attempts)" if exc.attempts > 1 else ""
    return ClusterUnreachable(f"cannot reach the API server at {host}: {exc.reason}{tries}")


def _server(transport: Transport, context: str | None) -> ClusterInfo:
    try:
        version = transport.get_json("/version")
    except RequestFailed as exc:
        raise _unreachable(transport.host, exc) from None
    git = as_map(version).get("gitVersion")
    if not isinstance(git, str) or not git:
        raise ClusterUnreachable(f"the API server at {transport.host} reported no version")
    try:
        parse_minor(git)
    except VersionError:
        raise ClusterUnreachable(
            f"the API server at {transport.host} reported version '{printable(git, 60)}', "
            "which is not a Kubernetes version"
        ) from None
    return ClusterInfo(server_version=printable(git, 100), context=context)


def collect_cluster(
    options: CollectOptions,
    kb: KnowledgeBase,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
    check: CheckServer | None = None,
    endpoint: Endpoint | None = None,
) -> Snapshot:
    """Collect a snapshot of the cluster `options` point at. `check` sees the server's
    version before anything is listed. `endpoint` is that cluster's, when the caller has
    loaded it already (to publish to the very cluster it collected)."""
    if endpoint is None:
        endpoint = load_endpoint(options.kubeconfig, options.context)
    retrying = progress.retrying if progress is not None else None
    transport = Transport(endpoint, options.transport, on_retry=retrying)
    try:
        cluster = replace(
            _server(transport, endpoint.context),
            credential_expires=pem_not_after(endpoint.client_cert_pem),
        )
        if check is not None:
            check(cluster)
        disco = discover(transport, options.transport.concurrency)
        return _collect(transport, kb, cluster, disco, options, progress, now)
    finally:
        transport.close()


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
    tasks: list[tuple[str, Callable[[], _Result]]] = [
        ("resource v1/nodes", c.list_nodes),
        ("API server /metrics", c.metrics),
        ("configmaps in namespace kube-system", c.list_kube_system_configmaps),
        ("TLS secrets (certificate expiry dates)", c.tls_secrets),
        ("helm release records (secrets)", lambda: c.helm_records("secret")),
        ("helm release records (configmaps)", lambda: c.helm_records("configmap")),
    ]
    tasks += [
        (f"resource {r.api_version}/{r.name}", partial(c.list_resource, r)) for r in resources
    ]
    with gc_paused():
        results = run_all(
            transport,
            [c.guarded(label, task) for label, task in tasks],
            options.transport.concurrency,
        )
    merged = _merge(results)
    # Pod specs and templates that a collected controller's template stands for are never
    # read: let them go before the snapshot is written (and held by assess).
    objects = without_unread_templates(merged.objects)
    merged.objects.clear()
    if c.read == 0:
        raise _nothing_read(transport.host, merged.coverage)
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
        objects=objects,
        helm_releases=tuple(
            sorted(merged.releases, key=lambda r: (r.namespace, r.name, r.revision))
        ),
        api_requests=merged.requests,
        served_apis=disco.group_versions,
        coverage=disco.coverage
        + tuple(merged.coverage)
        + notes
        + _scope_note(options.scope)
        + _tls_note(transport),
        stats={
            "resources": len(resources),
            "objects": len(objects),
            "nodes": len(nodes),
            "helm_releases": len(merged.releases),
            "requests": transport.requests,
        },
        tool_version=__version__,
    )


def _nothing_read(host: str, coverage: Sequence[CoverageNote]) -> ClusterUnreachable:
    first = next((n for n in coverage if n.is_gap), None)
    why = f" (first: {first.describe()})" if first is not None else ""
    return ClusterUnreachable(
        f"the API server at {host} answered /version but no list could be read{why}"
    )


def _tls_note(transport: Transport) -> tuple[CoverageNote, ...]:
    ctx = transport.endpoint.ssl_context
    if ctx is None or ctx.verify_mode != ssl.CERT_NONE:
        return ()
    reason = "the API server's certificate was not verified (insecure-skip-tls-verify)"
    return (CoverageNote("TLS", reason, "note"),)


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

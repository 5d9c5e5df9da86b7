"""The snapshot document (`docs/snapshot-format.md`) to dict and back, with the model types
only snapshots hold. Files, gzip and the schema check are snapshot_io's."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from upgradecheck.codec.common import (
    Form,
    client_from_dict,
    client_to_dict,
    cluster_from_dict,
    cluster_to_dict,
    evidence_from_dict,
    evidence_to_dict,
    node_from_dict,
    node_to_dict,
    note_from_dict,
    note_to_dict,
    plain_evidence,
    plain_ref,
    ref_from_dict,
    ref_to_dict,
)
from upgradecheck.codec.reading import DecodeError, Fields
from upgradecheck.model import (
    SNAPSHOT_SCHEMA,
    ApiRequest,
    HelmRelease,
    ObservedObject,
    Snapshot,
)

# ---- ObservedObject ------------------------------------------------------------------------


def object_to_dict(o: ObservedObject) -> dict[str, Any]:
    """The object's ref, its evidence, and its body when it has one."""
    out = ref_to_dict(o.ref)
    out["evidence"] = [evidence_to_dict(e, Form.SNAPSHOT) for e in o.evidence]
    if o.body:
        out["body"] = o.body
    return out


BodyFilter = Callable[[Mapping[str, Any], str], Mapping[str, Any]]
"""What a reader keeps of an object's body, given the body and the object's kind."""


def object_from_dict(
    f: Fields, d: Mapping[str, Any], where: str, keep: BodyFilter | None = None
) -> ObservedObject:
    """The ObservedObject of `object_to_dict`; with `keep`, its body as `keep` reduces it
    (as it is read: the whole body is never held by the snapshot)."""
    evidence = tuple(
        [
            plain_evidence(e) or evidence_from_dict(f, e, f"{where}.evidence[{i}]")
            for i, e in enumerate(f.lst(d, "evidence", where))
        ]
    )
    ref = plain_ref(d) or ref_from_dict(f, d, where)
    body = f.opt(d, "body", where, dict) or {}
    if keep is not None and body:
        body = keep(body, ref.kind)
    return ObservedObject(ref=ref, evidence=evidence, body=body)


# ---- HelmRelease ---------------------------------------------------------------------------


def release_to_dict(r: HelmRelease) -> dict[str, Any]:
    """One release revision: its record's facts and the objects of its manifest."""
    return {
        "name": r.name,
        "namespace": r.namespace,
        "revision": r.revision,
        "status": r.status,
        "chart": r.chart,
        "chart_version": r.chart_version,
        "app_version": r.app_version,
        "kube_version": r.kube_version,
        "last_deployed": r.last_deployed,
        "storage": r.storage,
        "objects": [ref_to_dict(o) for o in r.objects],
    }


def release_from_dict(f: Fields, d: Mapping[str, Any], where: str) -> HelmRelease:
    """The HelmRelease of `release_to_dict`."""
    return HelmRelease(
        name=f.req(d, "name", where),
        namespace=f.req(d, "namespace", where),
        revision=f.req(d, "revision", where, int),
        status=f.req(d, "status", where),
        chart=f.req(d, "chart", where),
        chart_version=f.req(d, "chart_version", where),
        app_version=f.opt(d, "app_version", where),
        kube_version=f.opt(d, "kube_version", where),
        last_deployed=f.opt(d, "last_deployed", where),
        storage=f.opt(d, "storage", where) or "secret",
        objects=tuple(
            ref_from_dict(f, o, f"{where}.objects[{i}]")
            for i, o in enumerate(f.lst(d, "objects", where))
        ),
    )


# ---- ApiRequest ----------------------------------------------------------------------------


def request_to_dict(a: ApiRequest) -> dict[str, Any]:
    """One series of the deprecated-API metric."""
    return {
        "group": a.group,
        "version": a.version,
        "resource": a.resource,
        "subresource": a.subresource,
        "removed_release": a.removed_release,
        "count": a.count,
    }


def request_from_dict(f: Fields, d: Mapping[str, Any], where: str) -> ApiRequest:
    """The ApiRequest of `request_to_dict`."""
    return ApiRequest(
        group=f.req(d, "group", where),
        version=f.req(d, "version", where),
        resource=f.req(d, "resource", where),
        subresource=f.opt(d, "subresource", where) or "",
        removed_release=f.opt(d, "removed_release", where),
        count=f.opt(d, "count", where, int),
    )


# ---- Snapshot ------------------------------------------------------------------------------


def snapshot_to_dict(s: Snapshot) -> dict[str, Any]:
    """The JSON document of a snapshot."""
    return {
        "schema": SNAPSHOT_SCHEMA,
        "tool_version": s.tool_version,
        "source": s.source,
        "collected_at": s.collected_at,
        "cluster": cluster_to_dict(s.cluster, Form.SNAPSHOT),
        "nodes": [node_to_dict(n, Form.SNAPSHOT) for n in s.nodes],
        "clients": [client_to_dict(c) for c in s.clients],
        "objects": [object_to_dict(o) for o in s.objects],
        "helm_releases": [release_to_dict(r) for r in s.helm_releases],
        "api_requests": [request_to_dict(a) for a in s.api_requests],
        "served_apis": list(s.served_apis),
        "coverage": [note_to_dict(c) for c in s.coverage],
        "stats": dict(s.stats),
    }


class ObjectReader:
    """Builds the snapshot's objects one at a time, as a streaming reader decodes them, so
    that the decoded document is never whole in memory. The first bad object is remembered
    (and the rest only counted) until `snapshot_from_dict` reaches the objects, so that the
    errors are the same, in the same order, as when the document is read whole."""

    def __init__(self, origin: str, keep: BodyFilter | None = None) -> None:
        self.f = Fields(origin)
        self.keep = keep
        self.objects: list[ObservedObject] = []
        self.error: DecodeError | None = None
        self.count = 0

    def add(self, d: Any) -> None:
        """Build the next object of the list from its decoded JSON."""
        where = f"objects[{self.count}]"
        self.count += 1
        if self.error is not None:
            return
        try:
            self.objects.append(object_from_dict(self.f, d, where, self.keep))
        except DecodeError as exc:
            self.error = exc
            self.objects.clear()

    def result(self) -> tuple[ObservedObject, ...]:
        """The objects built, or the first error."""
        if self.error is not None:
            raise self.error
        return tuple(self.objects)


def _objects(
    f: Fields, d: Mapping[str, Any], keep: BodyFilter | None, read: ObjectReader | None
) -> tuple[ObservedObject, ...]:
    if read is not None and "objects" not in d:
        return read.result()
    return tuple(
        object_from_dict(f, o, f"objects[{i}]", keep)
        for i, o in enumerate(f.lst(d, "objects", "snapshot"))
    )


def snapshot_from_dict(
    d: Mapping[str, Any],
    origin: str,
    keep: BodyFilter | None = None,
    objects: ObjectReader | None = None,
) -> Snapshot:
    """The Snapshot of `snapshot_to_dict`, whose schema the caller has checked; DecodeError
    names the first bad field, `origin` first. With `keep` every body is reduced by it as it
    is read. `objects` holds the objects already read by a streaming reader, when `d` has
    none of its own."""
    f = Fields(origin)
    cluster = f.opt(d, "cluster", "cluster", dict)
    return Snapshot(
        source=f.req(d, "source", "snapshot"),
        collected_at=f.req(d, "collected_at", "snapshot"),
        tool_version=f.opt(d, "tool_version", "snapshot") or "",
        cluster=None if cluster is None else cluster_from_dict(f, cluster),
        nodes=tuple(
            node_from_dict(f, n, f"nodes[{i}]") for i, n in enumerate(f.lst(d, "nodes", "snapshot"))
        ),
        clients=tuple(
            client_from_dict(f, c, f"clients[{i}]")
            for i, c in enumerate(f.lst(d, "clients", "snapshot"))
        ),
        objects=_objects(f, d, keep, objects),
        helm_releases=tuple(
            release_from_dict(f, r, f"helm_releases[{i}]")
            for i, r in enumerate(f.lst(d, "helm_releases", "snapshot"))
        ),
        api_requests=tuple(
            request_from_dict(f, a, f"api_requests[{i}]")
            for i, a in enumerate(f.lst(d, "api_requests", "snapshot"))
        ),
        served_apis=tuple(str(x) for x in f.lst(d, "served_apis", "snapshot")),
        coverage=tuple(
            note_from_dict(f, c, f"coverage[{i}]")
            for i, c in enumerate(f.lst(d, "coverage", "snapshot"))
        ),
        stats={
            str(k): int(v)
            for k, v in (f.opt(d, "stats", "snapshot", dict) or {}).items()
            if isinstance(v, int)
        },
    )

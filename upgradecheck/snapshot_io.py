"""Reading and writing snapshots: the versioned JSON file of `docs/snapshot-format.md`
(gzip-compressed when the name ends in `.gz`)."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from upgradecheck.gcpause import gc_paused
from upgradecheck.model import (
    SNAPSHOT_SCHEMA,
    ApiRequest,
    ClientBinary,
    ClusterInfo,
    CoverageNote,
    Evidence,
    EvidenceSource,
    HelmRelease,
    NodeInfo,
    ObjectRef,
    ObservedObject,
    Snapshot,
)

_SCHEMA_PREFIX = "upgradecheck.snapshot/v"
_SUPPORTED_MAJOR = 1
_BATCH = 1000


class SnapshotError(Exception):
    """A snapshot file that cannot be read or written (exit code 2)."""


# ---- writing -------------------------------------------------------------------------------


def _ref(ref: ObjectRef) -> dict[str, Any]:
    return {
        "apiVersion": ref.api_version,
        "kind": ref.kind,
        "namespace": ref.namespace,
        "name": ref.name,
    }


def _evidence(e: Evidence) -> dict[str, Any]:
    out: dict[str, Any] = {
        "source": e.source.value,
        "location": e.location,
        "api_version": e.api_version,
    }
    if e.detail:
        out["detail"] = e.detail
    if e.time:
        out["time"] = e.time
    return out


def _object(o: ObservedObject) -> dict[str, Any]:
    out = _ref(o.ref)
    out["evidence"] = [_evidence(e) for e in o.evidence]
    if o.body:
        out["body"] = o.body
    return out


def snapshot_to_dict(s: Snapshot) -> dict[str, Any]:
    """The JSON document of a snapshot."""
    return {
        "schema": SNAPSHOT_SCHEMA,
        "tool_version": s.tool_version,
        "source": s.source,
        "collected_at": s.collected_at,
        "cluster": None
        if s.cluster is None
        else {
            "server_version": s.cluster.server_version,
            "platform": s.cluster.platform,
            "context": s.cluster.context,
            "credential_expires": s.cluster.credential_expires,
        },
        "nodes": [
            {
                "name": n.name,
                "kubelet_version": n.kubelet_version,
                "kube_proxy_version": n.kube_proxy_version,
                "container_runtime": n.container_runtime,
                "os_image": n.os_image,
                "kernel_version": n.kernel_version,
                "architecture": n.architecture,
                "ready": n.ready,
                "pool": n.pool,
                "labels": dict(n.labels),
            }
            for n in s.nodes
        ],
        "clients": [
            {"name": c.name, "path": c.path, "version": c.version, "error": c.error}
            for c in s.clients
        ],
        "objects": [_object(o) for o in s.objects],
        "helm_releases": [
            {
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
                "objects": [_ref(o) for o in r.objects],
            }
            for r in s.helm_releases
        ],
        "api_requests": [
            {
                "group": a.group,
                "version": a.version,
                "resource": a.resource,
                "subresource": a.subresource,
                "removed_release": a.removed_release,
                "count": a.count,
            }
            for a in s.api_requests
        ],
        "served_apis": list(s.served_apis),
        "coverage": [
            {"subject": c.subject, "reason": c.reason, "kind": c.kind} for c in s.coverage
        ],
        "stats": dict(s.stats),
    }


def _chunks(snapshot: Snapshot) -> Iterator[bytes]:
    """The snapshot's JSON, in pieces: the objects in batches, so that a large snapshot is
    never one string (and its bytes copy) in memory at once."""
    doc = snapshot_to_dict(replace(snapshot, objects=()))
    head = json.dumps(doc, separators=(",", ":"))
    marker = '"objects":[]'
    before, after = head.split(marker, 1)
    yield (before + '"objects":[').encode("utf-8")
    for start in range(0, len(snapshot.objects), _BATCH):
        batch = [_object(o) for o in snapshot.objects[start : start + _BATCH]]
        text = json.dumps(batch, separators=(",", ":"))[1:-1]
        yield (("," if start else "") + text).encode("utf-8")
    yield ("]" + after).encode("utf-8")


def write_snapshot(snapshot: Snapshot, path: str | Path) -> None:
    """Write `snapshot` to `path` (gzip when the name ends in `.gz`)."""
    target = Path(path)
    try:
        with gc_paused(), target.open("wb") as raw:
            if target.name.endswith(".gz"):
                # mtime=0 keeps the file byte-identical for identical snapshots.
                with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
                    for chunk in _chunks(snapshot):
                        gz.write(chunk)
            else:
                for chunk in _chunks(snapshot):
                    raw.write(chunk)
    except OSError as exc:
        raise SnapshotError(f"cannot write snapshot {target}: {exc.strerror or exc}") from exc


# ---- reading -------------------------------------------------------------------------------


class _Reader:
    """Builds a Snapshot from its JSON document, naming the field that is wrong."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, where: str, problem: str) -> SnapshotError:
        return SnapshotError(f"{self.origin}: {where}: {problem}")

    def req(self, d: Mapping[str, Any], key: str, where: str, typ: type = str) -> Any:
        if not isinstance(d, Mapping):
            raise self.fail(where, "expected an object")
        if key not in d:
            raise self.fail(where, f"missing field {key!r}")
        value = d[key]
        if not isinstance(value, typ) or (typ is int and isinstance(value, bool)):
            raise self.fail(f"{where}.{key}", f"expected {typ.__name__}")
        return value

    def opt(self, d: Mapping[str, Any], key: str, where: str, typ: type = str) -> Any:
        if not isinstance(d, Mapping):
            raise self.fail(where, "expected an object")
        value = d.get(key)
        if value is None:
            return None
        if not isinstance(value, typ):
            raise self.fail(f"{where}.{key}", f"expected {typ.__name__} or null")
        return value

    def lst(self, d: Mapping[str, Any], key: str, where: str) -> list[Any]:
        if not isinstance(d, Mapping):
            raise self.fail(where, "expected an object")
        value = d.get(key, [])
        if not isinstance(value, list):
            raise self.fail(f"{where}.{key}", "expected a list")
        return value

    def ref(self, d: Mapping[str, Any], where: str) -> ObjectRef:
        return ObjectRef(
            api_version=self.req(d, "apiVersion", where),
            kind=self.req(d, "kind", where),
            namespace=self.opt(d, "namespace", where),
            name=self.req(d, "name", where),
        )

    def evidence(self, d: Mapping[str, Any], where: str) -> Evidence:
        source = self.req(d, "source", where)
        try:
            kind = EvidenceSource(source)
        except ValueError:
            raise self.fail(f"{where}.source", f"unknown evidence source {source!r}") from None
        return Evidence(
            source=kind,
            location=self.req(d, "location", where),
            api_version=self.req(d, "api_version", where),
            detail=self.opt(d, "detail", where) or "",
            time=self.opt(d, "time", where),
        )

    def obj(self, d: Mapping[str, Any], where: str) -> ObservedObject:
        evidence = tuple(
            self.evidence(e, f"{where}.evidence[{i}]")
            for i, e in enumerate(self.lst(d, "evidence", where))
        )
        body = self.opt(d, "body", where, dict) or {}
        return ObservedObject(ref=self.ref(d, where), evidence=evidence, body=body)

    def node(self, d: Mapping[str, Any], where: str) -> NodeInfo:
        return NodeInfo(
            name=self.req(d, "name", where),
            kubelet_version=self.req(d, "kubelet_version", where),
            kube_proxy_version=self.opt(d, "kube_proxy_version", where),
            container_runtime=self.opt(d, "container_runtime", where),
            os_image=self.opt(d, "os_image", where),
            kernel_version=self.opt(d, "kernel_version", where),
            architecture=self.opt(d, "architecture", where),
            ready=bool(d.get("ready", True)),
            pool=self.opt(d, "pool", where),
            labels=self.opt(d, "labels", where, dict) or {},
        )

    def release(self, d: Mapping[str, Any], where: str) -> HelmRelease:
        return HelmRelease(
            name=self.req(d, "name", where),
            namespace=self.req(d, "namespace", where),
            revision=self.req(d, "revision", where, int),
            status=self.req(d, "status", where),
            chart=self.req(d, "chart", where),
            chart_version=self.req(d, "chart_version", where),
            app_version=self.opt(d, "app_version", where),
            kube_version=self.opt(d, "kube_version", where),
            last_deployed=self.opt(d, "last_deployed", where),
            storage=self.opt(d, "storage", where) or "secret",
            objects=tuple(
                self.ref(o, f"{where}.objects[{i}]")
                for i, o in enumerate(self.lst(d, "objects", where))
            ),
        )

    def snapshot(self, d: Any) -> Snapshot:
        if not isinstance(d, dict):
            raise SnapshotError(f"{self.origin}: not a snapshot (expected a JSON object)")
        self.check_schema(d.get("schema"))
        cluster = self.opt(d, "cluster", "cluster", dict)
        return Snapshot(
            source=self.req(d, "source", "snapshot"),
            collected_at=self.req(d, "collected_at", "snapshot"),
            tool_version=self.opt(d, "tool_version", "snapshot") or "",
            cluster=None
            if cluster is None
            else ClusterInfo(
                server_version=self.req(cluster, "server_version", "cluster"),
                platform=self.opt(cluster, "platform", "cluster") or "unknown",
                context=self.opt(cluster, "context", "cluster"),
                credential_expires=self.opt(cluster, "credential_expires", "cluster"),
            ),
            nodes=tuple(
                self.node(n, f"nodes[{i}]") for i, n in enumerate(self.lst(d, "nodes", "snapshot"))
            ),
            clients=tuple(
                ClientBinary(
                    name=self.req(c, "name", f"clients[{i}]"),
                    path=self.req(c, "path", f"clients[{i}]"),
                    version=self.opt(c, "version", f"clients[{i}]"),
                    error=self.opt(c, "error", f"clients[{i}]"),
                )
                for i, c in enumerate(self.lst(d, "clients", "snapshot"))
            ),
            objects=tuple(
                self.obj(o, f"objects[{i}]")
                for i, o in enumerate(self.lst(d, "objects", "snapshot"))
            ),
            helm_releases=tuple(
                self.release(r, f"helm_releases[{i}]")
                for i, r in enumerate(self.lst(d, "helm_releases", "snapshot"))
            ),
            api_requests=tuple(
                ApiRequest(
                    group=self.req(a, "group", f"api_requests[{i}]"),
                    version=self.req(a, "version", f"api_requests[{i}]"),
                    resource=self.req(a, "resource", f"api_requests[{i}]"),
                    subresource=self.opt(a, "subresource", f"api_requests[{i}]") or "",
                    removed_release=self.opt(a, "removed_release", f"api_requests[{i}]"),
                    count=self.opt(a, "count", f"api_requests[{i}]", int),
                )
                for i, a in enumerate(self.lst(d, "api_requests", "snapshot"))
            ),
            served_apis=tuple(str(x) for x in self.lst(d, "served_apis", "snapshot")),
            coverage=tuple(
                CoverageNote(
                    subject=self.req(c, "subject", f"coverage[{i}]"),
                    reason=self.req(c, "reason", f"coverage[{i}]"),
                    kind=self.opt(c, "kind", f"coverage[{i}]") or "gap",
                )
                for i, c in enumerate(self.lst(d, "coverage", "snapshot"))
            ),
            stats={
                str(k): int(v)
                for k, v in (self.opt(d, "stats", "snapshot", dict) or {}).items()
                if isinstance(v, int)
            },
        )

    def check_schema(self, schema: object) -> None:
        if not isinstance(schema, str) or not schema.startswith(_SCHEMA_PREFIX):
            raise SnapshotError(
                f"{self.origin}: not an upgradecheck snapshot (schema {schema!r}, "
                f"expected {SNAPSHOT_SCHEMA!r})"
            )
        major = schema[len(_SCHEMA_PREFIX) :]
        if not major.isdigit():
            raise SnapshotError(f"{self.origin}: unknown snapshot schema {schema!r}")
        if int(major) > _SUPPORTED_MAJOR:
            raise SnapshotError(
                f"{self.origin}: snapshot schema {schema!r} was written by a newer upgradecheck; "
                f"this version reads {SNAPSHOT_SCHEMA!r}"
            )


def snapshot_from_dict(document: Any, origin: str = "snapshot") -> Snapshot:
    """Build a Snapshot from its JSON document; SnapshotError names any bad field."""
    return _Reader(origin).snapshot(document)


def read_snapshot(path: str | Path) -> Snapshot:
    """Read a snapshot file (gzip-compressed or not, told apart by its first bytes)."""
    source = Path(path)
    try:
        raw = source.read_bytes()
    except FileNotFoundError:
        raise SnapshotError(f"no such snapshot file: {source}") from None
    except IsADirectoryError:
        raise SnapshotError(f"{source} is a folder, not a snapshot file") from None
    except OSError as exc:
        raise SnapshotError(f"cannot read snapshot {source}: {exc.strerror or exc}") from exc
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise SnapshotError(f"{source}: corrupt or truncated gzip data ({exc})") from None
    try:
        with gc_paused():
            document = json.loads(raw)
    except UnicodeDecodeError:
        raise SnapshotError(f"{source}: not a snapshot (not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise SnapshotError(
            f"{source}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise SnapshotError(f"{source}: JSON nested too deeply") from None
    with gc_paused():
        return snapshot_from_dict(document, str(source))

"""The fake API server's object store: discovery, storage, conversion and paging.

Objects are stored once per *storage* (group and resource, with Ingress and Event shared
across groups, as the real server shares them) and served at every group/version that
serves their resource: conversion is a rewrite of ``apiVersion``, which is exactly why
listing alone cannot tell which API version an object was written through.

Item JSON is serialised lazily, once per object, and list pages are joined from those
bytes, so a 100,000-object store serves pages without copying objects per request.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import itertools
import json
import re
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .catalog import ALL_VERBS, SUBRESOURCES, ResourceType, storage_version_hash
from .fixtures import Cluster, Deprecation, FixtureError, ServedVersion
from .query import field_matcher, label_matcher

__all__ = ["ListPage", "Store", "StoredObject", "version_priority"]

_DEFAULT_CREATED = "2021-01-04T09:00:00Z"


class StoredObject:
    """One stored object and its lazily serialised body."""

    __slots__ = ("_body", "key", "labels", "name", "namespace", "obj")

    def __init__(self, obj: dict[str, Any], namespace: str, name: str) -> None:
        self.obj = obj
        self.namespace = namespace
        self.name = name
        self.key = f"{namespace}/{name}" if namespace else name
        self.labels: dict[str, str] = obj.get("metadata", {}).get("labels") or {}
        self._body: bytes | None = None

    def body(self) -> bytes:
        """The object's JSON fields other than apiVersion/kind, without braces."""
        if self._body is None:
            rest = {k: v for k, v in self.obj.items() if k not in ("apiVersion", "kind")}
            self._body = json.dumps(rest, separators=(",", ":")).encode()[1:-1]
        return self._body

    def item_bytes(self, api_version: str | None, kind: str) -> bytes:
        """The object as JSON at ``api_version`` (None: without apiVersion/kind)."""
        body = self.body()
        if api_version is None:
            return b"{" + body + b"}"
        head = json.dumps({"apiVersion": api_version, "kind": kind}, separators=(",", ":"))
        return head.encode()[:-1] + (b"," + body if body else b"") + b"}"

    def as_version(self, api_version: str) -> dict[str, Any]:
        """A shallow copy with ``apiVersion`` rewritten (for tables and tests)."""
        return {"apiVersion": api_version, **{k: v for k, v in self.obj.items()
                                             if k != "apiVersion"}}


@dataclass
class ListPage:
    """One page of a list request."""

    items: list[StoredObject]
    """Objects on this page, in key order."""
    resource_version: str
    """The list's resourceVersion."""
    continue_token: str = ""
    """Token for the next page, empty on the last page."""
    remaining: int | None = None
    """remainingItemCount, when known."""

    def metadata(self) -> dict[str, Any]:
        """The list's ``metadata``."""
        meta: dict[str, Any] = {"resourceVersion": self.resource_version}
        if self.continue_token:
            meta["continue"] = self.continue_token
            if self.remaining is not None:
                meta["remainingItemCount"] = self.remaining
        return meta


class BadContinue(ValueError):
    """A continue token that this server did not issue."""


_VERSION_RE = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")


def version_priority(version: str) -> tuple[int, int, int, str]:
    """Sort key putting versions in Kubernetes priority order (v2 > v1 > v1beta2 > ...)."""
    m = _VERSION_RE.match(version)
    if not m:
        return (3, 0, 0, version)
    major, stage, minor = int(m.group(1)), m.group(2), int(m.group(3) or 0)
    rank = {None: 0, "beta": 1, "alpha": 2}[stage]
    return (rank, -major, -minor, version)


@dataclass
class _Served:
    group: str
    version: str
    resources: dict[str, ResourceType] = field(default_factory=dict)
    printer_columns: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


class Store:
    """Discovery and objects of one fake cluster."""

    def __init__(self, cluster: Cluster, *, list_item_typemeta: bool = False) -> None:
        self.cluster = cluster
        self.list_item_typemeta = list_item_typemeta
        self._lock = threading.Lock()
        self.served: dict[str, _Served] = {}
        self.group_order: list[str] = []
        self.custom_storage: set[tuple[str, str]] = set()
        self.deprecations: dict[tuple[str, str, str], Deprecation] = {
            (d.group, d.version, d.resource): d for d in cluster.deprecations
        }
        for sv in cluster.served:
            self._add_served(sv)
        for obj in cluster.objects:
            if obj.get("kind") == "CustomResourceDefinition":
                self._add_crd(obj)
        self.resource_version = 1000
        self._data: dict[tuple[str, str], list[StoredObject]] = {}
        self._keys: dict[tuple[str, str], list[str]] = {}
        self._cache: OrderedDict[tuple[Any, ...], tuple[list[StoredObject], list[str]]] = (
            OrderedDict()
        )
        for obj in cluster.objects:
            self._insert(obj)
        for key, objs in self._data.items():
            objs.sort(key=lambda o: o.key)
            self._keys[key] = [o.key for o in objs]
        self.check_duplicates()

    # ---------------------------------------------------------------- discovery

    def _add_served(self, sv: ServedVersion) -> None:
        entry = self.served.setdefault(sv.group_version, _Served(sv.group, sv.version))
        for rt in sv.resources:
            entry.resources[rt.name] = rt
        if sv.group not in self.group_order:
            self.group_order.append(sv.group)

    def _add_crd(self, crd: dict[str, Any]) -> None:
        spec = crd.get("spec", {})
        names = spec.get("names", {})
        group = spec.get("group", "")
        try:
            plural, kind = names["plural"], names["kind"]
        except KeyError as exc:
            raise FixtureError(f"CRD {crd.get('metadata', {}).get('name')}: no {exc}") from None
        versions = spec.get("versions") or [
            {"name": spec["version"], "served": True, "storage": True}
        ]
        for v in sorted(versions, key=lambda v: version_priority(v["name"])):
            if not v.get("served", True):
                continue
            subs = v.get("subresources") or spec.get("subresources") or {}
            rt = ResourceType(
                group=group,
                name=plural,
                singular=names.get("singular", kind.lower()),
                kind=kind,
                namespaced=spec.get("scope", "Namespaced") == "Namespaced",
                verbs=ALL_VERBS,
                short_names=tuple(names.get("shortNames", ())),
                categories=tuple(names.get("categories", ())),
                subresources=tuple(s for s in ("status", "scale") if s in subs),
                list_kind=names.get("listKind", ""),
            )
            sv = ServedVersion(group, v["name"], [rt])
            self._add_served(sv)
            columns = v.get("additionalPrinterColumns") or spec.get("additionalPrinterColumns")
            self.served[sv.group_version].printer_columns[plural] = list(columns or [])
            self.custom_storage.add((group, plural))
            if v.get("deprecated"):
                self.deprecations[(group, v["name"], plural)] = Deprecation(
                    group=group, version=v["name"], resource=plural, kind=kind,
                    message=v.get("deprecationWarning")
                    or f"{group}/{v['name']} {kind} is deprecated",
                )

    def group_versions(self, group: str) -> list[str]:
        """Versions served for ``group``, preferred first."""
        return [s.version for s in self.served.values() if s.group == group]

    def lookup(self, group: str, version: str, resource: str) -> ResourceType | None:
        """The resource served at group/version, if any."""
        gv = f"{group}/{version}" if group else version
        served = self.served.get(gv)
        return served.resources.get(resource) if served else None

    def printer_columns(
        self, group: str, version: str, resource: str
    ) -> list[dict[str, Any]] | None:
        """A custom resource's printer columns (None for built-in resources)."""
        if (group, resource) not in self.custom_storage:
            return None
        gv = f"{group}/{version}" if group else version
        return self.served[gv].printer_columns.get(resource, [])

    def api_versions(self) -> dict[str, Any]:
        """``/api``."""
        return {
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": "10.0.0.10:443"}
            ],
        }

    def _group_doc(self, group: str) -> dict[str, Any]:
        versions = [
            {"groupVersion": f"{group}/{v}", "version": v} for v in self.group_versions(group)
        ]
        return {"name": group, "versions": versions, "preferredVersion": versions[0]}

    def api_group_list(self) -> dict[str, Any]:
        """``/apis``."""
        return {
            "kind": "APIGroupList",
            "apiVersion": "v1",
            "groups": [self._group_doc(g) for g in self.group_order if g],
        }

    def api_group(self, group: str) -> dict[str, Any] | None:
        """``/apis/<group>``."""
        if not group or group not in self.group_order:
            return None
        return {"kind": "APIGroup", "apiVersion": "v1", **self._group_doc(group)}

    def api_resource_list(self, group: str, version: str) -> dict[str, Any] | None:
        """``/api/v1`` or ``/apis/<group>/<version>``."""
        gv = f"{group}/{version}" if group else version
        served = self.served.get(gv)
        if served is None:
            return None
        resources: list[dict[str, Any]] = []
        for rt in sorted(served.resources.values(), key=lambda r: r.name):
            entry: dict[str, Any] = {
                "name": rt.name,
                "singularName": rt.singular,
                "namespaced": rt.namespaced,
                "kind": rt.kind,
                "verbs": list(rt.verbs),
            }
            if rt.short_names:
                entry["shortNames"] = list(rt.short_names)
            if rt.categories:
                entry["categories"] = list(rt.categories)
            if "list" in rt.verbs and rt.storage_key[0] not in ("authorization.k8s.io",):
                entry["storageVersionHash"] = storage_version_hash(*rt.storage_key)
            resources.append(entry)
            for sub in sorted(rt.subresources):
                sgroup, sversion, skind, sverbs = SUBRESOURCES.get(sub, ("", "", "", ("get",)))
                if sub == "proxy":
                    skind = f"{rt.kind}ProxyOptions"
                sentry: dict[str, Any] = {
                    "name": f"{rt.name}/{sub}",
                    "singularName": "",
                    "namespaced": rt.namespaced,
                }
                if sgroup or sversion:
                    sentry["group"] = sgroup
                    sentry["version"] = sversion
                sentry["kind"] = skind or rt.kind
                sentry["verbs"] = list(sverbs)
                resources.append(sentry)
        return {
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": gv,
            "resources": resources,
        }

    # ------------------------------------------------------------------- storage

    def _resolve(self, api_version: str, kind: str) -> ResourceType:
        served = self.served.get(api_version)
        if served is None:
            raise FixtureError(
                f"{kind} is written as {api_version}, which the cluster does not serve"
            )
        for rt in served.resources.values():
            if rt.kind == kind:
                return rt
        raise FixtureError(f"{api_version} serves no kind {kind}")

    def _insert(self, obj: dict[str, Any]) -> StoredObject:
        api_version, kind = obj.get("apiVersion", ""), obj.get("kind", "")
        rt = self._resolve(api_version, kind)
        meta = dict(obj.get("metadata") or {})
        name = meta.get("name")
        if not name:
            raise FixtureError(f"{kind} without metadata.name")
        if rt.namespaced:
            meta.setdefault("namespace", "default")
        else:
            meta.pop("namespace", None)
        self.resource_version += 1
        meta.setdefault(
            "uid",
            str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.cluster.name}/{rt.storage_key}/"
                                               f"{meta.get('namespace', '')}/{name}")),
        )
        meta.setdefault("resourceVersion", str(self.resource_version))
        meta.setdefault("creationTimestamp", _DEFAULT_CREATED)
        stored = StoredObject({**obj, "metadata": meta}, meta.get("namespace", ""), name)
        bucket = self._data.setdefault(rt.storage_key, [])
        bucket.append(stored)
        return stored

    def add_object(self, obj: dict[str, Any]) -> None:
        """Store one more object (tests that change the cluster between requests)."""
        with self._lock:
            stored = self._insert(obj)
            rt = self._resolve(obj["apiVersion"], obj["kind"])
            objs = self._data[rt.storage_key]
            keys = [o.key for o in objs[:-1]]
            if stored.key in keys:
                objs.pop()
                raise FixtureError(f"{obj['kind']} {stored.key} exists already")
            objs.sort(key=lambda o: o.key)
            self._keys[rt.storage_key] = [o.key for o in objs]
            self._cache.clear()

    def add_stored(self, api_version: str, kind: str, objects: Iterable[StoredObject]) -> None:
        """Store many objects of one kind that the caller has built, as they are: no uid,
        resourceVersion or namespace is filled in. For benchmarks that serve more objects
        than fit in memory as dicts (a StoredObject subclass reads its body from a file)."""
        rt = self._resolve(api_version, kind)
        with self._lock:
            objs = self._data.setdefault(rt.storage_key, [])
            objs.extend(objects)
            objs.sort(key=lambda o: o.key)
            self._keys[rt.storage_key] = [o.key for o in objs]
            self._cache.clear()
        self.check_duplicates()

    def install_crd(self, crd: dict[str, Any]) -> None:
        """Install a CustomResourceDefinition: store it and serve its resource."""
        with self._lock:
            self._add_crd(crd)
        self.add_object(crd)

    def put(self, rt: ResourceType, obj: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Create or replace one object of `rt` (a write the server accepted): keeps its uid
        and creation time, bumps resourceVersion and generation. (The object as stored,
        whether it was created.)"""
        meta = obj["metadata"]
        namespace = meta.get("namespace", "") if rt.namespaced else ""
        with self._lock:
            old = self._find(rt, namespace, meta["name"])
            self.resource_version += 1
            kept = old.obj["metadata"] if old is not None else {}
            meta = {
                **meta,
                "uid": kept.get("uid") or str(uuid.uuid4()),
                "creationTimestamp": kept.get("creationTimestamp") or _DEFAULT_CREATED,
                "resourceVersion": str(self.resource_version),
                "generation": int(kept.get("generation", 0)) + 1,
            }
            stored = StoredObject({**obj, "metadata": meta}, namespace, meta["name"])
            bucket = self._data.setdefault(rt.storage_key, [])
            if old is not None:
                bucket.remove(old)
            bucket.append(stored)
            self._reindex(rt)
        return stored.obj, old is None

    def remove(self, rt: ResourceType, namespace: str, name: str) -> dict[str, Any] | None:
        """Delete one object of `rt`; the object deleted, or None when there was none."""
        with self._lock:
            old = self._find(rt, namespace if rt.namespaced else "", name)
            if old is None:
                return None
            self._data[rt.storage_key].remove(old)
            self.resource_version += 1
            self._reindex(rt)
        return old.obj

    def empty_namespace(self, namespace: str, *, keep_groups: tuple[str, ...] = ()) -> int:
        """Delete every object in `namespace` but those of `keep_groups` (the namespace
        itself stays); how many were deleted."""
        removed = 0
        with self._lock:
            for storage, objs in self._data.items():
                if storage[0] in keep_groups:
                    continue
                kept = [o for o in objs if o.namespace != namespace]
                removed += len(objs) - len(kept)
                objs[:] = kept
                self._keys[storage] = [o.key for o in kept]
            self._cache.clear()
            self.resource_version += 1
        return removed

    def _find(self, rt: ResourceType, namespace: str, name: str) -> StoredObject | None:
        key = f"{namespace}/{name}" if rt.namespaced else name
        return next((o for o in self._data.get(rt.storage_key, []) if o.key == key), None)

    def _reindex(self, rt: ResourceType) -> None:
        objs = self._data[rt.storage_key]
        objs.sort(key=lambda o: o.key)
        self._keys[rt.storage_key] = [o.key for o in objs]
        self._cache.clear()

    def check_duplicates(self) -> None:
        """Raise FixtureError when two fixture objects share a storage key."""
        for storage, keys in self._keys.items():
            for a, b in itertools.pairwise(keys):
                if a == b:
                    raise FixtureError(f"duplicate object {storage[1]} {a}")

    def count(self, rt: ResourceType) -> int:
        """How many objects the resource's storage holds."""
        return len(self._data.get(rt.storage_key, []))

    def get(self, rt: ResourceType, namespace: str, name: str) -> StoredObject | None:
        """One object by name."""
        keys = self._keys.get(rt.storage_key, [])
        key = f"{namespace}/{name}" if rt.namespaced else name
        i = bisect.bisect_left(keys, key)
        if i < len(keys) and keys[i] == key:
            return self._data[rt.storage_key][i]
        return None

    def _selection(
        self, rt: ResourceType, namespace: str, label_selector: str, field_selector: str
    ) -> tuple[list[StoredObject], list[str]]:
        storage = rt.storage_key
        objs = self._data.get(storage, [])
        keys = self._keys.get(storage, [])
        if not namespace and not label_selector and not field_selector:
            return objs, keys
        cache_key = (storage, namespace, label_selector, field_selector)
        with self._lock:
            hit = self._cache.get(cache_key)
            if hit is not None:
                self._cache.move_to_end(cache_key)
                return hit
        if namespace:
            lo = bisect.bisect_left(keys, namespace + "/")
            hi = bisect.bisect_left(keys, namespace + "0")  # "0" sorts right after "/"
            objs, keys = objs[lo:hi], keys[lo:hi]
        if label_selector or field_selector:
            lmatch = label_matcher(label_selector)
            fmatch = field_matcher(field_selector)
            picked = [o for o in objs if lmatch(o.labels) and fmatch(o.obj)]
            objs, keys = picked, [o.key for o in picked]
        with self._lock:
            self._cache[cache_key] = (objs, keys)
            while len(self._cache) > 64:
                self._cache.popitem(last=False)
        return objs, keys

    def list_page(
        self,
        rt: ResourceType,
        namespace: str = "",
        *,
        label_selector: str = "",
        field_selector: str = "",
        limit: int = 0,
        continue_token: str = "",
    ) -> ListPage:
        """One page of a list; raises BadContinue or query.SelectorError on bad input."""
        objs, keys = self._selection(rt, namespace, label_selector, field_selector)
        rv = self.resource_version
        start = 0
        if continue_token:
            rv, start_key = _decode_continue(continue_token)
            start = bisect.bisect_left(keys, start_key)
        if limit <= 0 or start + limit >= len(objs):
            return ListPage(objs[start:], str(rv))
        end = start + limit
        token = _encode_continue(rv, keys[end - 1] + "\x00")
        remaining = None if (label_selector or field_selector) else len(objs) - end
        return ListPage(objs[start:end], str(rv), token, remaining)

    def item_api_version(self, rt: ResourceType, group_version: str) -> str | None:
        """apiVersion written on list items: None for built-in types (as the real server)."""
        if self.list_item_typemeta or rt.storage_key in self.custom_storage:
            return group_version
        return None


def _encode_continue(rv: int, start: str) -> str:
    doc = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": start}, separators=(",", ":"))
    return base64.urlsafe_b64encode(doc.encode()).decode().rstrip("=")


def _decode_continue(token: str) -> tuple[int, str]:
    try:
        padded = token + "=" * (-len(token) % 4)
        doc = json.loads(base64.urlsafe_b64decode(padded))
        if doc.get("v") != "meta.k8s.io/v1":
            raise BadContinue("continue key is not valid: incorrect version")
        return int(doc["rv"]), str(doc["start"])
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        if isinstance(exc, BadContinue):
            raise
        raise BadContinue(f"continue key is not valid: {exc}") from None

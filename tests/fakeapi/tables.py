"""Server-side printing: the ``meta.k8s.io/v1`` Table a real API server returns to kubectl.

``kubectl get`` asks for ``application/json;as=Table;v=v1;g=meta.k8s.io``; the server
answers with column definitions and one row of cells per object. A client that gets a
plain list instead prints only NAME and AGE, so the common kinds get their real columns
here (nodes, pods, PDBs, deployments, namespaces, services, config maps, secrets, custom
resources' printer columns); anything else gets the generic Name / Created At.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

__all__ = ["human_duration", "to_table"]

Column = tuple[str, str, str, int, Callable[[dict[str, Any], dt.datetime], Any]]
"""(name, type, format, priority, cell function)."""


def human_duration(seconds: float) -> str:
    """Kubernetes' ``duration.HumanDuration`` (``5m``, ``3h10m``, ``2y45d``)."""
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    s = int(seconds)
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        rest = s % 60
        return f"{minutes}m{rest}s" if rest else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h{rest}m" if rest else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d{rest}h" if rest else f"{hours // 24}d"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        return f"{hours // 24 // 365}y{days}d" if days else f"{hours // 24 // 365}y"
    return f"{hours // 24 // 365}y"


def _ts(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _age(obj: dict[str, Any], now: dt.datetime) -> str:
    created = _ts(obj.get("metadata", {}).get("creationTimestamp"))
    return "<unknown>" if created is None else human_duration((now - created).total_seconds())


def _name(obj: dict[str, Any], _now: dt.datetime) -> str:
    return str(obj.get("metadata", {}).get("name", ""))


def _created_at(obj: dict[str, Any], _now: dt.datetime) -> str:
    return str(obj.get("metadata", {}).get("creationTimestamp", ""))


def _get(obj: Any, *path: str, default: Any = None) -> Any:
    for part in path:
        if not isinstance(obj, dict):
            return default
        obj = obj.get(part)
    return default if obj is None else obj


def _node_status(node: dict[str, Any], _now: dt.datetime) -> str:
    ready = "Unknown"
    for cond in _get(node, "status", "conditions", default=[]):
        if cond.get("type") == "Ready":
            ready = "Ready" if cond.get("status") == "True" else "NotReady"
    if _get(node, "spec", "unschedulable"):
        ready += ",SchedulingDisabled"
    return ready


def _node_roles(node: dict[str, Any], _now: dt.datetime) -> str:
    roles = set()
    for key, value in _get(node, "metadata", "labels", default={}).items():
        if key.startswith("node-role.kubernetes.io/"):
            roles.add(key.split("/", 1)[1])
        elif key == "kubernetes.io/role" and value:
            roles.add(value)
    return ",".join(sorted(r for r in roles if r)) or "<none>"


def _node_address(kind: str) -> Callable[[dict[str, Any], dt.datetime], str]:
    def cell(node: dict[str, Any], _now: dt.datetime) -> str:
        for addr in _get(node, "status", "addresses", default=[]):
            if addr.get("type") == kind:
                return str(addr.get("address", ""))
        return "<none>"

    return cell


def _path(*path: str, default: str = "<none>") -> Callable[[dict[str, Any], dt.datetime], Any]:
    def cell(obj: dict[str, Any], _now: dt.datetime) -> Any:
        value = _get(obj, *path)
        return default if value is None or value == "" else value

    return cell


def _pod_ready(pod: dict[str, Any], _now: dt.datetime) -> str:
    containers = _get(pod, "spec", "containers", default=[])
    statuses = _get(pod, "status", "containerStatuses", default=[])
    return f"{sum(1 for s in statuses if s.get('ready'))}/{len(containers)}"


def _pod_status(pod: dict[str, Any], _now: dt.datetime) -> str:
    for s in _get(pod, "status", "containerStatuses", default=[]):
        waiting = _get(s, "state", "waiting", "reason")
        if waiting:
            return str(waiting)
    return str(_get(pod, "status", "reason") or _get(pod, "status", "phase") or "Unknown")


def _pod_restarts(pod: dict[str, Any], _now: dt.datetime) -> int:
    return sum(int(s.get("restartCount", 0)) for s in
               _get(pod, "status", "containerStatuses", default=[]))


def _int_or_str(*path: str) -> Callable[[dict[str, Any], dt.datetime], str]:
    def cell(obj: dict[str, Any], _now: dt.datetime) -> str:
        value = _get(obj, *path)
        return "N/A" if value is None else str(value)

    return cell


def _deploy_ready(d: dict[str, Any], _now: dt.datetime) -> str:
    ready = _get(d, "status", "readyReplicas", default=0)
    return f"{ready}/{_get(d, 'spec', 'replicas', default=1)}"


def _containers(obj: dict[str, Any], _now: dt.datetime) -> str:
    return ",".join(c.get("name", "") for c in
                    _get(obj, "spec", "template", "spec", "containers", default=[]))


def _images(obj: dict[str, Any], _now: dt.datetime) -> str:
    return ",".join(c.get("image", "") for c in
                    _get(obj, "spec", "template", "spec", "containers", default=[]))


def _selector(obj: dict[str, Any], _now: dt.datetime) -> str:
    sel = _get(obj, "spec", "selector", default={})
    labels = sel.get("matchLabels", sel) if isinstance(sel, dict) else {}
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()) if isinstance(v, str)) or "<none>"


def _svc_ports(svc: dict[str, Any], _now: dt.datetime) -> str:
    out = []
    for p in _get(svc, "spec", "ports", default=[]):
        text = f"{p.get('port')}"
        if p.get("nodePort"):
            text += f":{p['nodePort']}"
        out.append(f"{text}/{p.get('protocol', 'TCP')}")
    return ",".join(out) or "<none>"


def _svc_external(svc: dict[str, Any], _now: dt.datetime) -> str:
    ingress = _get(svc, "status", "loadBalancer", "ingress", default=[])
    names = [i.get("hostname") or i.get("ip") for i in ingress]
    if names:
        return ",".join(n for n in names if n)
    if _get(svc, "spec", "type") == "LoadBalancer":
        return "<pending>"
    return "<none>"


def _count(*path: str) -> Callable[[dict[str, Any], dt.datetime], int]:
    def cell(obj: dict[str, Any], _now: dt.datetime) -> int:
        value = _get(obj, *path, default={})
        extra = _get(obj, "binaryData", default={}) if path == ("data",) else {}
        return len(value) + len(extra)

    return cell


def _node_selector(obj: dict[str, Any], _now: dt.datetime) -> str:
    sel = _get(obj, "spec", "template", "spec", "nodeSelector", default={})
    return ",".join(f"{k}={v}" for k, v in sorted(sel.items())) or "<none>"


def _since(*path: str) -> Callable[[dict[str, Any], dt.datetime], str]:
    def cell(obj: dict[str, Any], now: dt.datetime) -> str:
        ts = _ts(_get(obj, *path))
        return "<none>" if ts is None else human_duration((now - ts).total_seconds())

    return cell


def _ingress_class(ing: dict[str, Any], _now: dt.datetime) -> str:
    return str(_get(ing, "spec", "ingressClassName")
               or _get(ing, "metadata", "annotations", "kubernetes.io/ingress.class")
               or "<none>")


def _ingress_hosts(ing: dict[str, Any], _now: dt.datetime) -> str:
    hosts = [r.get("host", "*") for r in _get(ing, "spec", "rules", default=[])]
    return ",".join(hosts) or "*"


def _ingress_address(ing: dict[str, Any], _now: dt.datetime) -> str:
    lb = _get(ing, "status", "loadBalancer", "ingress", default=[])
    return ",".join(i.get("hostname") or i.get("ip") or "" for i in lb)


def _pdb_allowed(pdb: dict[str, Any], _now: dt.datetime) -> int:
    return int(_get(pdb, "status", "disruptionsAllowed", default=0))


_NAME: Column = ("Name", "string", "name", 0, _name)
_AGE: Column = ("Age", "string", "", 0, _age)

_COLUMNS: dict[str, list[Column]] = {
    "Node": [
        _NAME, ("Status", "string", "", 0, _node_status), ("Roles", "string", "", 0, _node_roles),
        _AGE, ("Version", "string", "", 0, _path("status", "nodeInfo", "kubeletVersion")),
        ("Internal-IP", "string", "", 1, _node_address("InternalIP")),
        ("External-IP", "string", "", 1, _node_address("ExternalIP")),
        ("OS-Image", "string", "", 1, _path("status", "nodeInfo", "osImage")),
        ("Kernel-Version", "string", "", 1, _path("status", "nodeInfo", "kernelVersion")),
        ("Container-Runtime", "string", "", 1,
         _path("status", "nodeInfo", "containerRuntimeVersion")),
    ],
    "Pod": [
        _NAME, ("Ready", "string", "", 0, _pod_ready), ("Status", "string", "", 0, _pod_status),
        ("Restarts", "string", "", 0, _pod_restarts), _AGE,
        ("IP", "string", "", 1, _path("status", "podIP")),
        ("Node", "string", "", 1, _path("spec", "nodeName")),
        ("Nominated Node", "string", "", 1, _path("status", "nominatedNodeName")),
        ("Readiness Gates", "string", "", 1, lambda o, n: "<none>"),
    ],
    "PodDisruptionBudget": [
        _NAME, ("Min Available", "string", "", 0, _int_or_str("spec", "minAvailable")),
        ("Max Unavailable", "string", "", 0, _int_or_str("spec", "maxUnavailable")),
        ("Allowed Disruptions", "integer", "", 0, _pdb_allowed), _AGE,
    ],
    "Deployment": [
        _NAME, ("Ready", "string", "", 0, _deploy_ready),
        ("Up-to-date", "integer", "", 0, _path("status", "updatedReplicas", default="0")),
        ("Available", "integer", "", 0, _path("status", "availableReplicas", default="0")),
        _AGE, ("Containers", "string", "", 1, _containers),
        ("Images", "string", "", 1, _images), ("Selector", "string", "", 1, _selector),
    ],
    "DaemonSet": [
        _NAME,
        ("Desired", "integer", "", 0, _path("status", "desiredNumberScheduled", default="0")),
        ("Current", "integer", "", 0, _path("status", "currentNumberScheduled", default="0")),
        ("Ready", "integer", "", 0, _path("status", "numberReady", default="0")),
        ("Up-to-date", "integer", "", 0, _path("status", "updatedNumberScheduled", default="0")),
        ("Available", "integer", "", 0, _path("status", "numberAvailable", default="0")),
        ("Node Selector", "string", "", 0, _node_selector), _AGE,
        ("Containers", "string", "", 1, _containers), ("Images", "string", "", 1, _images),
        ("Selector", "string", "", 1, _selector),
    ],
    "ReplicaSet": [
        _NAME, ("Desired", "integer", "", 0, _path("spec", "replicas", default="1")),
        ("Current", "integer", "", 0, _path("status", "replicas", default="0")),
        ("Ready", "integer", "", 0, _path("status", "readyReplicas", default="0")), _AGE,
        ("Containers", "string", "", 1, _containers), ("Images", "string", "", 1, _images),
        ("Selector", "string", "", 1, _selector),
    ],
    "StatefulSet": [
        _NAME, ("Ready", "string", "", 0, _deploy_ready), _AGE,
        ("Containers", "string", "", 1, _containers), ("Images", "string", "", 1, _images),
    ],
    "CronJob": [
        _NAME, ("Schedule", "string", "", 0, _path("spec", "schedule")),
        ("Suspend", "boolean", "", 0, lambda o, n: bool(_get(o, "spec", "suspend"))),
        ("Active", "integer", "", 0, lambda o, n: len(_get(o, "status", "active", default=[]))),
        ("Last Schedule", "string", "", 0, _since("status", "lastScheduleTime")), _AGE,
    ],
    "Ingress": [
        _NAME, ("Class", "string", "", 0, _ingress_class),
        ("Hosts", "string", "", 0, _ingress_hosts), ("Address", "string", "", 0, _ingress_address),
        ("Ports", "string", "", 0, lambda o, n: "80, 443" if _get(o, "spec", "tls") else "80"),
        _AGE,
    ],
    "Namespace": [_NAME, ("Status", "string", "", 0, _path("status", "phase")), _AGE],
    "Service": [
        _NAME, ("Type", "string", "", 0, _path("spec", "type", default="ClusterIP")),
        ("Cluster-IP", "string", "", 0, _path("spec", "clusterIP")),
        ("External-IP", "string", "", 0, _svc_external),
        ("Port(s)", "string", "", 0, _svc_ports), _AGE,
        ("Selector", "string", "", 1, lambda o, n: ",".join(
            f"{k}={v}" for k, v in sorted(_get(o, "spec", "selector", default={}).items()))
            or "<none>"),
    ],
    "ConfigMap": [_NAME, ("Data", "string", "", 0, _count("data")), _AGE],
    "Secret": [
        _NAME, ("Type", "string", "", 0, _path("type", default="Opaque")),
        ("Data", "string", "", 0, _count("data")), _AGE,
    ],
}

_DEFAULT: list[Column] = [_NAME, ("Created At", "date", "", 0, _created_at)]


def _jsonpath(expr: str) -> Callable[[dict[str, Any], dt.datetime], Any]:
    # Printer columns use simple JSONPath like .spec.replicas or .status.conditions[0].type
    parts = [p for p in re.split(r"\.(?![^\[]*\])", expr.strip().lstrip(".")) if p]

    def cell(obj: dict[str, Any], _now: dt.datetime) -> Any:
        cur: Any = obj
        for part in parts:
            m = re.match(r"^([^\[]*)(?:\[(\d+)\])?$", part)
            if not m or not isinstance(cur, dict):
                return None
            cur = cur.get(m.group(1))
            if m.group(2) is not None:
                idx = int(m.group(2))
                cur = cur[idx] if isinstance(cur, list) and len(cur) > idx else None
        return cur

    return cell


def crd_columns(printer_columns: list[dict[str, Any]]) -> list[Column]:
    """Columns for a custom resource from its ``additionalPrinterColumns``."""
    cols: list[Column] = [_NAME]
    for pc in printer_columns:
        path = pc.get("jsonPath") or pc.get("JSONPath") or ""
        ctype = pc.get("type", "string")
        cell = _jsonpath(path)
        if ctype == "date":
            def age_cell(o: dict[str, Any], now: dt.datetime, c: Any = cell) -> str:
                ts = _ts(c(o, now))
                return "<unknown>" if ts is None else human_duration((now - ts).total_seconds())
            cols.append((pc["name"], "date", "", int(pc.get("priority", 0)), age_cell))
        else:
            cols.append((pc["name"], ctype, "", int(pc.get("priority", 0)), cell))
    if not printer_columns:
        cols.append(_AGE)
    return cols


def to_table(
    kind: str,
    objects: list[dict[str, Any]],
    *,
    list_meta: dict[str, Any],
    include_object: str = "Metadata",
    group_version: str = "",
    printer_columns: list[dict[str, Any]] | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """A ``meta.k8s.io/v1`` Table of ``objects``."""
    now = now or dt.datetime.now(dt.UTC)
    if printer_columns is not None:
        columns = crd_columns(printer_columns)
    else:
        columns = _COLUMNS.get(kind, _DEFAULT)
    rows = []
    for obj in objects:
        row: dict[str, Any] = {"cells": [c[4](obj, now) for c in columns]}
        if include_object == "Object":
            row["object"] = {"apiVersion": group_version, "kind": kind,
                             **{k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}}
        elif include_object != "None":
            row["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                             "metadata": obj.get("metadata", {})}
        rows.append(row)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": list_meta,
        "columnDefinitions": [
            {"name": name, "type": ctype, "format": fmt, "description": name, "priority": prio}
            for name, ctype, fmt, prio, _ in columns
        ],
        "rows": rows,
    }

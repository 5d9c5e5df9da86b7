"""Trim an object to what the checks, the plan and `compare` read, so that a snapshot never
carries Secret data and its size grows with what is judged, not with the objects.

What is kept is listed per kind (an allow-list, `docs/snapshot-format.md` says why each field
is there), never what is dropped: an unknown field of an unknown kind cannot leak, or fill
memory, by being forgotten here. The fields the knowledge base's detectors read of pods and
pod templates come from the detectors' own declaration (`TEMPLATE_READS`), so a new
detector type cannot read a field that was never collected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from typing import Any, TypeAlias

from upgradecheck.knowledge.model import TEMPLATE_READS
from upgradecheck.model import ObservedObject, Snapshot
from upgradecheck.workloads import TEMPLATE_PATHS, Workloads

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
"""The `kubectl apply` annotation: a full copy of the object, Secret data included."""

Keep: TypeAlias = "bool | Mapping[str, Keep] | Callable[[Any], Any]"
"""What to keep of a value: True keeps it whole; a mapping keeps those keys of a mapping, each
as its own Keep says (the key `*` stands for every key not named), and applies to each item
of a list; a function returns what to keep (DROP: not even the key). A value of another
type than the Keep expects (a string where a mapping should be) is kept as it is: the checks
read it as absent, and the reduced body must read the same as the full one."""

WHOLE = True
DROP = object()
"""What a Keep function returns for a value that is not kept at all."""
PRESENT: Mapping[str, Keep] = {}
"""Kept as a key whose mapping content is dropped: only its presence is read."""


def _annotations(value: Any) -> Any:
    if type(value) is dict or isinstance(value, Mapping):
        return {k: v for k, v in value.items() if k != LAST_APPLIED}
    return DROP  # an annotations field that is not a map is dropped, as it always was


_OWNER_REFERENCE: Keep = {"apiVersion": WHOLE, "kind": WHOLE, "name": WHOLE, "controller": WHOLE}
_METADATA: Mapping[str, Keep] = {
    "name": WHOLE,
    "namespace": WHOLE,
    "uid": WHOLE,  # compare: is it the same cluster
    "labels": WHOLE,  # selectors, exceptions, components
    "annotations": _annotations,  # detectors by prefix, mirror pods
    "ownerReferences": _OWNER_REFERENCE,  # the controller of pods, ReplicaSets and Jobs
}
_SECRET_METADATA: Mapping[str, Keep] = {"name": WHOLE, "namespace": WHOLE, "labels": WHOLE}

_CONTAINER: Mapping[str, Keep] = {
    "name": WHOLE,
    "image": WHOLE,  # image-latest, skew of control-plane components and kube-proxy, add-ons
    "ports": WHOLE,  # no-readiness-probe: serving containers only
    "readinessProbe": WHOLE,
    "resources": {"requests": WHOLE},  # no-resource-requests
}
_VOLUME: Mapping[str, Keep] = {
    "name": WHOLE,
    "emptyDir": WHOLE,  # emptydir-data shows its settings
}
_POD_TEMPLATE_BASE: Mapping[str, Keep] = {
    "metadata": {"labels": WHOLE, "annotations": _annotations},
    "spec": {"containers": _CONTAINER, "initContainers": _CONTAINER, "volumes": _VOLUME},
}


def _merged(keep: Keep, path: Sequence[str]) -> Keep:
    """`keep` with the field at `path` (`*`: every key, by presence) kept too."""
    if not isinstance(keep, Mapping) or not path:
        return keep
    head, rest = path[0], path[1:]
    out = dict(keep)
    if head == "*":
        out["*"] = _merged(out.get("*", PRESENT), rest) if rest else out.get("*", PRESENT)
    else:
        out[head] = _merged(out.get(head, {}), rest) if rest else out.get(head, WHOLE)
    return out


def template_keep(reads: Iterable[Sequence[str]]) -> Keep:
    """What is kept of a pod template (and of a pod's metadata and spec): what the checks
    read, and the paths `reads` names (those the knowledge base's detectors read)."""
    keep: Keep = _POD_TEMPLATE_BASE
    for path in reads:
        keep = _merged(keep, path)
    return keep


POD_TEMPLATE = template_keep(path for paths in TEMPLATE_READS.values() for path in paths)
"""A pod template: its labels and annotations; each container's name, image, ports,
readinessProbe, resources.requests, and what the detectors read (command and args); each
volume's name, emptyDir and every volume source by presence (pod-volume detectors)."""

_CONDITIONS: Keep = {"type": WHOLE, "status": WHOLE, "reason": WHOLE, "message": WHOLE}
_CONTAINER_STATUS: Keep = {
    "name": WHOLE,
    "restartCount": WHOLE,
    "state": {
        "waiting": {"reason": WHOLE},
        "terminated": {"reason": WHOLE, "finishedAt": WHOLE},
    },
    "lastState": {"terminated": {"reason": WHOLE, "finishedAt": WHOLE}},
}


def _with_template(*path: str) -> Keep:
    """`spec.replicas` and the pod template at `path` (under spec)."""
    keep: dict[str, Keep] = {"replicas": WHOLE}
    inner: Keep = POD_TEMPLATE
    for key in reversed(path):
        inner = {key: inner}
    assert isinstance(inner, Mapping)
    keep.update(inner)
    return keep


_REPLICAS_STATUS: Keep = {"readyReplicas": WHOLE}
_BODIES: Mapping[str, Mapping[str, Keep]] = {
    "Pod": {
        "spec": POD_TEMPLATE["spec"] if isinstance(POD_TEMPLATE, Mapping) else WHOLE,
        "status": {
            "phase": WHOLE,  # unmanaged pods that still run; compare
            "containerStatuses": _CONTAINER_STATUS,
            "initContainerStatuses": _CONTAINER_STATUS,
        },
    },
    "Deployment": {"spec": _with_template("template"), "status": _REPLICAS_STATUS},
    "StatefulSet": {"spec": _with_template("template"), "status": _REPLICAS_STATUS},
    "ReplicaSet": {"spec": _with_template("template"), "status": _REPLICAS_STATUS},
    "DaemonSet": {
        "spec": _with_template("template"),
        "status": {"desiredNumberScheduled": WHOLE, "numberReady": WHOLE},
    },
    "Job": {
        "spec": _with_template("template"),
        "status": {
            "active": WHOLE,
            "failed": WHOLE,
            "succeeded": WHOLE,
            "conditions": {"type": WHOLE, "status": WHOLE, "reason": WHOLE},
        },
    },
    "CronJob": {"spec": {"jobTemplate": {"spec": _with_template("template")}}},
    "PodDisruptionBudget": {
        "spec": {"selector": WHOLE, "minAvailable": WHOLE, "maxUnavailable": WHOLE},
        "status": {"expectedPods": WHOLE, "disruptionsAllowed": WHOLE},
    },
    "PersistentVolumeClaim": {"spec": {"storageClassName": WHOLE}, "status": {"phase": WHOLE}},
    "PersistentVolume": {"spec": {"*": PRESENT}},  # persistent-volume detectors: by presence
    "StorageClass": {"provisioner": WHOLE},
    "CustomResourceDefinition": {
        "spec": {
            "group": WHOLE,
            "versions": {"name": WHOLE, "served": WHOLE, "deprecated": WHOLE, "storage": WHOLE},
        },
        "status": {"storedVersions": WHOLE},
    },
    "APIService": {
        "spec": {"caBundle": WHOLE, "service": WHOLE},
        "status": {"conditions": _CONDITIONS},
    },
    "ValidatingWebhookConfiguration": {"webhooks": WHOLE},
    "MutatingWebhookConfiguration": {"webhooks": WHOLE},
    # Whether a webhook's service has ready endpoints: addresses are counted, not read.
    "EndpointSlice": {
        "addressType": WHOLE,
        "endpoints": {"addresses": WHOLE, "conditions": {"ready": WHOLE}},
    },
    "Endpoints": {"subsets": {"addresses": PRESENT}},
    # The collector keeps a kubernetes.io/tls Secret's notAfter date, never the certificate.
    "Secret": {"metadata": _SECRET_METADATA, "type": WHOLE, "tls": {"notAfter": WHOLE}},
    # Only the data the configmap-value detectors read: the writer keeps no other key.
    "ConfigMap": {"data": WHOLE},
}

def compile_keep(keep: Keep) -> Callable[[Any], Any]:
    """A function that keeps what `keep` says of a value (new mappings and lists, with the
    allow-list's own key strings: what they keep no longer holds on to the parsed page)."""
    if keep is True:
        return _same
    if callable(keep):
        return keep
    assert isinstance(keep, Mapping)
    # A field kept whole is copied without a call (most of a body's fields are leaves).
    fields = tuple(
        (key, None if sub is True else compile_keep(sub))
        for key, sub in keep.items()
        if key != "*"
    )
    named = frozenset(key for key, _ in fields)
    other = compile_keep(keep["*"]) if "*" in keep else None

    def prune(value: Any) -> Any:
        if type(value) is dict or isinstance(value, Mapping):
            out = {}
            for key, inner in fields:
                if key in value:
                    if inner is None:
                        out[key] = value[key]
                        continue
                    kept = inner(value[key])
                    if kept is not DROP:
                        out[key] = kept
            if other is not None:
                for key, item in value.items():
                    if key not in named:
                        out[key] = other(item)
            return out
        if type(value) is list:
            return [prune(item) for item in value]
        return value

    return prune


def _same(value: Any) -> Any:
    return value


def body_keep(kind: str) -> dict[str, Keep]:
    """What a body of `kind` keeps."""
    keep: dict[str, Keep] = {"apiVersion": WHOLE, "kind": WHOLE, "metadata": _METADATA}
    keep.update(_BODIES.get(kind, {}))
    return keep


_PRUNERS: dict[str, Callable[[Any], Any]] = {
    kind: compile_keep(body_keep(kind)) for kind in _BODIES
}
_OTHER = compile_keep(body_keep(""))


def reduce_body(body: Mapping[str, Any], kind: str) -> dict[str, Any]:
    """`body` (of an object of `kind`) kept to the allow-list: what a snapshot holds. A body
    already reduced comes back equal."""
    kept: dict[str, Any] = _PRUNERS.get(kind, _OTHER)(body)
    return kept


def _spelled(keep: Keep) -> Any:
    """`keep` as plain JSON data: a function by its qualified name (their code is not read:
    a function that changes what it keeps must change its name, or `_REVISION_SALT`)."""
    if keep is True:
        return True
    if callable(keep):
        return f"{keep.__module__}.{keep.__qualname__}"
    assert isinstance(keep, Mapping)
    return {key: _spelled(sub) for key, sub in sorted(keep.items())}


# Raised by hand when a Keep function changes what it keeps under the same name.
_REVISION_SALT = "1"


@cache
def allow_list_revision() -> str:
    """The revision of the allow-list `reduce_body` applies (a digest of what it keeps of
    every kind, the detectors' template reads included): a snapshot whose bodies were kept
    to it says so (`body_allow_list`), and a reader of the same revision need not reduce
    them again. Worked out when a snapshot is read or written, not when this module is
    imported: `scan` keeps bodies to the allow-list too, and starts on every commit."""
    import hashlib
    import json

    spelled = {
        "salt": _REVISION_SALT,
        "last_applied": LAST_APPLIED,
        "other": _spelled(body_keep("")),
        "kinds": {kind: _spelled(body_keep(kind)) for kind in sorted(_BODIES)},
    }
    text = json.dumps(spelled, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# ConfigMaps whose data the configmap-value detectors read, and the keys: every other key,
# and every other ConfigMap, keeps nothing of its data. The collector derives this from its
# knowledge base (`configmap_keys`); this is the bundled knowledge base's.
_CONFIGMAPS_WITH_DATA: Mapping[tuple[str, str], frozenset[str]] = {
    ("kube-system", "kube-proxy"): frozenset({"config.conf"}),  # kubeadm
    ("kube-system", "kube-proxy-config"): frozenset({"config"}),  # EKS
}

ConfigMapKeys = Mapping[tuple[str, str], frozenset[str]]
"""(namespace, name) of a ConfigMap → the keys of its data that are kept."""


def configmap_keys(detectors: Iterable[tuple[str, Mapping[str, Any]]]) -> ConfigMapKeys:
    """The ConfigMap data the `configmap-value` detectors among `detectors` (type, params)
    read."""
    keys: dict[tuple[str, str], set[str]] = {}
    for kind, params in detectors:
        if kind == "configmap-value":
            where = (str(params.get("namespace")), str(params.get("name")))
            keys.setdefault(where, set()).add(str(params.get("key")))
    return {where: frozenset(names) for where, names in keys.items()}


def trim_object(
    obj: Mapping[str, Any],
    api_version: str | None = None,
    kind: str | None = None,
    configmaps: ConfigMapKeys | None = None,
) -> dict[str, Any]:
    """The object's apiVersion, kind and what the allow-list keeps of it for its kind.

    `api_version` and `kind` stand in for the object's own (list items carry none).
    A Secret keeps only its name, namespace, labels and `type`; a ConfigMap only the data
    the configmap-value detectors read (`configmaps`, by default the bundled knowledge
    base's). `managedFields` and the last-applied annotation are never kept.
    """
    kind = kind or obj.get("kind")
    head = {"apiVersion": api_version or obj.get("apiVersion"), "kind": kind}
    body = {key: value for key, value in head.items() if value is not None}
    name = kind if isinstance(kind, str) else ""
    if name == "ConfigMap":
        rest = {k: v for k, v in obj.items() if k != "data"}
        rest.update(kept_configmap_data(obj, configmaps))
        obj = rest
    kept = reduce_body(obj, name)
    kept.pop("apiVersion", None)
    kept.pop("kind", None)
    if name == "Secret":
        kept.pop("tls", None)  # the collector adds it from the certificate, never the input
    if not isinstance(obj.get("metadata"), Mapping):
        kept.pop("metadata", None)  # read as absent either way; never kept, as before
    body.update(kept)
    return body


def kept_configmap_data(obj: Mapping[str, Any], configmaps: ConfigMapKeys | None) -> dict[str, Any]:
    """`{"data": ...}` with what a ConfigMap keeps of its data (`configmaps`, by default the
    bundled knowledge base's), or `{}`."""
    readable = configmaps or _CONFIGMAPS_WITH_DATA
    data = obj.get("data")
    metadata = obj.get("metadata")
    meta = metadata if isinstance(metadata, Mapping) else {}
    wanted = readable.get((str(meta.get("namespace")), str(meta.get("name"))))
    if not wanted or not isinstance(data, Mapping):
        return {}
    kept = {k: v for k, v in data.items() if k in wanted}
    return {"data": kept} if kept else {}


# ---- what a whole snapshot does not need ---------------------------------------------------


def unread_templates_dropped(snapshot: Snapshot) -> Snapshot:
    """`snapshot` with its objects `without_unread_templates`; the same snapshot (its index
    by kind kept, which the checks read next) when no object holds a spec or template, as
    in any snapshot the collector wrote: told from the objects of the kinds that can."""
    if not any(_holds_template(o) for kind in _COVERABLE for o in snapshot.of_kind(kind)):
        return snapshot
    objects = without_unread_templates(snapshot.objects)
    return snapshot if objects is snapshot.objects else snapshot.with_bodies(objects)


def without_unread_templates(objects: Sequence[ObservedObject]) -> tuple[ObservedObject, ...]:
    """`objects`, less the pod specs and templates no check reads: a pod's spec when a
    collected controller above it carries its template (the checks judge the template, once
    per workload), a ReplicaSet's or Job's template when its Deployment or CronJob was
    collected. Their metadata and status stay. Only the objects that still hold a spec or
    template are looked at (a snapshot the collector wrote has few). A tuple with nothing
    to drop is returned as it is."""
    coverable = _COVERABLE  # the kind first: most objects are of no other kind
    holding = [
        i for i, obj in enumerate(objects) if obj.ref.kind in coverable and _holds_template(obj)
    ]
    if not holding:
        return tuple(objects)
    workloads = Workloads(Snapshot(source="cluster", collected_at="", objects=tuple(objects)))
    out = list(objects)
    changed = False
    for i in holding:
        obj = objects[i]
        if workloads.covered(obj):
            # Built directly: dataclasses.replace costs nearly three times as much, per pod.
            out[i] = ObservedObject(obj.ref, obj.evidence, _less_template(obj.body, obj.ref.kind))
            changed = True
    return tuple(out) if changed else tuple(objects)


def _holds_template(obj: ObservedObject) -> bool:
    """Whether a pod has its spec, or a ReplicaSet or Job its pod template (`obj` is of one
    of those kinds)."""
    kind = obj.ref.kind
    if kind == "Pod":
        return "spec" in obj.body
    spec = obj.body.get("spec")
    return isinstance(spec, Mapping) and TEMPLATE_PATHS[kind][-1] in spec


_COVERABLE = frozenset({"Pod", "ReplicaSet", "Job"})


def _less_template(body: Mapping[str, Any], kind: str) -> dict[str, Any]:
    if kind == "Pod":
        return {k: v for k, v in body.items() if k != "spec"}
    spec = body.get("spec")
    where = TEMPLATE_PATHS[kind][-1]
    if not isinstance(spec, Mapping) or where not in spec:
        return dict(body)
    return {**body, "spec": {k: v for k, v in spec.items() if k != where}}

"""Pods and their controllers as the checks see them: where each kind keeps its pod template,
which controller a pod belongs to (Pod → ReplicaSet → Deployment, Job → CronJob), label
selectors, and one pod spec per workload so that 20,000 pods make one finding per
controller, not 20,000. Everything here is linear in the number of objects."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from operator import attrgetter
from typing import Any

import msgspec

from upgradecheck.model import ControllerKey, ObjectRef, ObservedObject, PodRun, Snapshot
from upgradecheck.shapes import as_map, as_maps, as_str, as_strs, dig

# Where each controller kind keeps its pod template.
TEMPLATE_PATHS: Mapping[str, tuple[str, ...]] = {
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}
MIRROR_ANNOTATION = "kubernetes.io/config.mirror"
"""The annotation of a mirror pod: the API server's copy of a kubelet's static pod."""
POD_TEMPLATE_HASH = "pod-template-hash"


def metadata(obj: ObservedObject) -> Mapping[str, Any]:
    """The object's metadata."""
    meta = obj.body.get("metadata")
    # Read hundreds of thousands of times per assessment: the plain dict JSON gives first.
    return meta if type(meta) is dict else as_map(meta)


def labels_of(meta: Mapping[str, Any]) -> Mapping[str, str]:
    """The labels of a metadata block."""
    return {str(k): str(v) for k, v in as_map(meta.get("labels")).items()}


def annotations_of(meta: Mapping[str, Any]) -> Mapping[str, str]:
    """The annotations of a metadata block."""
    return {str(k): str(v) for k, v in as_map(meta.get("annotations")).items()}


def statuses(pod: ObservedObject) -> list[Mapping[str, Any]]:
    """The container statuses of a pod, init containers included."""
    status = as_map(pod.body.get("status"))
    return as_maps(status.get("initContainerStatuses")) + as_maps(status.get("containerStatuses"))


MANY_RESTARTS = 10
"""Restarts from which a container counts as restarting often (the health baseline)."""


def uneventful(status: Mapping[str, Any]) -> bool:
    """Whether a container status shows nothing the health baseline looks for (a crash loop,
    an OOM kill): fewer than MANY_RESTARTS restarts (or none said), a state neither waiting
    nor terminated, a last state not terminated. Most containers of a large cluster are so,
    and are told in a few look-ups; any other shape is left to the health checks' tests."""
    restarts = status.get("restartCount")
    if not (restarts is None or (type(restarts) is int and restarts < MANY_RESTARTS)):
        return False
    state, last = status.get("state"), status.get("lastState")
    if state and not (type(state) is dict and "waiting" not in state and "terminated" not in state):
        return False
    return not last or (type(last) is dict and "terminated" not in last)


def quiet(body: Mapping[str, Any]) -> bool:
    """Whether a pod's body shows nothing the health baseline looks for, told in a few
    look-ups: a status of the common shape (no init container statuses) whose container
    statuses (if a list) are each `uneventful` or not a mapping. Any other pod is looked
    at whole."""
    status = body.get("status")
    if type(status) is not dict or status.get("initContainerStatuses") is not None:
        return False
    found = status.get("containerStatuses")
    if type(found) is list:
        for one in found:
            if type(one) is dict:
                if not uneventful(one):
                    return False
            elif isinstance(one, Mapping):
                return False
    return True


def is_mirror_pod(obj: ObservedObject) -> bool:
    """Whether a pod is the mirror of a static pod (kubelet-managed, never drained)."""
    return _is_mirror(metadata(obj))


def _is_mirror(meta: Mapping[str, Any]) -> bool:
    return MIRROR_ANNOTATION in as_map(meta.get("annotations"))


def containers(spec: Mapping[str, Any], init: bool = False) -> list[Mapping[str, Any]]:
    """The containers of a pod spec, init containers first when `init` is set."""
    found = as_maps(spec.get("initContainers")) if init else []
    return found + as_maps(spec.get("containers"))


def _requirement(expr: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    key, operator = as_str(expr.get("key")) or "", expr.get("operator")
    values = set(as_strs(expr.get("values")))
    if operator == "In":
        return key in labels and labels[key] in values
    if operator == "NotIn":
        return key not in labels or labels[key] not in values
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    return False  # an operator this code does not know selects nothing, as the server would


def selector_matches(selector: Any, labels: Mapping[str, str]) -> bool:
    """Whether a label selector selects `labels`. A missing selector selects nothing; an
    empty one selects everything."""
    if not isinstance(selector, Mapping):
        return False
    for key, value in as_map(selector.get("matchLabels")).items():
        if labels.get(str(key)) != str(value):
            return False
    return all(_requirement(e, labels) for e in as_maps(selector.get("matchExpressions")))


class PodSpec(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One pod spec to judge: a controller's template, or a pod no collected controller covers
    (one per owner: the pods of one controller share their spec). A msgspec Struct, made in
    C: a large cluster has tens of thousands (a frozen dataclass sets each field through
    `object.__setattr__`)."""

    workload: ObjectRef
    """The object findings name: the controller, or the pod itself when it has none."""
    metadata: Mapping[str, Any]
    """The pod (template) metadata."""
    spec: Mapping[str, Any]
    """The pod spec."""
    template: str
    """Where the pod template lives in the object it was read from (`spec.template`,
    `spec.jobTemplate.spec.template`); empty for specs read from pods."""
    api_version: str
    """The apiVersion of the object it was read from."""
    pods: int = 1
    """How many pods share this spec, when read from pods; 1 for templates."""
    pod: str = ""
    """The pod it was read from (the first of its owner's), empty for templates."""

    @property
    def mirror(self) -> bool:
        """Whether the spec was read from a mirror pod (a kubelet's static pod)."""
        return _is_mirror(self.metadata)

    @property
    def from_pods(self) -> bool:
        """Whether the spec was read from pods rather than a controller's template."""
        return not self.template

    def field(self, rest: str) -> str:
        """The location of a field under the pod spec: `spec.template.spec.volumes[data]`,
        or `pod web-5d9c-x spec.volumes[data]` when read from a pod of the workload."""
        return self._at("spec", rest)

    def meta_field(self, rest: str) -> str:
        """The location of a field under the pod metadata: `spec.template.metadata.x`."""
        return self._at("metadata", rest)

    def _at(self, part: str, rest: str) -> str:
        if self.template:
            return f"{self.template}.{part}.{rest}"
        is_itself = self.workload.kind == "Pod" and self.workload.name == self.pod
        return f"{part}.{rest}" if is_itself or not self.pod else f"pod {self.pod} {part}.{rest}"


def _controller(meta: Mapping[str, Any]) -> Mapping[str, Any] | None:
    refs = as_maps(meta.get("ownerReferences"))
    for ref in refs:
        if ref.get("controller") is True:
            return ref
    return refs[0] if refs else None


def _sole_reference(refs: Any, namespace: str | None) -> ControllerKey | None:
    """(kind, namespace, name) of the controller that `refs`, an ownerReferences value, names
    when it is the common shape (one reference with a string kind and name); else None."""
    if type(refs) is list and len(refs) == 1 and type(refs[0]) is dict:
        kind, name = refs[0].get("kind"), refs[0].get("name")
        if type(kind) is str and type(name) is str:
            return kind, namespace, name
    return None


def sole_controller(body: Mapping[str, Any], namespace: str | None) -> ControllerKey | None:
    """`_sole_reference` of the owner references of a pod's `body` (in `namespace`)."""
    meta = body.get("metadata")
    return _sole_reference(meta.get("ownerReferences"), namespace) if type(meta) is dict else None


def pod_runs(pods: Sequence[ObservedObject]) -> list[PodRun]:
    """The runs of `pods` (each as long as it can be), as the snapshot reader gathers them."""
    runs: list[PodRun] = []
    for pod in pods:
        add_to_runs(runs, sole_controller(pod.body, pod.ref.namespace))
    return runs


def add_to_runs(runs: list[PodRun], key: ControllerKey | None) -> None:
    """`runs` with the next pod, whose `sole_controller` is `key`: the last run one longer
    when it names the same, else a new run."""
    last = runs[-1] if runs else None
    if last is not None and key == last.key:
        last.end += 1
    else:
        at = 0 if last is None else last.end
        runs.append(PodRun(key, at, at + 1))


class Workloads:
    """A snapshot's pods and controllers, indexed once: O(n) to build, O(1) per look-up."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.controllers: dict[tuple[str, str | None, str], ObservedObject] = {}
        self.pods: list[ObservedObject] = []
        # Several checks ask for the same owners and groups: each is computed once.
        self._owners: dict[int, ObjectRef] = {}
        self._climbs: dict[int, tuple[ObjectRef, Mapping[str, Any] | None]] = {}
        self._groups: dict[bool, dict[ObjectRef, list[ObservedObject]]] = {}
        self._unowned: list[ObservedObject] = []
        self.pods.extend(snapshot.of_kind("Pod"))
        for obj in snapshot.of_kind(*TEMPLATE_PATHS):
            self.controllers[(obj.ref.kind, obj.ref.namespace, obj.ref.name)] = obj
        self._snapshot = snapshot

    @cached_property
    def _runs(self) -> Sequence[PodRun]:
        """The runs of the pods: as the reader told them (when they end where the pods do),
        else found by a pass."""
        told = self._snapshot.pod_runs()
        if told is not None and (told[-1].end if told else 0) == len(self.pods):
            return told
        return pod_runs(self.pods)

    def owner_of(self, obj: ObservedObject) -> ObjectRef:
        """The top controller of an object as far as the snapshot shows (a pod of a
        ReplicaSet of a Deployment: the Deployment); the object itself when it has none.
        The controller may be an object the snapshot does not hold."""
        known = self._owners.get(id(obj))
        if known is None:
            known = self._owners[id(obj)] = self._find_owner(obj)
        return known

    def _find_owner(self, obj: ObservedObject) -> ObjectRef:
        meta = metadata(obj)
        owner = _controller(meta)
        if owner is None or owner.get("kind") == "Node":
            return obj.ref
        parent = self._parent(owner, obj.ref.namespace)
        if parent is not None:
            top, owner = self._climbed(parent)
            if owner is None:
                return top
        return self._absent_owner(owner, obj.ref.namespace, as_map(meta.get("labels")))

    def _climbed(self, parent: ObservedObject) -> tuple[ObjectRef, Mapping[str, Any] | None]:
        """`_climb(parent, 3)`, once per controller: the pods of one controller climb the
        same way from it."""
        known = self._climbs.get(id(parent))
        if known is None:
            known = self._climbs[id(parent)] = self._climb(parent, 3)
        return known

    def _climb(
        self, obj: ObservedObject, steps: int
    ) -> tuple[ObjectRef, Mapping[str, Any] | None]:
        """The top controller within `steps` steps up from `obj` (Pod → ReplicaSet →
        Deployment; Pod → Job → CronJob; no deeper), or the last one reached and the owner
        reference it names that the snapshot does not hold."""
        ref, meta = obj.ref, metadata(obj)
        for _ in range(steps):
            owner = _controller(meta)
            if owner is None or owner.get("kind") == "Node":
                return ref, None
            parent = self._parent(owner, ref.namespace)
            if parent is None:
                return ref, owner
            ref, meta = parent.ref, metadata(parent)
        return ref, None

    def _parent(self, owner: Mapping[str, Any], namespace: str | None) -> ObservedObject | None:
        kind, name = as_str(owner.get("kind")) or "", as_str(owner.get("name")) or ""
        return self.controllers.get((kind, namespace, name))

    @staticmethod
    def _absent_owner(
        owner: Mapping[str, Any], namespace: str | None, pod_labels: Mapping[str, Any]
    ) -> ObjectRef:
        kind, name = as_str(owner.get("kind")) or "", as_str(owner.get("name")) or ""
        api_version = as_str(owner.get("apiVersion")) or ""
        hashed = pod_labels.get(POD_TEMPLATE_HASH, _ABSENT)
        suffix = None if hashed is _ABSENT else str(hashed)
        if kind == "ReplicaSet" and suffix and name.endswith("-" + suffix):
            # A Deployment names its ReplicaSets `<deployment>-<pod-template-hash>`.
            return ObjectRef("apps/v1", "Deployment", namespace, name[: -len(suffix) - 1])
        return ObjectRef(api_version, kind, namespace, name)

    def covered(self, obj: ObservedObject) -> bool:
        """Whether a collected controller above `obj` carries its pod template."""
        meta = metadata(obj)
        if not meta.get("ownerReferences"):
            return False  # no owner (what _find_owner reads of an empty or falsy list)
        top = self._shared_owner_of(meta, obj.ref.namespace)
        if top is None:
            top = self.owner_of(obj)
            if top is obj.ref:  # no owner: the common case, told without comparing fields
                return False
        return self._collected_above(top, obj.ref)

    def _collected_above(self, top: ObjectRef, ref: ObjectRef) -> bool:
        """Whether `top`, the top controller found for the object `ref`, is another object
        and one the snapshot holds."""
        return top != ref and (top.kind, top.namespace, top.name) in self.controllers

    def _shared_owner_of(self, meta: Mapping[str, Any], namespace: str | None) -> ObjectRef | None:
        """`_shared_owner` of the controller that `meta`'s only owner reference names, if it
        has one of the common shape; else None (owner_of goes the whole way)."""
        key = _sole_reference(meta.get("ownerReferences"), namespace)
        return None if key is None else self._shared_owner(key)

    def templates(self) -> tuple[PodSpec, ...]:
        """The pod template of each top controller in the snapshot (a ReplicaSet of a
        collected Deployment, a Job of a collected CronJob, are covered by their owner)."""
        return self._templates

    @cached_property
    def _templates(self) -> tuple[PodSpec, ...]:
        specs = []
        for (kind, _, _), obj in self.controllers.items():
            if self.covered(obj):
                continue
            template = as_map(dig(obj.body, *TEMPLATE_PATHS[kind]))
            specs.append(
                PodSpec(
                    workload=obj.ref,
                    metadata=as_map(template.get("metadata")),
                    spec=as_map(template.get("spec")),
                    template=_TEMPLATE_AT[kind],
                    api_version=obj.ref.api_version,
                )
            )
        return tuple(specs)

    def pods_by_owner(self, include_mirror: bool = True) -> dict[ObjectRef, list[ObservedObject]]:
        """Pods grouped by their top controller (a pod with none is its own group). The
        result is shared between callers: do not change it."""
        if include_mirror not in self._groups:
            self._groups[include_mirror] = self._group_pods(include_mirror)
        return self._groups[include_mirror]

    def _group_pods(self, include_mirror: bool) -> dict[ObjectRef, list[ObservedObject]]:
        groups: dict[ObjectRef, list[ObservedObject]] = {}
        # The common shape, a single owner reference to a collected controller, names the
        # same owner for every pod that names that controller: its group's list is found
        # by the reference (kind, namespace, name) in one look-up per run of such pods
        # (`pod_runs`, gathered by the snapshot reader as it decodes them). Any other shape,
        # and a reference whose owner depends on the pod's labels, goes the whole way.
        named: dict[ControllerKey, list[ObservedObject] | None] = {}
        pods = self.pods
        runs = self._runs if include_mirror else [PodRun(None, 0, len(pods))]
        for run in runs:
            key = run.key
            if key is not None:
                found = named.get(key, _UNKNOWN)
                if found is _UNKNOWN:
                    top = self._shared_owner(key)
                    found = named[key] = None if top is None else groups.setdefault(top, [])
                if found is not None:
                    found += pods[run.start : run.end]
                    continue
            for pod in pods[run.start : run.end]:
                meta = metadata(pod)
                if not include_mirror and _is_mirror(meta):
                    continue
                if include_mirror and not meta.get("ownerReferences"):
                    self._unowned.append(pod)
                groups.setdefault(self.owner_of(pod), []).append(pod)
        return groups

    def unowned_pods(self) -> list[ObservedObject]:
        """The pods whose metadata names no owner reference (mirror pods included), in
        their order: gathered while grouping every pod, not read again."""
        self.pods_by_owner()
        return self._unowned

    def _shared_owner(self, key: tuple[str, str | None, str]) -> ObjectRef | None:
        """The top controller of every object whose only owner reference names the
        controller `key` (kind, namespace, name), as _find_owner finds it; None when that
        depends on the object (no such controller collected, or a Node)."""
        parent = self.controllers.get(key) if key[0] != "Node" else None
        if parent is None:
            return None
        top, owner = self._climbed(parent)
        return top if owner is None else None

    def pod_groups(self, include_covered: bool = False) -> tuple[PodSpec, ...]:
        """One spec per owner, read from its first pod: by default only for the pods whose
        controller was not collected (and bare pods), which `templates()` does not speak
        for; with `include_covered`, for every owner (for what admission writes on pods)."""
        if include_covered:
            return tuple(spec for spec, _ in self._every_pod_group)
        return self._uncovered_pod_groups

    @cached_property
    def _uncovered_pod_groups(self) -> tuple[PodSpec, ...]:
        return tuple(spec for spec, covered in self._every_pod_group if not covered)

    @cached_property
    def _every_pod_group(self) -> tuple[tuple[PodSpec, bool], ...]:
        """Each owner's spec, and whether a collected controller covers it."""
        specs = []
        for owner, pods in self.pods_by_owner().items():
            first = min(pods, key=_NAME) if len(pods) > 1 else pods[0]
            spec = PodSpec(
                workload=owner,
                metadata=metadata(first),
                spec=as_map(first.body.get("spec")),
                template="",
                api_version=first.ref.api_version,
                pods=len(pods),
                pod=first.ref.name,
            )
            # Whether a collected controller covers it, as covered(first) tells it: the
            # group's owner is the owner of each of its pods.
            specs.append((spec, self._collected_above(owner, first.ref)))
        return tuple(specs)

    def pod_specs(self) -> tuple[PodSpec, ...]:
        """Every pod spec to judge, once per workload: templates, then uncovered pods."""
        return self._pod_specs

    @cached_property
    def _pod_specs(self) -> tuple[PodSpec, ...]:
        return self.templates() + self.pod_groups()


_NAME = attrgetter("ref.name")
"""An object's name (read in C: it orders 150,000 pods)."""


_ABSENT = object()

_UNKNOWN: list[ObservedObject] = []
"""What `_group_pods` finds for a reference it has not met yet (told by identity)."""

_TEMPLATE_AT = {kind: ".".join(path) for kind, path in TEMPLATE_PATHS.items()}

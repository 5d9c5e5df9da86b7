"""The detectors of the knowledge base's non-API removals (`Detector.type`, DETECTOR_TYPES):
each reads one part of a snapshot and yields hits, one per node pool, workload or object."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from upgradecheck.checks.evidence import field_evidence
from upgradecheck.model import (
    Evidence,
    EvidenceSource,
    NodeInfo,
    ObjectRef,
    ObservedObject,
    Snapshot,
)
from upgradecheck.nodepools import by_pool_and, pool_label
from upgradecheck.shapes import as_map, as_maps, as_str, as_strs
from upgradecheck.wording import names, plural
from upgradecheck.workloads import PodSpec, Workloads, annotations_of, containers, labels_of


@dataclass(frozen=True)
class Hit:
    """One place a removal shows: a node pool, a workload, an object or a request series."""

    key: tuple[str, ...]
    """What it is about, to merge the hits of several detectors of one removal."""
    where: str
    """The place, for people: `3 nodes of node pool legacy (a, b and c)`, `Deployment ns/x`."""
    evidence: tuple[Evidence, ...]
    """What was seen."""
    obj: ObjectRef | None = None
    """The object, when the hit is about one."""
    subject: str | None = None
    """What it is about when it is not an object."""


class Scene:
    """The snapshot as the detectors read it, indexed once per run: each index is built on
    first use, so that a removal's detectors walk only the places that can hold it."""

    def __init__(
        self,
        snapshot: Snapshot,
        workloads: Workloads | None = None,
        absent: Callable[[ObservedObject], bool] | None = None,
    ) -> None:
        self.snapshot = snapshot
        self._absent = absent  # objects no cluster receives
        self._kinds: dict[str, list[ObservedObject]] = {}
        workloads = workloads or Workloads(snapshot)
        self.controllers = workloads.controllers
        self.pod_specs: tuple[PodSpec, ...] = workloads.pod_specs()
        # Admission writes some annotations on pods only (`kubernetes.io/psp`): those are
        # read from every owner's pods too, merged into the owner's hit.
        self.pod_annotations: tuple[PodSpec, ...] = (
            workloads.templates() + workloads.pod_groups(include_covered=True)
        )

    def objects(self, kind: str) -> list[ObservedObject]:
        """The objects of `kind` that some cluster on the way receives."""
        found = self._kinds.get(kind)
        if found is None:
            absent = self._absent
            found = self._kinds[kind] = [
                o for o in self.snapshot.of_kind(kind) if absent is None or not absent(o)
            ]
        return found

    @cached_property
    def _volumes(self) -> dict[str, list[PodSpec]]:
        """The pod specs with a volume of each type (`gitRepo`: a key of the volume)."""
        index: dict[str, list[PodSpec]] = {}
        for pod in self.pod_specs:
            for volume in as_maps(pod.spec.get("volumes")):
                for key in volume:
                    specs = index.setdefault(key, [])
                    if not specs or specs[-1] is not pod:
                        specs.append(pod)
        return index

    def with_volume(self, kind: str) -> list[PodSpec]:
        """The pod specs with a volume of type `kind`, in their order."""
        return self._volumes.get(kind, [])

    @cached_property
    def annotated(self) -> list[tuple[PodSpec, list[tuple[str, str]]]]:
        """The pod specs of `pod_annotations` that have annotations, each with them sorted."""
        found = []
        for pod in self.pod_annotations:
            items = annotations_of(pod.metadata).items()
            if items:
                found.append((pod, sorted(items)))
        return found

    @cached_property
    def _by_annotation_key(self) -> dict[str, list[tuple[int, str]]]:
        """Every annotation of `annotated` by its key: (its pod spec's place, value), in
        the specs' order. A cluster's specs carry tens of thousands of annotations under a
        few dozen keys."""
        index: dict[str, list[tuple[int, str]]] = {}
        for i, (_, items) in enumerate(self.annotated):
            for key, value in items:
                at = index.get(key)
                if at is None:
                    at = index[key] = []
                at.append((i, value))
        return index

    def annotated_with(self, prefix: str) -> list[tuple[PodSpec, list[tuple[str, str]]]]:
        """The pod specs of `annotated` with annotations whose key starts with `prefix`,
        in their order, each with those annotations sorted: found among the keys, not by
        reading every annotation of every spec for each prefix asked."""
        index = self._by_annotation_key
        found: dict[int, list[tuple[str, str]]] = {}
        for key in sorted(k for k in index if k.startswith(prefix)):
            for i, value in index[key]:
                found.setdefault(i, []).append((key, value))
        return [(self.annotated[i][0], found[i]) for i in sorted(found)]

    @cached_property
    def system_pod_specs(self) -> list[PodSpec]:
        """The pod specs of kube-system."""
        return [pod for pod in self.pod_specs if pod.workload.namespace == "kube-system"]


Detect = Callable[[Mapping[str, Any], Scene], Iterator[Hit]]


def _node_hits(scene: Scene, attribute: str, label: str, pattern: str) -> Iterator[Hit]:
    """Nodes whose `attribute` matches `pattern`, one hit per (pool, value)."""
    regex = re.compile(pattern)

    def matched(node: NodeInfo) -> str | None:
        value: str = getattr(node, attribute) or ""
        return value if regex.search(value) else None

    for (pool, value), nodes in by_pool_and(scene.snapshot.nodes, matched).items():
        listed = names([n.name for n in nodes])
        who = pool_label(pool)
        yield Hit(
            key=("nodes", pool, value),
            where=f"{plural(len(nodes), 'node')} of {who} ({listed}) with {label} {value}",
            evidence=tuple(
                Evidence(
                    EvidenceSource.NODE, n.name, n.kubelet_version, f"{label} {value}"
                )
                for n in nodes
            ),
            subject=who,
        )


def node_runtime(params: Mapping[str, Any], scene: Scene) -> Iterator[Hit]:
    """Nodes whose container runtime version matches `pattern`."""
    return _node_hits(scene, "container_runtime", "runtime", str(params["pattern"]))


def node_os(params: Mapping[str, Any], scene: Scene) -> Iterator[Hit]:
    """Nodes whose osImage or kernelVersion (`field`) matches `pattern`."""
    attribute = "kernel_version" if params.get("field") == "kernelVersion" else "os_image"
    return _node_hits(scene, attribute, str(params.get("field")), str(params["pattern"]))


def _object_hit(obj: ObservedObject, *evidence: Evidence) -> Hit:
    ref = obj.ref
    return Hit(("object", ref.kind, ref.namespace or "", ref.name), ref.display(), evidence, ref)


def _workload_hit(pod: PodSpec, evidence: list[Evidence], scene: Scene) -> Hit:
    ref = pod.workload
    where = ref.display()
    collected = (ref.kind, ref.namespace, ref.name) in scene.controllers
    if pod.from_pods and ref.kind != "Pod" and not collected:
        where += f" ({plural(pod.pods, 'pod')} seen; the {ref.kind} itself was not collected)"
    return Hit(("object", ref.kind, ref.namespace or "", ref.name), where, tuple(evidence), ref)


def object_kind(params: Mapping[str, Any], scene: Scene) -> Iterator[Hit]:
    """Every object of a kind (in a group) exists."""
    for obj in scene.objects(str(params["kind"])):
        if obj.ref.group == params["group"]:
            yield _object_hit(obj, field_evidence(obj.ref, "kind", f"{obj.ref.kind} exists"))


def pod_volume(params: Mapping[str, Any], scene: Scene) -> Iterator[Hit]:
    """Pods and pod templates with a volume of type `field`."""
    kind = str(params["field"])
    for pod in scene.with_volume(kind):
        evidence = [
            field_evidence(pod.workload, pod.field(f"volumes[{v.get('name')}].{kind}"))
            for v in as_maps(pod.spec.get("volumes"))
            if kind in v
        ]
        if evidence:
            yield _workload_hit(pod, evidence, scene)


def persistent_volume(params: Mapping[str, Any], scene: Scene) -> Iterator[Hit]:
    """PersistentVolumes whose spec holds `field`."""
    kind = str(params["field"])
    for pv in scene.objects("PersistentVolume"):
        if kind in as_map(pv.body.get("spec")):
            yield _object_hit(pv, field_evidence(pv.ref, f"spec.{kind}"))


def storage_class_provisioner(params: Mapping[str, Any], scene: Scene) -> Iterator[Hit]:
    """StorageClasses provisioned by one of `provisioners`."""
    wanted = set(params["provisioners"])
    for sc in scene.objects("StorageClass"):
        provisioner = as_str(sc.body.get("provisioner"))
        if provisioner in wanted:
            yield _object_hit(sc, field_evidence(sc.ref, "provisioner", provisioner))


def pod_annotation(params: Mapping[str, Any], scene: Scene) -> Iterator[Hit]:
    """Pods and pod templates with an annotation whose key starts with `prefix`."""
    for pod, items in scene.annotated_with(str(params["prefix"])):
        evidence = [
            field_evidence(pod.workload, pod.meta_field(f"annotations[{key}]"), value)
            for key, value in items
        ]
        yield _workload_hit(pod, evidence, scene)


def configmap_value(params: Mapping[str, Any], scene: Scene) -> Iterator[Hit]:
    """A key of one ConfigMap whose value matches `pattern`."""
    regex = re.compile(str(params["pattern"]))
    for cm in scene.objects("ConfigMap"):
        if (cm.ref.namespace, cm.ref.name) != (params["namespace"], params["name"]):
            continue
        value = as_map(cm.body.get("data")).get(params["key"])
        match = regex.search(value) if isinstance(value, str) else None
        if match:
            where = f"data[{params['key']}]"
            yield _object_hit(cm, field_evidence(cm.ref, where, match.group(0).strip()))


def _runs(pod: PodSpec, container: Mapping[str, Any], components: set[str]) -> bool:
    labels = labels_of(pod.metadata)
    named = {as_str(container.get("name")), labels.get("component"), labels.get("k8s-app")}
    return bool(named & components)


def component_flag(params: Mapping[str, Any], scene: Scene) -> Iterator[Hit]:
    """Control-plane and kube-proxy workloads in kube-system whose command line matches
    `pattern` (kubelet flags are not visible in a snapshot)."""
    regex = re.compile(str(params["pattern"]))
    components = set(params["components"])
    for pod in scene.system_pod_specs:
        evidence = []
        for c in containers(pod.spec):
            if not _runs(pod, c, components):
                continue
            words = as_strs(c.get("command")) + as_strs(c.get("args"))
            match = regex.search(" ".join(words))
            if match:
                where = pod.field(f"containers[{c.get('name')}].command")
                evidence.append(field_evidence(pod.workload, where, match.group(0)))
        if evidence:
            yield _workload_hit(pod, evidence, scene)


def api_request(params: Mapping[str, Any], scene: Scene) -> Iterator[Hit]:
    """Requests the API server counted in `apiserver_requested_deprecated_apis`."""
    for req in scene.snapshot.api_requests:
        if (req.group, req.version, req.resource) != (
            params["group"],
            params["version"],
            params["resource"],
        ):
            continue
        gv = f"{req.group}/{req.version}" if req.group else req.version
        resource = f"{req.resource}/{req.subresource}" if req.subresource else req.resource
        subject = f"requests to {gv} {resource}"
        location = f"apiserver_requested_deprecated_apis {gv} {resource}"
        evidence = Evidence(EvidenceSource.APISERVER_METRICS, location, gv)
        yield Hit(("requests", gv, resource), subject, (evidence,), subject=subject)


def manual(params: Mapping[str, Any], scene: Scene) -> Iterator[Hit]:
    """Not detectable from a snapshot: the plan shows it as a checklist step."""
    return iter(())


DETECTORS: Mapping[str, Detect] = {
    "node-runtime": node_runtime,
    "node-os": node_os,
    "object-kind": object_kind,
    "pod-volume": pod_volume,
    "persistent-volume": persistent_volume,
    "storage-class-provisioner": storage_class_provisioner,
    "pod-annotation": pod_annotation,
    "configmap-value": configmap_value,
    "component-flag": component_flag,
    "api-request": api_request,
    "manual": manual,
}

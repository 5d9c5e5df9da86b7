"""`single-replica`, `unmanaged-pod` and `emptydir-data`: what a node drain does to workloads
during node upgrades: a lone replica goes down, a pod without a controller is deleted for
good, and emptyDir data is lost (and `kubectl drain` refuses without a flag). Reported once
per workload, or once per namespace for bare pods."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from upgradecheck.checks.evidence import field_evidence
from upgradecheck.checks.interface import Check, CheckContext
from upgradecheck.checks.rule import Rule
from upgradecheck.model import Finding, ObservedObject, Severity
from upgradecheck.shapes import as_int, as_map, as_maps, dig
from upgradecheck.wording import names, plural
from upgradecheck.workloads import is_mirror_pod, metadata

SINGLE_REPLICA = Rule(
    id="single-replica",
    title="Workload with one replica",
    what="A Deployment or StatefulSet with spec.replicas 1 (an unset replicas in a file "
    "is left alone: an autoscaler usually sets it).",
    why="When its node is drained for the upgrade the only pod is evicted: the service is "
    "down until the replacement is scheduled and ready.",
    fix="Run at least two replicas with a PodDisruptionBudget for the upgrade, or accept "
    "and announce the downtime.",
    source="https://kubernetes.io/docs/concepts/workloads/pods/disruptions/",
    severity=Severity.INFO,
)

UNMANAGED_POD = Rule(
    id="unmanaged-pod",
    title="Pod with no controller",
    what="Running pods without ownerReferences (mirror pods of static pods excluded), "
    "one finding per namespace.",
    why="`kubectl drain` refuses such pods unless forced, and then deletes them: nothing "
    "recreates them on another node.",
    fix="Run them under a Deployment, StatefulSet or Job, or plan to recreate them after "
    "their node is upgraded.",
    source="https://kubernetes.io/docs/reference/kubectl/generated/kubectl_drain/",
    severity=Severity.WARNING,
)

EMPTYDIR_DATA = Rule(
    id="emptydir-data",
    title="Pods keep data in emptyDir volumes",
    what="Workloads (DaemonSets and static pods excluded: drains skip them) whose pods "
    "mount emptyDir volumes.",
    why="`kubectl drain` refuses to evict them without --delete-emptydir-data, and the "
    "eviction deletes that data.",
    fix="Make sure nothing in those volumes must survive a restart, then drain with "
    "--delete-emptydir-data; keep lasting data on PersistentVolumes.",
    source="https://kubernetes.io/docs/reference/kubectl/generated/kubectl_drain/",
    severity=Severity.INFO,
)

_FINISHED = ("Succeeded", "Failed")


def bare(pod: ObservedObject) -> bool:
    """A running pod that no controller owns (mirror pods belong to their kubelet)."""
    if metadata(pod).get("ownerReferences") or is_mirror_pod(pod):
        return False
    return dig(pod.body, "status", "phase") not in _FINISHED


class DrainCheck(Check):
    """Workloads that a node drain takes down or loses."""

    rules = (SINGLE_REPLICA, UNMANAGED_POD, EMPTYDIR_DATA)

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        yield from self._single(ctx)
        yield from self._unmanaged(ctx)
        yield from self._emptydir(ctx)

    def _single(self, ctx: CheckContext) -> Iterator[Finding]:
        for obj in ctx.snapshot.of_kind("Deployment", "StatefulSet"):
            if as_int(dig(obj.body, "spec", "replicas")) != 1:
                continue  # unset in a file usually means an autoscaler decides
            yield SINGLE_REPLICA.finding(
                f"{obj.ref.display()} runs one replica: it is down from the moment its node "
                "is drained until the pod is ready on another node.",
                "Run at least 2 replicas (with a PodDisruptionBudget of maxUnavailable 1) for "
                "the upgrade, or accept and announce the downtime.",
                obj=obj.ref,
                evidence=(field_evidence(obj.ref, "spec.replicas", 1),),
            )

    def _unmanaged(self, ctx: CheckContext) -> Iterator[Finding]:
        by_namespace: dict[str, list[ObservedObject]] = {}
        for obj in ctx.workloads.unowned_pods():
            if bare(obj):
                by_namespace.setdefault(obj.ref.namespace or "", []).append(obj)
        for namespace, pods in sorted(by_namespace.items()):
            pods.sort(key=lambda p: p.ref.name)
            listed = names([p.ref.name for p in pods])
            yield UNMANAGED_POD.finding(
                f"{plural(len(pods), 'pod')} in namespace {namespace} with no controller "
                f"({listed}): `kubectl drain` refuses them without --force, and then deletes "
                "them for good; nothing recreates them.",
                "Run them under a Deployment, StatefulSet or Job, or recreate them by hand "
                "after their node is upgraded.",
                obj=pods[0].ref if len(pods) == 1 else None,
                subject=None if len(pods) == 1 else f"namespace {namespace}",
                evidence=(field_evidence(p.ref, "metadata.ownerReferences", "none") for p in pods),
            )

    def _emptydir(self, ctx: CheckContext) -> Iterator[Finding]:
        workloads = ctx.workloads
        for pod in workloads.pod_specs():
            if pod.workload.kind == "DaemonSet":
                continue  # drains skip DaemonSet pods (--ignore-daemonsets)
            if pod.mirror:
                continue  # a static pod stays with its node
            volumes = [v for v in as_maps(pod.spec.get("volumes")) if "emptyDir" in v]
            if not volumes:
                continue
            shown = ", ".join(str(v.get("name")) for v in volumes)
            yield EMPTYDIR_DATA.finding(
                f"{pod.workload.display()} keeps data in emptyDir volumes ({shown}): draining "
                "its node needs `kubectl drain --delete-emptydir-data` and deletes that data.",
                "Make sure nothing there must survive a restart (move it to a "
                "PersistentVolume if it must), then drain with --delete-emptydir-data.",
                obj=pod.workload,
                evidence=(
                    field_evidence(
                        pod.workload,
                        pod.field(f"volumes[{v.get('name')}].emptyDir"),
                        as_map(v.get("emptyDir")) or "{}",
                    )
                    for v in volumes
                ),
            )

"""What a snapshot holds, indexed for comparison: objects by (kind, namespace, name), workload
readiness, pod health per controller, PVC phases, the latest revision of each Helm release,
and the minors and runtimes of its nodes. Pure functions, linear in the snapshot."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from upgradecheck.model import HelmRelease, NodeInfo, ObservedObject, Snapshot
from upgradecheck.shapes import as_int, as_str, dig
from upgradecheck.versions import minor_or_none
from upgradecheck.wording import plural
from upgradecheck.workloads import Workloads, labels_of, metadata, statuses

ObjectKey = tuple[str, str | None, str]
"""(kind, namespace, name): an object whatever apiVersion it was listed through."""
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet")
CRASH_LOOP = "CrashLoopBackOff"


def key_of(obj: ObservedObject) -> ObjectKey:
    """The (kind, namespace, name) of an object."""
    return (obj.ref.kind, obj.ref.namespace, obj.ref.name)


def display(key: ObjectKey) -> str:
    """`Kind ns/name` or `Kind name`."""
    kind, namespace, name = key
    return f"{kind} {namespace}/{name}" if namespace else f"{kind} {name}"


def objects_by_key(snapshot: Snapshot) -> dict[ObjectKey, ObservedObject]:
    """Every object of the snapshot by its key."""
    return {key_of(obj): obj for obj in snapshot.objects}


def same_cluster(first: Snapshot, second: Snapshot) -> bool | None:
    """Whether the snapshots look like one cluster: some object present in both keeps its
    `metadata.uid`. None when no object present in both carries a uid on each side."""
    uids = {key_of(o): uid for o in first.objects if (uid := as_str(metadata(o).get("uid")))}
    shared = [
        uid == uids[key]
        for o in second.objects
        if (key := key_of(o)) in uids and (uid := as_str(metadata(o).get("uid")))
    ]
    return any(shared) if shared else None


def minor_of(version: str | None) -> str | None:
    """`1.31` for `v1.31.4-eks-1`; None when unreadable."""
    minor = minor_or_none(version)
    return str(minor) if minor else None


def is_helm_record(obj: ObservedObject) -> bool:
    """Whether an object is a Helm release record (pruned as revisions accumulate)."""
    return obj.ref.kind in ("Secret", "ConfigMap") and labels_of(metadata(obj)).get("owner") == (
        "helm"
    )


# --- workloads and pods --------------------------------------------------------------------


@dataclass(frozen=True)
class Readiness:
    """How many of a workload's replicas are ready."""

    ready: int
    """Ready replicas (`readyReplicas`, or `numberReady` for a DaemonSet)."""
    desired: int
    """Desired replicas (`spec.replicas`, or `desiredNumberScheduled` for a DaemonSet)."""

    @property
    def ok(self) -> bool:
        """Every desired replica is ready (and there is at least one)."""
        return self.desired > 0 and self.ready >= self.desired

    def __str__(self) -> str:
        return f"{self.ready}/{self.desired} ready"


def readiness(obj: ObservedObject) -> Readiness | None:
    """The readiness of a Deployment, StatefulSet or DaemonSet; None for other kinds or when
    its status does not say."""
    kind, body = obj.ref.kind, obj.body
    if kind == "DaemonSet":
        desired = as_int(dig(body, "status", "desiredNumberScheduled"))
        ready = as_int(dig(body, "status", "numberReady"))
    elif kind in WORKLOAD_KINDS:
        replicas = dig(body, "spec", "replicas")
        desired = 1 if replicas is None else as_int(replicas)  # the API server's default
        ready = as_int(dig(body, "status", "readyReplicas"))
    else:
        return None
    if desired is None:
        return None
    return Readiness(ready or 0, desired)


@dataclass(frozen=True)
class PodHealth:
    """The pods of one controller, summarised."""

    pods: int
    """How many pods it has."""
    crash_looping: int
    """How many of them have a container waiting in CrashLoopBackOff."""
    restarts: int
    """Container restarts summed over its pods (init containers included)."""


def pod_health(snapshot: Snapshot) -> dict[ObjectKey, PodHealth]:
    """Pod health per top controller (a pod with none is its own controller)."""
    health: dict[ObjectKey, PodHealth] = {}
    for owner, pods in Workloads(snapshot).pods_by_owner().items():
        looping = sum(1 for pod in pods if any(_waits_in_crash_loop(s) for s in statuses(pod)))
        restarts = sum(_restarts(s) for pod in pods for s in statuses(pod))
        health[(owner.kind, owner.namespace, owner.name)] = PodHealth(len(pods), looping, restarts)
    return health


def _waits_in_crash_loop(status: Mapping[str, object]) -> bool:
    return bool(dig(status, "state", "waiting", "reason") == CRASH_LOOP)


def _restarts(status: Mapping[str, object]) -> int:
    return as_int(status.get("restartCount")) or 0


def pvc_phases(snapshot: Snapshot) -> dict[ObjectKey, str]:
    """The phase of each PersistentVolumeClaim (`Bound`, `Pending`, `Lost`, or `unknown`)."""
    return {
        key_of(obj): as_str(dig(obj.body, "status", "phase")) or "unknown"
        for obj in snapshot.objects
        if obj.ref.kind == "PersistentVolumeClaim"
    }


# --- Helm, nodes ---------------------------------------------------------------------------


def latest_releases(snapshot: Snapshot) -> dict[tuple[str, str], HelmRelease]:
    """The newest revision of each release, by (namespace, name)."""
    latest: dict[tuple[str, str], HelmRelease] = {}
    for release in snapshot.helm_releases:
        key = (release.namespace, release.name)
        if key not in latest or release.revision > latest[key].revision:
            latest[key] = release
    return latest


def deployed_charts(snapshot: Snapshot) -> dict[str, set[str]]:
    """Chart name → the versions the releases' newest revisions run."""
    charts: dict[str, set[str]] = {}
    for release in latest_releases(snapshot).values():
        charts.setdefault(release.chart, set()).add(release.chart_version)
    return charts


def version_counts(nodes: Iterable[NodeInfo]) -> str:
    """`v1.31.4 on 2 nodes, v1.30.8 on 1 node`: the kubelet versions, most common first."""
    counter = Counter(n.kubelet_version for n in nodes)
    ordered = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{version} on {plural(n, 'node')}" for version, n in ordered) or "no nodes"


def kubelet_minors(nodes: Iterable[NodeInfo]) -> set[str]:
    """The kubelet minors of the nodes (`1.30`), unreadable versions left out."""
    return {m for n in nodes if (m := minor_of(n.kubelet_version)) is not None}


def runtime_line(runtime: str | None) -> str:
    """`containerd://1.7` for `containerd://1.7.24`: the runtime and its minor."""
    if not runtime:
        return "unknown"
    name, sep, version = runtime.partition("://")
    if not sep:
        return runtime
    return f"{name}://{'.'.join(version.split('.')[:2])}"


def runtimes(nodes: Iterable[NodeInfo]) -> set[str]:
    """The container runtimes of the nodes, by name and minor."""
    return {runtime_line(n.container_runtime) for n in nodes}

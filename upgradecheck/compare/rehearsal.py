"""Rehearsal verification: what an upgrade changed and broke, from snapshots of one cluster
taken before and after it. Each function compares one thing; all are pure."""

from __future__ import annotations

from collections.abc import Iterator

from upgradecheck.compare.inventory import (
    WORKLOAD_KINDS,
    ObjectKey,
    PodHealth,
    display,
    is_helm_record,
    latest_releases,
    objects_by_key,
    pod_health,
    pvc_phases,
    readiness,
    version_counts,
)
from upgradecheck.compare.model import SERVER_VERSION, CompareCheck, Difference
from upgradecheck.model import ObservedObject, Severity, Snapshot
from upgradecheck.versions import VersionError, parse_minor
from upgradecheck.wording import plural

# Kinds whose objects come and go by design: their disappearance says nothing.
EPHEMERAL_KINDS = frozenset(
    {
        "Pod", "ReplicaSet", "Job", "Event", "EndpointSlice", "Endpoints", "Lease",
        "ControllerRevision", "CertificateRequest", "Order", "Challenge",
    }
)  # fmt: skip
RESTART_JUMP = 5
"""More container restarts than this many (per controller) after the upgrade is a warning."""


NODE_VERSION = CompareCheck("node-version", "Node versions")
NODE_COUNT = CompareCheck("node-count", "Node count")
NODE_NOT_READY = CompareCheck("node-not-ready", "Nodes not Ready")
WORKLOAD_NOT_READY = CompareCheck("workload-not-ready", "Workloads no longer ready")
CRASH_LOOP = CompareCheck("crash-loop", "Crash loops")
PVC_PENDING = CompareCheck("pvc-pending", "Pending PersistentVolumeClaims")
HELM_RELEASE_FAILED = CompareCheck("helm-release-failed", "Failed Helm releases")
OBJECT_DISAPPEARED = CompareCheck("object-disappeared", "Objects that disappeared")
CHECKS = (
    SERVER_VERSION,
    NODE_VERSION,
    NODE_COUNT,
    NODE_NOT_READY,
    WORKLOAD_NOT_READY,
    CRASH_LOOP,
    PVC_PENDING,
    HELM_RELEASE_FAILED,
    OBJECT_DISAPPEARED,
)
"""What a rehearsal compares, in the order its sections are shown."""


def rehearsal_differences(before: Snapshot, after: Snapshot) -> list[Difference]:
    """Every difference between a cluster before and after its upgrade."""
    old, new = objects_by_key(before), objects_by_key(after)
    return [
        *server_version(before, after),
        *node_versions(before, after),
        *nodes_not_ready(before, after),
        *disappeared(old, new, before.served_apis, after.served_apis),
        *workloads_not_ready(old, new),
        *crash_loops(before, after, new),
        *pending_pvcs(before, after),
        *failed_releases(before, after),
    ]


def server_version(before: Snapshot, after: Snapshot) -> Iterator[Difference]:
    """The API server's version, before → after (a warning when it went down)."""
    old = before.cluster.server_version if before.cluster else None
    new = after.cluster.server_version if after.cluster else None
    if old is None or new is None:
        return
    if old == new:
        message = "The API server's version did not change: was the control plane upgraded?"
        yield Difference(SERVER_VERSION.id, Severity.INFO, "API server", message, old, new)
    elif _older(new, old):
        message = "The API server's version went down: check which snapshot is which."
        yield Difference(SERVER_VERSION.id, Severity.WARNING, "API server", message, old, new)
    else:
        yield Difference(SERVER_VERSION.id, Severity.INFO, "API server", "Upgraded.", old, new)


def _older(a: str, b: str) -> bool:
    try:
        return parse_minor(a) < parse_minor(b)
    except VersionError:
        return False


def node_versions(before: Snapshot, after: Snapshot) -> Iterator[Difference]:
    """The kubelet versions of the nodes, and fewer nodes than before (a warning)."""
    old, new = version_counts(before.nodes), version_counts(after.nodes)
    if old != new:
        yield Difference(NODE_VERSION.id, Severity.INFO, "kubelets", "Kubelet versions.", old, new)
    if len(after.nodes) < len(before.nodes):
        yield Difference(
            NODE_COUNT.id,
            Severity.WARNING,
            "nodes",
            "Fewer nodes than before the upgrade: check that every node pool came back.",
            plural(len(before.nodes), "node"),
            plural(len(after.nodes), "node"),
        )


def nodes_not_ready(before: Snapshot, after: Snapshot) -> Iterator[Difference]:
    """Nodes not Ready after the upgrade that were Ready (or absent) before."""
    was_ready = {n.name: n.ready for n in before.nodes}
    for node in sorted(after.nodes, key=lambda n: n.name):
        previous = was_ready.get(node.name)
        if node.ready or previous is False:
            continue
        state = "Ready" if previous else "absent"
        yield Difference(
            NODE_NOT_READY.id,
            Severity.BLOCKER,
            f"node {node.name}",
            f"Not Ready after the upgrade (kubelet {node.kubelet_version}).",
            state,
            "NotReady",
        )


def disappeared(
    old: dict[ObjectKey, ObservedObject],
    new: dict[ObjectKey, ObservedObject],
    served_before: tuple[str, ...],
    served_after: tuple[str, ...],
) -> Iterator[Difference]:
    """Objects present before and gone after (kinds that come and go by design left out),
    saying so when the API they were listed through is no longer served."""
    removed = set(served_before) - set(served_after) if served_after else set()
    for key in sorted(old.keys() - new.keys(), key=_sortable):
        obj = old[key]
        if key[0] in EPHEMERAL_KINDS or is_helm_record(obj):
            continue
        api = obj.ref.api_version
        if api in removed:
            message = f"Its API {api} is no longer served."
        else:
            message = "Deleted during the upgrade, or no longer listed."
        yield Difference(
            OBJECT_DISAPPEARED.id,
            Severity.WARNING,
            display(key),
            message,
            "present",
            "absent",
            obj.ref,
        )


def _sortable(key: ObjectKey) -> tuple[str, str, str]:
    return (key[0], key[1] or "", key[2])


def workloads_not_ready(
    old: dict[ObjectKey, ObservedObject], new: dict[ObjectKey, ObservedObject]
) -> Iterator[Difference]:
    """Workloads fully ready before and not after (a blocker), or new and not ready."""
    for key in sorted(new, key=_sortable):
        if key[0] not in WORKLOAD_KINDS:
            continue
        now = readiness(new[key])
        if now is None or now.ok or now.desired == 0:
            continue
        then = readiness(old[key]) if key in old else None
        if then is not None and then.ok:
            severity, message = Severity.BLOCKER, "Fully ready before the upgrade, not after."
        elif key not in old:
            severity, message = Severity.WARNING, "New since the first snapshot, and not ready."
        else:
            continue  # already not ready before: not the upgrade's doing
        before = str(then) if then is not None else "absent"
        yield Difference(
            WORKLOAD_NOT_READY.id, severity, display(key), message, before, str(now), new[key].ref
        )


def crash_loops(
    before: Snapshot, after: Snapshot, new: dict[ObjectKey, ObservedObject]
) -> Iterator[Difference]:
    """Controllers whose pods crash-loop after the upgrade and did not before (a blocker), or
    whose containers restarted RESTART_JUMP or more times more than before (a warning)."""
    old_health = pod_health(before)
    for key, now in sorted(pod_health(after).items(), key=lambda kv: _sortable(kv[0])):
        then = old_health.get(key, PodHealth(0, 0, 0))
        if now.crash_looping and not then.crash_looping:
            severity = Severity.BLOCKER
            message = f"{now.crash_looping} of {plural(now.pods, 'pod')} in CrashLoopBackOff."
        elif not now.crash_looping and now.restarts - then.restarts >= RESTART_JUMP:
            severity = Severity.WARNING
            message = "Containers restarted repeatedly since the first snapshot."
        else:
            continue
        ref = new[key].ref if key in new else None
        before_text, after_text = _restarts(then), _restarts(now)
        yield Difference(
            CRASH_LOOP.id, severity, display(key), message, before_text, after_text, ref
        )


def _restarts(health: PodHealth) -> str:
    return plural(health.restarts, "restart")


def pending_pvcs(before: Snapshot, after: Snapshot) -> Iterator[Difference]:
    """PersistentVolumeClaims Pending after the upgrade and not before: a blocker when they
    were Bound (a volume lost), a warning when new (a provisioner may be broken)."""
    old = pvc_phases(before)
    for key, phase in sorted(pvc_phases(after).items(), key=lambda kv: _sortable(kv[0])):
        previous = old.get(key)
        if phase != "Pending" or previous == "Pending":
            continue
        severity = Severity.BLOCKER if previous == "Bound" else Severity.WARNING
        message = "Pending after the upgrade: no volume is bound to it."
        yield Difference(
            PVC_PENDING.id, severity, display(key), message, previous or "absent", phase
        )


def failed_releases(before: Snapshot, after: Snapshot) -> Iterator[Difference]:
    """Helm releases whose newest revision is failed after the upgrade and was not before."""
    old = latest_releases(before)
    for key, release in sorted(latest_releases(after).items()):
        previous = old.get(key)
        if release.status != "failed" or (previous is not None and previous.status == "failed"):
            continue
        then = f"rev {previous.revision} {previous.status}" if previous else "absent"
        yield Difference(
            HELM_RELEASE_FAILED.id,
            Severity.BLOCKER,
            f"Helm release {release.namespace}/{release.name}",
            f"Its newest revision failed (chart {release.chart}@{release.chart_version}).",
            then,
            f"rev {release.revision} failed",
        )

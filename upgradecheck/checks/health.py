"""The health baseline, recorded before the upgrade so that afterwards one can tell what the
upgrade broke from what was already broken: `node-not-ready` (a warning: such nodes cannot
be drained cleanly and stall node-pool upgrades), and as info `pod-crashloop`,
`pod-oomkilled`, `pvc-pending` and `job-failed`. Pods are reported once per controller."""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from typing import Any

from upgradecheck.checks.evidence import field_evidence
from upgradecheck.checks.interface import Check, CheckContext
from upgradecheck.checks.rule import Rule
from upgradecheck.model import (
    Evidence,
    EvidenceSource,
    Finding,
    NodeInfo,
    ObjectRef,
    ObservedObject,
    Severity,
)
from upgradecheck.nodepools import by_pool, pool_label
from upgradecheck.shapes import as_int, as_map, as_maps, as_str, dig
from upgradecheck.wording import names, plural
from upgradecheck.workloads import MANY_RESTARTS, Workloads, statuses, uneventful

NODE_NOT_READY = Rule(
    id="node-not-ready",
    title="Node not Ready",
    what="Nodes whose Ready condition is not True, one finding per node pool (a warning).",
    why="Their pods cannot be evicted cleanly, node-pool upgrades wait on them, and after "
    "the upgrade they would pass for something the upgrade broke.",
    fix="Repair or remove the nodes before the upgrade.",
    source="https://kubernetes.io/docs/concepts/architecture/nodes/#condition",
    severity=Severity.WARNING,
)

POD_CRASHLOOP = Rule(
    id="pod-crashloop",
    title="Pods crash-looping or restarting often (baseline)",
    what="Containers waiting in CrashLoopBackOff or restarted 10 or more times, one "
    "finding per controller.",
    why="Recorded before the upgrade so that afterwards it is not mistaken for something "
    "the upgrade broke.",
    fix="Find the cause (kubectl logs --previous), or note it as already broken.",
    source="https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#container-restarts",
    severity=Severity.INFO,
)

POD_OOMKILLED = Rule(
    id="pod-oomkilled",
    title="Containers killed for memory (baseline)",
    what="Containers whose last (or current) termination reason is OOMKilled, one finding "
    "per controller.",
    why="Recorded before the upgrade so that afterwards it is not mistaken for something "
    "the upgrade broke; tight limits also fail more often on busier, fewer nodes.",
    fix="Raise the memory limit or fix the leak; note it as already broken.",
    source="https://kubernetes.io/docs/tasks/configure-pod-container/assign-memory-resource/",
    severity=Severity.INFO,
)

PVC_PENDING = Rule(
    id="pvc-pending",
    title="PersistentVolumeClaim Pending (baseline)",
    what="PersistentVolumeClaims in phase Pending.",
    why="Recorded before the upgrade so that a storage problem after it (for instance a "
    "CSI migration) can be told from one that was already there.",
    fix="Check the provisioner and the storage class (kubectl describe pvc).",
    source="https://kubernetes.io/docs/concepts/storage/persistent-volumes/#binding",
    severity=Severity.INFO,
)

JOB_FAILED = Rule(
    id="job-failed",
    title="Failed Jobs (baseline)",
    what="Jobs with a Failed condition, or with failed pods, none succeeded and none "
    "active; one finding per CronJob (or Job).",
    why="Recorded before the upgrade so that afterwards it is not mistaken for something "
    "the upgrade broke.",
    fix="Look at the failed pods' logs; note it as already broken.",
    source="https://kubernetes.io/docs/concepts/workloads/controllers/job/"
    "#handling-pod-and-container-failures",
    severity=Severity.INFO,
)

ContainerTest = Callable[[Mapping[str, Any]], str | None]


def crashlooping(status: Mapping[str, Any]) -> str | None:
    """`CrashLoopBackOff, 42 restarts` for a crash-looping or often restarted container."""
    restarts = as_int(status.get("restartCount")) or 0
    waiting = dig(status, "state", "waiting", "reason")
    if waiting == "CrashLoopBackOff" or restarts >= MANY_RESTARTS:
        return f"{waiting or 'running'}, {plural(restarts, 'restart')}"
    return None


def oom_killed(status: Mapping[str, Any]) -> str | None:
    """`OOMKilled at <time>` when the container's last (or current) termination was OOM."""
    for state in ("lastState", "state"):
        terminated = as_map(dig(status, state, "terminated"))
        if terminated.get("reason") == "OOMKilled":
            return f"OOMKilled at {terminated.get('finishedAt', 'an unknown time')}"
    return None


def job_failed(job: ObservedObject) -> str | None:
    """Why a Job counts as failed: a Failed condition, or failures with no success left
    running; None otherwise."""
    status = as_map(job.body.get("status"))
    for condition in as_maps(status.get("conditions")):
        if condition.get("type") == "Failed" and condition.get("status") == "True":
            return f"condition Failed ({condition.get('reason') or 'no reason given'})"
    failed, succeeded, active = (
        as_int(status.get(k)) or 0 for k in ("failed", "succeeded", "active")
    )
    if failed > 0 and not succeeded and not active:
        return f"{plural(failed, 'failed pod')}, none succeeded"
    return None


def _containers_seen(
    groups: Mapping[ObjectRef, list[ObservedObject]],
    tests: tuple[ContainerTest, ...],
    eventful: Container[int] | None = None,
) -> list[dict[ObjectRef, list[Evidence]]]:
    """For each test, the owners whose pods have containers it finds, each with that
    evidence in the order of its pods' names: one pass over every pod's statuses for all
    the tests (most pods have nothing to show, and are never sorted), or only over the pods
    in `eventful` (by identity) when given: the others are `quiet`."""
    hits: list[dict[ObjectRef, list[tuple[str, Evidence]]]] = [{} for _ in tests]
    for owner, pods in groups.items():
        for pod in pods:
            if eventful is not None and id(pod) not in eventful:
                continue
            body_status = pod.body.get("status")
            if type(body_status) is dict and body_status.get("initContainerStatuses") is None:
                # The common shape, read in place: what statuses() would list.
                found_here = body_status.get("containerStatuses")
                seen_here = found_here if type(found_here) is list else []
            else:
                seen_here = statuses(pod)
            for status in seen_here:
                if type(status) is dict:
                    if uneventful(status):
                        continue
                elif not isinstance(status, Mapping):
                    continue  # statuses() leaves out what is not a mapping
                for test, found in zip(tests, hits, strict=True):
                    seen = test(status)
                    if seen is not None:
                        where = f"pod {pod.ref.name} container {status.get('name')}"
                        evidence = field_evidence(pod.ref, where, seen)
                        found.setdefault(owner, []).append((pod.ref.name, evidence))
    # A stable sort by pod name keeps each pod's containers in their order.
    return [
        {owner: [e for _, e in sorted(seen, key=_first)] for owner, seen in found.items()}
        for found in hits
    ]


def _first(pair: tuple[str, Evidence]) -> str:
    return pair[0]


class HealthCheck(Check):
    """What is already broken before the upgrade."""

    rules = (NODE_NOT_READY, POD_CRASHLOOP, POD_OOMKILLED, PVC_PENDING, JOB_FAILED)

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        yield from self._nodes(ctx.snapshot.nodes)
        workloads = ctx.workloads
        groups = workloads.pods_by_owner()
        told = ctx.snapshot.eventful_pods()
        eventful = None if told is None else {id(pod) for pod in told}
        seen = _containers_seen(groups, (crashlooping, oom_killed), eventful)
        for rule, found in zip((POD_CRASHLOOP, POD_OOMKILLED), seen, strict=True):
            for owner, evidence in found.items():
                yield self._pod_finding(rule, owner, len(groups[owner]), evidence)
        yield from self._pvcs(ctx)
        yield from self._jobs(ctx, workloads)

    def _nodes(self, nodes: Iterable[NodeInfo]) -> Iterator[Finding]:
        for pool, members in by_pool(n for n in nodes if not n.ready).items():
            who = pool_label(pool)
            yield NODE_NOT_READY.finding(
                f"{plural(len(members), 'node')} of {who} not Ready "
                f"({names([n.name for n in members])}): their pods cannot be evicted cleanly, "
                "node-pool upgrades wait on them, and after the upgrade they would look like "
                "something the upgrade broke.",
                "Repair or remove these nodes before the upgrade (kubectl describe node NAME).",
                subject=who,
                evidence=(
                    Evidence(EvidenceSource.NODE, n.name, n.kubelet_version, "not Ready")
                    for n in members
                ),
            )

    def _pod_finding(
        self, rule: Rule, owner: ObjectRef, pods: int, evidence: list[Evidence]
    ) -> Finding:
        affected = len({e.location.split(" container ")[0] for e in evidence})
        of = f"{affected} of {plural(pods, 'pod')}" if owner.kind != "Pod" else "the pod"
        if rule is POD_CRASHLOOP:
            what = (
                f"containers crash-looping or restarted {MANY_RESTARTS}+ times in {of} of "
                f"{owner.display()}"
            )
            fix = "Find the cause (kubectl logs --previous) before the upgrade, or note it."
        else:
            what = f"containers killed for running out of memory in {of} of {owner.display()}"
            fix = "Raise the memory limit or fix the leak; note it as already broken."
        return rule.finding(
            f"Before the upgrade: {what}.",
            fix,
            obj=owner,
            evidence=evidence,
        )

    def _pvcs(self, ctx: CheckContext) -> Iterator[Finding]:
        for obj in ctx.snapshot.of_kind("PersistentVolumeClaim"):
            if dig(obj.body, "status", "phase") == "Pending":
                storage_class = (
                    as_str(dig(obj.body, "spec", "storageClassName")) or "the default class"
                )
                yield PVC_PENDING.finding(
                    f"Before the upgrade: {obj.ref.display()} is Pending (storage class "
                    f"{storage_class}): no volume is bound to it.",
                    "Check the provisioner and the storage class (kubectl describe pvc); "
                    "note it as already broken.",
                    obj=obj.ref,
                    evidence=(field_evidence(obj.ref, "status.phase", "Pending"),),
                )

    def _jobs(self, ctx: CheckContext, workloads: Workloads) -> Iterator[Finding]:
        failed: dict[ObjectRef, list[tuple[str, Evidence]]] = {}
        for obj in ctx.snapshot.of_kind("Job"):
            why = job_failed(obj)
            if why is not None:
                seen = field_evidence(obj.ref, f"job {obj.ref.name} status", why)
                failed.setdefault(workloads.owner_of(obj), []).append((obj.ref.name, seen))
        for owner, jobs in failed.items():
            if owner.kind == "Job":
                message = f"Before the upgrade: {owner.display()} failed ({jobs[0][1].detail})."
            else:
                listed = names(sorted(name for name, _ in jobs))
                message = (
                    f"Before the upgrade: {plural(len(jobs), 'failed Job')} of "
                    f"{owner.display()} ({listed})."
                )
            yield JOB_FAILED.finding(
                message,
                "Look at the failed pods' logs; note it as already broken.",
                obj=owner,
                evidence=(e for _, e in jobs),
            )

"""The health baseline: node-not-ready, pod-crashloop, pod-oomkilled, pvc-pending,
job-failed; pods reported once per controller."""

from __future__ import annotations

from typing import Any

from support.riskfixtures import cluster, context, deployment, node, obj, owner, pod, run

from upgradecheck.checks.health import (
    JOB_FAILED,
    NODE_NOT_READY,
    POD_CRASHLOOP,
    POD_OOMKILLED,
    PVC_PENDING,
    HealthCheck,
)
from upgradecheck.model import ObservedObject, Severity

CHECK = HealthCheck()


def status(
    restarts: int = 0, waiting: str | None = None, last: str | None = None
) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "app", "restartCount": restarts, "state": {}}
    if waiting:
        container["state"] = {"waiting": {"reason": waiting}}
    if last:
        container["lastState"] = {
            "terminated": {"reason": last, "finishedAt": "2026-11-24T10:00:00Z"}
        }
    return {"phase": "Running", "containerStatuses": [container]}


def replica_pods(n: int, **kw: Any) -> list[ObservedObject]:
    return [
        pod(
            "shop",
            f"web-5d9c-{i}",
            labels={"pod-template-hash": "5d9c"},
            owners=[owner("ReplicaSet", "web-5d9c")],
            status=status(**kw),
        )
        for i in range(n)
    ]


def test_not_ready_nodes_one_warning_per_pool() -> None:
    nodes = [
        node("a", "v1.23.1", "batch", ready=False),
        node("b", "v1.23.1", "batch", ready=False),
        node("c", "v1.23.1", "general", ready=False),
        node("d", "v1.23.1", "general"),
    ]
    found = run(CHECK, context(cluster(nodes=nodes)), NODE_NOT_READY)
    assert [(f.subject, len(f.evidence)) for f in found] == [
        ("node pool batch", 2),
        ("node pool general", 1),
    ]
    assert all(f.severity is Severity.WARNING for f in found)


def test_crashloop_one_finding_per_controller() -> None:
    pods = replica_pods(5, restarts=3, waiting="CrashLoopBackOff")
    [f] = run(CHECK, context(cluster(deployment("shop", "web"), *pods)), POD_CRASHLOOP)
    assert f.object is not None and (f.object.kind, f.object.name) == ("Deployment", "web")
    assert "5 of 5 pods of Deployment shop/web" in f.message and f.severity is Severity.INFO
    assert f.evidence[0].location == "pod web-5d9c-0 container app"
    assert f.evidence[0].detail == "CrashLoopBackOff, 3 restarts"


def test_restart_count_edge() -> None:
    assert run(CHECK, context(cluster(*replica_pods(1, restarts=9))), POD_CRASHLOOP) == []
    [f] = run(CHECK, context(cluster(*replica_pods(1, restarts=10))), POD_CRASHLOOP)
    # the ReplicaSet was not collected: its Deployment is named from the pod-template-hash
    assert f.object is not None and f.object.name == "web"


def test_oom_killed_last_state() -> None:
    pods = replica_pods(2, last="OOMKilled") + replica_pods(1, last="Error")
    [f] = run(CHECK, context(cluster(*pods)), POD_OOMKILLED)
    assert len(f.evidence) == 2 and f.evidence[0].detail.startswith("OOMKilled at 2026-11-24")


def test_every_status_shape_a_test_reads_is_judged() -> None:
    # Quiet containers (few restarts, a running state) are passed over in a few look-ups;
    # each shape either test reads must still be judged, malformed neighbours or not.
    quiet: list[dict[str, Any]] = [
        {"name": "a", "restartCount": 9, "state": {"running": {}}, "lastState": {}},
        {"name": "b", "restartCount": True, "state": [], "lastState": "x"},
        {"name": "c", "restartCount": 2**70, "state": None},
    ]
    loud: list[tuple[dict[str, Any], str]] = [
        ({"name": "d", "restartCount": 10, "state": {"running": {}}}, "pod-crashloop"),
        ({"name": "e", "state": {"waiting": {"reason": "CrashLoopBackOff"}}}, "pod-crashloop"),
        ({"name": "f", "state": {"terminated": {"reason": "OOMKilled"}}}, "pod-oomkilled"),
        ({"name": "g", "lastState": {"terminated": {"reason": "OOMKilled"}}}, "pod-oomkilled"),
    ]
    pods = [
        pod("shop", f"p-{i}", status={"containerStatuses": [*quiet, container]})
        for i, (container, _) in enumerate(loud)
    ]
    oom = {"name": "h", "state": {"terminated": {"reason": "OOMKilled"}}}
    pods += [
        pod("shop", "q-0", status={"containerStatuses": ["x", None, oom]}),
        pod("shop", "q-1", status={"initContainerStatuses": [oom], "containerStatuses": "x"}),
        pod("shop", "q-2", status={"containerStatuses": {"name": "h"}}),
    ]
    pods[-1].body["status"] = ["not", "a", "mapping"]
    found = list(CHECK.run(context(cluster(*pods))))
    assert sorted((f.rule, f.evidence[0].location) for f in found) == sorted(
        [(rule, f"pod p-{i} container {container['name']}")
         for i, (container, rule) in enumerate(loud)]
        + [("pod-oomkilled", "pod q-0 container h"), ("pod-oomkilled", "pod q-1 container h")]
    )  # fmt: skip


def test_pending_pvcs() -> None:
    pending = obj(
        "v1",
        "PersistentVolumeClaim",
        "db",
        "data-0",
        spec={"storageClassName": "gp2"},
        status={"phase": "Pending"},
    )
    bound = obj("v1", "PersistentVolumeClaim", "db", "data-1", status={"phase": "Bound"})
    [f] = run(CHECK, context(cluster(pending, bound)), PVC_PENDING)
    assert f.object is not None and f.object.name == "data-0" and "gp2" in f.message


def job(name: str, owners: list[dict[str, Any]] | None = None, **status: Any) -> ObservedObject:
    return obj("batch/v1", "Job", "ops", name, owners=owners or (), status=status)


def test_failed_jobs() -> None:
    failed_condition = job(
        "a", conditions=[{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}]
    )
    failed_count = job("b", failed=2)
    retried_ok = job("c", failed=2, succeeded=1)
    still_running = job("d", failed=1, active=1)
    found = run(
        CHECK,
        context(cluster(failed_condition, failed_count, retried_ok, still_running)),
        JOB_FAILED,
    )
    assert sorted(f.object.name for f in found if f.object) == ["a", "b"]
    assert "BackoffLimitExceeded" in found[0].message or "BackoffLimitExceeded" in found[1].message


def test_failed_jobs_of_a_cronjob_make_one_finding() -> None:
    cron = obj("batch/v1", "CronJob", "ops", "nightly")
    by_cron = [owner("CronJob", "nightly", "batch/v1")]
    jobs = [job(f"nightly-2911{i}", by_cron, failed=1) for i in range(3)]
    [f] = run(CHECK, context(cluster(cron, *jobs)), JOB_FAILED)
    assert f.object is not None and f.object.kind == "CronJob"
    assert "3 failed Jobs of CronJob ops/nightly" in f.message


def _status_family() -> list[Any]:
    """Container statuses of every shape the tests or `quiet` read, well formed or not."""
    values: list[Any] = [None, {}, "x", [], {"running": {}}, {"waiting": {"reason": "x"}},
                         {"waiting": {"reason": "CrashLoopBackOff"}},
                         {"terminated": {"reason": "OOMKilled"}}, {"terminated": {}}]
    restarts: list[Any] = [None, 0, 9, 10, True, "12", 2**70, -1]
    family: list[Any] = ["x", None, 3]
    for state in values:
        for last in values:
            for count in restarts:
                one: dict[str, Any] = {"name": "c"}
                for key, value in (("state", state), ("lastState", last),
                                   ("restartCount", count)):
                    if value is not None:
                        one[key] = value
                family.append(one)
    return family


def test_quiet_pods_show_nothing_the_tests_find() -> None:
    # The snapshot reader tells which pods are not quiet while it decodes them; the health
    # checks then look only at those. A quiet pod must be one they would find nothing in.
    from upgradecheck.checks.health import crashlooping, oom_killed
    from upgradecheck.workloads import quiet, statuses

    bodies: list[Any] = [{"containerStatuses": [s]} for s in _status_family()]
    bodies += [None, [], "x", {}, {"containerStatuses": "x"}, {"containerStatuses": None},
               {"initContainerStatuses": [], "containerStatuses": []},
               {"initContainerStatuses": None, "containerStatuses": [{"name": "c"}]}]
    told_quiet = 0
    for status_ in bodies:
        p = pod("shop", "p", owners=[owner("ReplicaSet", "web-5d9c")])
        p.body["status"] = status_
        if quiet(p.body):
            told_quiet += 1
            found = [t(s) for s in statuses(p) for t in (crashlooping, oom_killed)]
            assert found == [None] * len(found), status_
    assert 100 < told_quiet < len(bodies)  # the family holds both


def test_health_looks_only_at_the_pods_a_reader_told_eventful() -> None:
    from upgradecheck.workloads import quiet

    pods = (replica_pods(3, restarts=12) + replica_pods(2, last="OOMKilled")
            + replica_pods(4))
    for i, p in enumerate(pods):
        p.body["metadata"]["name"] = f"web-5d9c-{i}"
    whole = list(CHECK.run(context(cluster(deployment("shop", "web"), *pods))))
    snap = cluster(deployment("shop", "web"), *pods)
    told = snap.told_eventful_pods([p for p in snap.of_kind("Pod") if not quiet(p.body)])
    assert len(told.eventful_pods() or ()) == 5
    assert list(CHECK.run(context(told))) == whole
    assert {f.rule for f in whole} >= {"pod-crashloop", "pod-oomkilled"}
    # Told none: no pod is looked at (what the reader tells is what the check believes).
    none = cluster(deployment("shop", "web"), *pods).told_eventful_pods([])
    assert not {f.rule for f in CHECK.run(context(none))} & {"pod-crashloop", "pod-oomkilled"}

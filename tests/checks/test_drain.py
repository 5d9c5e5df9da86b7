"""single-replica / unmanaged-pod / emptydir-data: what a drain does to workloads."""

from __future__ import annotations

from support.riskfixtures import (
    cluster,
    context,
    deployment,
    manifests,
    obj,
    owner,
    pod,
    pod_spec,
    run,
    template,
    workload,
)

from upgradecheck.checks.drain import EMPTYDIR_DATA, SINGLE_REPLICA, UNMANAGED_POD, DrainCheck
from upgradecheck.model import Severity

CHECK = DrainCheck()
SCRATCH = pod_spec(volumes=[{"name": "cache", "emptyDir": {}}])


def test_single_replica_edge() -> None:
    one = deployment("shop", "one", replicas=1)
    two = deployment("shop", "two", replicas=2)
    unset = deployment("shop", "autoscaled", replicas=None)
    sts = obj("apps/v1", "StatefulSet", "db", "pg", spec={"replicas": 1, "template": template()})
    found = run(CHECK, context(manifests(one, two, unset, sts)), SINGLE_REPLICA)
    assert sorted(f.object.name for f in found if f.object) == ["one", "pg"]
    assert all(f.severity is Severity.INFO for f in found)
    assert found[0].evidence[0].location == "spec.replicas"


def test_unmanaged_pods_grouped_per_namespace() -> None:
    bare = pod("ops", "debug")
    owned = pod("ops", "web-1", owners=[owner("ReplicaSet", "web-1")])
    mirror = pod("kube-system", "etcd-cp", annotations={"kubernetes.io/config.mirror": "x"})
    done = pod("ops", "one-off", status={"phase": "Succeeded"})
    [f] = run(CHECK, context(cluster(bare, owned, mirror, done)), UNMANAGED_POD)
    assert (f.severity, f.object and f.object.name) == (Severity.WARNING, "debug")
    assert f.evidence[0].location == "metadata.ownerReferences"
    many = [pod("ci", f"runner-{i}") for i in range(12)]
    [f] = run(CHECK, context(cluster(*many)), UNMANAGED_POD)
    assert f.object is None and f.subject == "namespace ci"
    assert "12 pods" in f.message and "and 7 more" in f.message and len(f.evidence) == 10


def test_emptydir_once_per_workload_daemonsets_and_static_pods_skipped() -> None:
    web = deployment("shop", "web", spec=SCRATCH)
    rs = obj(
        "apps/v1",
        "ReplicaSet",
        "shop",
        "web-abc",
        owners=[owner("Deployment", "web")],
        spec={"template": template(SCRATCH)},
    )
    pods = [
        pod("shop", f"web-abc-{i}", spec=SCRATCH, owners=[owner("ReplicaSet", "web-abc")])
        for i in range(3)
    ]
    agent = workload("DaemonSet", "monitoring", "agent", spec=SCRATCH)
    static = pod(
        "kube-system", "x-cp", spec=SCRATCH, annotations={"kubernetes.io/config.mirror": "1"}
    )
    plain = deployment("shop", "api")
    [f] = run(CHECK, context(cluster(web, rs, *pods, agent, static, plain)), EMPTYDIR_DATA)
    assert f.object is not None and (f.object.kind, f.object.name) == ("Deployment", "web")
    assert f.evidence[0].location == "spec.template.spec.volumes[cache].emptyDir"
    assert "--delete-emptydir-data" in f.message and f.severity is Severity.INFO


def test_bare_pod_with_emptydir() -> None:
    [f] = run(CHECK, context(cluster(pod("ops", "tmp", spec=SCRATCH))), EMPTYDIR_DATA)
    assert f.evidence[0].location == "spec.volumes[cache].emptyDir"

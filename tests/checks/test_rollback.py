"""image-latest / no-resource-requests / no-readiness-probe, once per workload."""

from __future__ import annotations

import pytest
from support.riskfixtures import (
    cluster,
    container,
    context,
    deployment,
    manifests,
    owner,
    pod,
    pod_spec,
    run,
    workload,
)

from upgradecheck.checks.rollback import (
    IMAGE_LATEST,
    NO_READINESS_PROBE,
    NO_RESOURCE_REQUESTS,
    RollbackCheck,
    floating_tag,
)
from upgradecheck.model import Severity

CHECK = RollbackCheck()
REQUESTS = {"requests": {"cpu": "100m", "memory": "128Mi"}}
PROBE = {"httpGet": {"path": "/ready", "port": 8080}}
PORTS = [{"containerPort": 8080}]


@pytest.mark.parametrize(
    ("image", "why"),
    [
        ("nginx", "untagged"),
        ("nginx:latest", ":latest"),
        ("registry.local:5000/team/nginx", "untagged"),
        ("registry.local:5000/team/nginx:1.25.3", None),
        ("nginx:1.25", None),
        ("nginx@sha256:0123abcd", None),
        ("nginx:latest@sha256:0123abcd", None),
    ],
)
def test_floating_tags(image: str, why: str | None) -> None:
    assert floating_tag(image) == why


def test_latest_images_one_finding_per_workload() -> None:
    spec = pod_spec(
        container("app", "example.org/app:latest", resources=REQUESTS),
        initContainers=[container("init", "busybox", resources=REQUESTS)],
    )
    pods = [
        pod(
            "shop",
            f"web-abc-{i}",
            spec=spec,
            owners=[owner("ReplicaSet", "web-abc")],
            labels={"pod-template-hash": "abc"},
        )
        for i in range(3)
    ]
    [f] = run(CHECK, context(cluster(deployment("shop", "web", spec=spec), *pods)), IMAGE_LATEST)
    assert f.severity is Severity.WARNING and f.object is not None and f.object.name == "web"
    assert [e.location for e in f.evidence] == [
        "spec.template.spec.initContainers[init].image",
        "spec.template.spec.containers[app].image",
    ]
    pinned = deployment("shop", "api", spec=pod_spec(container(image="example.org/app:2.1")))
    assert run(CHECK, context(manifests(pinned)), IMAGE_LATEST) == []


def test_missing_requests() -> None:
    spec = pod_spec(
        container("app", resources=REQUESTS),
        container("sidecar"),
        container("limited", resources={"limits": {"cpu": "1"}}),
    )
    [f] = run(CHECK, context(manifests(deployment("shop", "web", spec=spec))), NO_RESOURCE_REQUESTS)
    assert f.severity is Severity.INFO and "2 containers" in f.message
    assert [e.location for e in f.evidence] == [
        "spec.template.spec.containers[sidecar].resources",
        "spec.template.spec.containers[limited].resources",
    ]


def test_readiness_probes_on_serving_containers_of_long_running_workloads() -> None:
    serving = pod_spec(container("app", ports=PORTS, resources=REQUESTS))
    probed = pod_spec(container("app", ports=PORTS, readinessProbe=PROBE, resources=REQUESTS))
    worker = pod_spec(container("worker", resources=REQUESTS))
    objects = [
        deployment("shop", "web", spec=serving),
        deployment("shop", "ok", spec=probed),
        deployment("shop", "queue", spec=worker),
        workload("StatefulSet", "db", "pg", spec=serving),
        workload("DaemonSet", "mon", "agent", spec=serving),
        workload("Job", "ops", "migrate", spec=serving),
    ]
    found = run(CHECK, context(manifests(*objects)), NO_READINESS_PROBE)
    assert sorted(f.object.name for f in found if f.object) == ["agent", "pg", "web"]
    assert found[0].evidence[0].location == "spec.template.spec.containers[app]"


def test_static_pods_are_left_alone() -> None:
    static = pod(
        "kube-system",
        "etcd-cp",
        annotations={"kubernetes.io/config.mirror": "x"},
        spec=pod_spec(container("etcd", "registry.k8s.io/etcd")),
    )
    assert run(CHECK, context(cluster(static))) == []

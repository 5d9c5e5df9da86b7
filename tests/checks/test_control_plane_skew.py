"""control-plane-skew: static control-plane pods against the API server's version."""

from __future__ import annotations

from support.riskfixtures import cluster, container, context, obj, pod, pod_spec, run, template

from upgradecheck.checks.control_plane_skew import CONTROL_PLANE_SKEW, ControlPlaneSkewCheck
from upgradecheck.model import ObservedObject, Severity

CHECK = ControlPlaneSkewCheck()
MIRROR = {"kubernetes.io/config.mirror": "abc123"}
NODE_OWNER = {"apiVersion": "v1", "kind": "Node", "name": "cp-1", "controller": True}


def static_pod(
    component: str, version: str, node: str = "cp-1", ns: str = "kube-system"
) -> ObservedObject:
    return pod(
        ns,
        f"{component}-{node}",
        labels={"component": component, "tier": "control-plane"},
        annotations=MIRROR,
        owners=[NODE_OWNER],
        spec=pod_spec(container(component, f"registry.k8s.io/{component}:{version}")),
    )


def control_plane(**versions: str) -> list[ObservedObject]:
    return [static_pod(c.replace("_", "-"), v) for c, v in versions.items()]


def test_components_at_the_api_servers_version_pass() -> None:
    pods = control_plane(
        kube_apiserver="v1.23.17", kube_controller_manager="v1.23.17", kube_scheduler="v1.23.17"
    )
    assert run(CHECK, context(cluster(*pods))) == []


def test_one_minor_older_falls_out_at_the_first_hop() -> None:
    pods = control_plane(kube_apiserver="v1.23.17", kube_controller_manager="v1.22.9")
    [f] = run(CHECK, context(cluster(*pods)), CONTROL_PLANE_SKEW)
    assert (f.severity, f.hop) == (Severity.BLOCKER, "1.24")
    assert f.object is not None and f.object.name == "kube-controller-manager-cp-1"
    assert "Once kube-apiserver is at 1.24 it is outside the policy" in f.message
    assert "Bring kube-controller-manager to 1.23" in f.remediation
    assert f.evidence[0].location == "spec.containers[kube-controller-manager].image"
    assert f.evidence[0].detail == "registry.k8s.io/kube-controller-manager:v1.22.9"


def test_newer_than_the_api_server_is_outside_now() -> None:
    [f] = run(CHECK, context(cluster(*control_plane(kube_scheduler="v1.24.1"))), CONTROL_PLANE_SKEW)
    assert f.severity is Severity.BLOCKER and "already outside the policy" in f.message
    assert f.hop is None  # wrong today: no hop makes it so


def test_health_check_with_no_hop_reports_what_is_wrong_today() -> None:
    pods = control_plane(kube_apiserver="v1.23.17", kube_controller_manager="v1.21.9")
    [f] = run(CHECK, context(cluster(*pods), target="1.23"), CONTROL_PLANE_SKEW)
    assert (f.severity, f.hop) == (Severity.BLOCKER, None)
    assert "before upgrading" not in f.remediation
    unfinished = control_plane(kube_apiserver="v1.23.17", kube_scheduler="v1.22.9")
    [f] = run(CHECK, context(cluster(*unfinished), target="1.23"), CONTROL_PLANE_SKEW)
    assert (f.severity, f.hop) == (Severity.WARNING, None)


def test_ha_api_server_one_minor_ahead_is_an_unfinished_upgrade() -> None:
    pods = [
        static_pod("kube-apiserver", "v1.24.0", "cp-2"),
        static_pod("kube-apiserver", "v1.23.17"),
    ]
    [f] = run(CHECK, context(cluster(*pods)), CONTROL_PLANE_SKEW)
    assert f.severity is Severity.WARNING and "unfinished" in f.message


def test_same_version_on_several_nodes_is_one_finding() -> None:
    pods = [static_pod("kube-scheduler", "v1.22.1", f"cp-{i}") for i in range(3)]
    [f] = run(CHECK, context(cluster(*pods)), CONTROL_PLANE_SKEW)
    assert f.object is None and f.subject == "kube-scheduler" and len(f.evidence) == 3


def test_cloud_controller_manager_deployment_is_judged() -> None:
    spec = pod_spec(container("cloud-controller-manager", "registry.k8s.io/ccm:v1.25.0"))
    ccm = obj(
        "apps/v1",
        "Deployment",
        "kube-system",
        "cloud-controller-manager",
        spec={"template": template(spec, labels={"k8s-app": "cloud-controller-manager"})},
    )
    [f] = run(CHECK, context(cluster(ccm)), CONTROL_PLANE_SKEW)
    assert f.object is not None and f.object.kind == "Deployment"


def test_ignored_outside_kube_system_untagged_or_without_current() -> None:
    elsewhere = static_pod("kube-scheduler", "v1.21.0", ns="default")
    digest = pod(
        "kube-system",
        "kube-scheduler-cp-1",
        labels={"component": "kube-scheduler"},
        spec=pod_spec(container("kube-scheduler", "registry.k8s.io/kube-scheduler@sha256:ab")),
    )
    assert run(CHECK, context(cluster(elsewhere, digest))) == []
    old = static_pod("kube-scheduler", "v1.21.0")
    assert run(CHECK, context(cluster(old), current=None)) == []

"""removed-feature: every detector type over nodes, objects, pod templates and metrics, gated
by hop."""

from __future__ import annotations

from support.riskfixtures import (
    cluster,
    container,
    context,
    deployment,
    detector,
    manifests,
    node,
    obj,
    owner,
    pod,
    pod_spec,
    removal,
    risk_kb,
    run,
    template,
)

from upgradecheck.checks.feature_detectors import DETECTORS
from upgradecheck.checks.interface import CheckContext
from upgradecheck.checks.removed_features import REMOVED_FEATURE, RemovedFeatureCheck
from upgradecheck.knowledge import load_knowledge_base
from upgradecheck.knowledge.model import DETECTOR_TYPES, Removal
from upgradecheck.model import ApiRequest, EvidenceSource, Severity, Snapshot

CHECK = RemovedFeatureCheck()
DOCKERSHIM = removal("dockershim", "1.24", detector("node-runtime", pattern="^docker://"))
GITREPO = removal("gitrepo-volume", "1.33", detector("pod-volume", field="gitRepo"))


def ctx(snap: Snapshot, *removals: Removal, **kw: str | None) -> CheckContext:
    return context(snap, kb=risk_kb(removals=removals), **kw)  # type: ignore[arg-type]


def test_every_detector_type_is_implemented() -> None:
    assert set(DETECTORS) == DETECTOR_TYPES


def test_docker_nodes_one_finding_per_pool_blocker_in_its_hop() -> None:
    nodes = [
        node("l1", "v1.23.1", "legacy", runtime="docker://20.10.17"),
        node("l2", "v1.23.1", "legacy", runtime="docker://20.10.17"),
        node("g1", "v1.23.1", "general", runtime="containerd://1.6.19"),
    ]
    [f] = run(CHECK, ctx(cluster(nodes=nodes), DOCKERSHIM))
    assert (f.rule, f.severity, f.hop, f.subject) == (
        REMOVED_FEATURE.id,
        Severity.BLOCKER,
        "1.24",
        "node pool legacy",
    )
    assert f.message.startswith("[dockershim] dockershim title: 2 nodes of node pool legacy")
    assert "It breaks in 1.24." in f.message and f.removed_in == "1.24"
    assert [e.location for e in f.evidence] == ["l1", "l2"]
    assert f.evidence[0].source is EvidenceSource.NODE
    assert f.link == "https://kubernetes.io/docs/dockershim/" and f.remediation == "Fix dockershim."


def test_breaking_after_the_target_or_never_is_info() -> None:
    docker = cluster(nodes=[node("l1", "v1.22.1", runtime="docker://20.10.17")])
    [f] = run(CHECK, ctx(docker, DOCKERSHIM, current="1.22", target="1.23"))
    assert (f.severity, f.hop) == (Severity.INFO, None)
    assert "after the target 1.23" in f.message
    undated = removal("ipvs", None, detector("node-runtime", pattern="^docker://"))
    [f] = run(CHECK, ctx(docker, undated))
    assert (f.severity, f.hop) == (Severity.INFO, None) and "No Kubernetes release" in f.message


def test_already_broken_at_the_current_version_has_no_hop() -> None:
    # A removal that broke before the current version is wrong today: reported with no hop,
    # with or without an upgrade ahead (target = current is a health check).
    old = removal("seccomp", "1.22", detector("node-runtime", pattern="^docker"))
    snap = cluster(nodes=[node("l1", "v1.23.1", runtime="docker://20.10.17")])
    for target in ("1.23", "1.26"):
        [f] = run(CHECK, ctx(snap, old, current="1.23", target=target))
        assert (f.severity, f.hop) == (Severity.BLOCKER, None)
        assert "Already broken: Kubernetes 1.22 removed it, and the cluster is at 1.23." in (
            f.message
        )


def test_warning_severity_comes_from_the_removal() -> None:
    soft = removal("soft", "1.25", detector("node-runtime", pattern="^docker"), severity="warning")
    snap = cluster(nodes=[node("l1", "v1.23.1", runtime="docker://20.10.17")])
    [f] = run(CHECK, ctx(snap, soft))
    assert (f.severity, f.hop) == (Severity.WARNING, "1.25")


def test_node_os_detector() -> None:
    cgroup = removal(
        "cgroup-v1", "1.35", detector("node-os", field="osImage", pattern="Amazon Linux 2$")
    )
    snap = cluster(nodes=[node("a", "v1.23.1", os_image="Amazon Linux 2"), node("b", "v1.23.1")])
    [f] = run(CHECK, ctx(snap, cgroup))
    assert [e.location for e in f.evidence] == ["a"]


def test_gitrepo_in_a_deployment_is_one_finding_not_one_per_pod() -> None:
    spec = pod_spec(volumes=[{"name": "src", "gitRepo": {"repository": "https://x"}}])
    web = deployment("shop", "web", spec=spec)
    rs = obj(
        "apps/v1",
        "ReplicaSet",
        "shop",
        "web-5d9c",
        owners=[owner("Deployment", "web")],
        spec={"template": template(spec)},
    )
    pods = [
        pod("shop", f"web-5d9c-{i}", spec=spec, owners=[owner("ReplicaSet", "web-5d9c")])
        for i in range(3)
    ]
    [f] = run(CHECK, ctx(cluster(web, rs, *pods), GITREPO, target="1.33", current="1.32"))
    assert f.object is not None and (f.object.kind, f.object.name) == ("Deployment", "web")
    assert f.evidence[0].location == "spec.template.spec.volumes[src].gitRepo"
    assert f.severity is Severity.BLOCKER and f.hop == "1.33"


def test_gitrepo_in_a_cronjob_template_and_in_pods_of_an_uncollected_deployment() -> None:
    spec = pod_spec(volumes=[{"name": "src", "gitRepo": {"repository": "https://x"}}])
    cron = obj(
        "batch/v1",
        "CronJob",
        "ops",
        "sync",
        spec={"jobTemplate": {"spec": {"template": template(spec)}}},
    )
    pods = [
        pod(
            "shop",
            f"api-7f8b9-{i}",
            spec=spec,
            labels={"pod-template-hash": "7f8b9"},
            owners=[owner("ReplicaSet", "api-7f8b9")],
        )
        for i in range(4)
    ]
    findings = run(CHECK, ctx(cluster(cron, *pods), GITREPO))
    by_kind = {f.object.kind: f for f in findings if f.object}
    assert set(by_kind) == {"CronJob", "Deployment"}
    assert by_kind["CronJob"].evidence[0].location == (
        "spec.jobTemplate.spec.template.spec.volumes[src].gitRepo"
    )
    deploy = by_kind["Deployment"]
    assert deploy.object is not None and deploy.object.name == "api"
    assert "4 pods seen" in deploy.message
    assert deploy.evidence[0].location == "pod api-7f8b9-0 spec.volumes[src].gitRepo"


def test_two_detectors_on_one_workload_merge() -> None:
    seccomp = removal(
        "seccomp",
        "1.27",
        detector("pod-annotation", prefix="seccomp.security.alpha.kubernetes.io/pod"),
        detector("pod-annotation", prefix="container.seccomp.security.alpha.kubernetes.io/"),
        severity="warning",
    )
    annotations = {
        "seccomp.security.alpha.kubernetes.io/pod": "runtime/default",
        "container.seccomp.security.alpha.kubernetes.io/app": "runtime/default",
    }
    web = deployment("shop", "web", annotations=annotations)
    plain = deployment("shop", "plain")
    [f] = run(CHECK, ctx(cluster(web, plain), seccomp, target="1.27"))
    assert {e.location for e in f.evidence} == {
        "spec.template.metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]",
        "spec.template.metadata.annotations[container.seccomp.security.alpha.kubernetes.io/app]",
    }


def test_storage_detectors() -> None:
    ebs = removal(
        "volume-aws-ebs",
        "1.27",
        detector("pod-volume", field="awsElasticBlockStore"),
        detector("persistent-volume", field="awsElasticBlockStore"),
        detector("storage-class-provisioner", provisioners=("kubernetes.io/aws-ebs",)),
        severity="warning",
    )
    pv = obj(
        "v1", "PersistentVolume", None, "pv-1", spec={"awsElasticBlockStore": {"volumeID": "v"}}
    )
    csi = obj("v1", "PersistentVolume", None, "pv-2", spec={"csi": {"driver": "ebs.csi.aws.com"}})
    gp2 = obj("storage.k8s.io/v1", "StorageClass", None, "gp2", provisioner="kubernetes.io/aws-ebs")
    gp3 = obj("storage.k8s.io/v1", "StorageClass", None, "gp3", provisioner="ebs.csi.aws.com")
    found = {f.object.name: f for f in run(CHECK, ctx(cluster(pv, csi, gp2, gp3), ebs)) if f.object}
    assert set(found) == {"pv-1", "gp2"}
    assert found["gp2"].evidence[0].location == "provisioner"
    assert found["pv-1"].evidence[0].location == "spec.awsElasticBlockStore"


def test_kube_proxy_mode_from_its_configmap() -> None:
    ipvs = removal(
        "kube-proxy-ipvs-mode",
        None,
        detector(
            "configmap-value",
            namespace="kube-system",
            name="kube-proxy",
            key="config.conf",
            pattern=r'(?m)^\s*mode:\s*"?ipvs"?\s*$',
        ),
        severity="warning",
    )

    def proxy_config(mode: str, ns: str = "kube-system") -> Snapshot:
        conf = f"kind: KubeProxyConfiguration\nclusterCIDR: 10.20.0.0/16\nmode: {mode}\n"
        return cluster(obj("v1", "ConfigMap", ns, "kube-proxy", data={"config.conf": conf}))

    [f] = run(CHECK, ctx(proxy_config('"ipvs"'), ipvs))
    assert f.evidence[0].location == "data[config.conf]" and f.evidence[0].detail == 'mode: "ipvs"'
    assert run(CHECK, ctx(proxy_config("iptables"), ipvs)) == []
    assert run(CHECK, ctx(proxy_config("ipvs", ns="default"), ipvs)) == []


def test_component_flag_on_static_pods_in_kube_system_only() -> None:
    psp = removal(
        "pod-security-policy",
        "1.25",
        detector(
            "component-flag",
            components=("kube-apiserver",),
            pattern=r"--enable-admission-plugins[= ]\S*\bPodSecurityPolicy\b",
        ),
    )
    command = ["kube-apiserver", "--enable-admission-plugins=NodeRestriction,PodSecurityPolicy"]
    spec = pod_spec(
        container("kube-apiserver", "registry.k8s.io/kube-apiserver:v1.23.1", command=command)
    )
    static = pod(
        "kube-system",
        "kube-apiserver-cp-1",
        spec=spec,
        labels={"component": "kube-apiserver"},
        annotations={"kubernetes.io/config.mirror": "x"},
    )
    [f] = run(CHECK, ctx(cluster(static), psp))
    assert f.evidence[0].location == "spec.containers[kube-apiserver].command"
    assert f.evidence[0].detail.endswith("PodSecurityPolicy") and f.hop == "1.25"
    elsewhere = pod("default", "kube-apiserver-x", spec=spec)
    assert run(CHECK, ctx(cluster(elsewhere), psp)) == []
    fine = pod_spec(container("kube-apiserver", command=["kube-apiserver", "--v=2"]))
    assert run(CHECK, ctx(cluster(pod("kube-system", "a", spec=fine)), psp)) == []


def test_object_kind_api_request_and_manual() -> None:
    psp = removal(
        "pod-security-policy",
        "1.25",
        detector("object-kind", group="policy", kind="PodSecurityPolicy"),
        detector("api-request", group="policy", version="v1beta1", resource="podsecuritypolicies"),
        detector("manual", check="Look at it."),
    )
    restricted = obj("policy/v1beta1", "PodSecurityPolicy", None, "restricted")
    other_group = obj("extensions/v1beta1", "PodSecurityPolicy", None, "old")
    snap = Snapshot(
        source="cluster",
        collected_at="x",
        objects=(restricted, other_group),
        api_requests=(ApiRequest("policy", "v1beta1", "podsecuritypolicies", "", "1.25"),),
    )
    findings = run(CHECK, ctx(snap, psp))
    assert sorted((f.object.name if f.object else f.subject) or "" for f in findings) == [
        "requests to policy/v1beta1 podsecuritypolicies",
        "restricted",
    ]
    manual_only = removal("cgroup", "1.35", detector("manual", check="stat"))
    assert run(CHECK, ctx(snap, manual_only)) == []


def test_manifest_scans_see_templates_too() -> None:
    spec = pod_spec(volumes=[{"name": "src", "gitRepo": {"repository": "https://x"}}])
    [f] = run(
        CHECK, ctx(manifests(deployment("a", "b", spec=spec)), GITREPO, current=None, target="1.33")
    )
    assert f.hop == "1.33" and f.severity is Severity.BLOCKER


def test_bundled_removals_on_a_docker_node() -> None:
    snap = cluster(nodes=[node("l1", "v1.23.1", "legacy", runtime="docker://20.10.17")])
    ctx_real = context(snap, kb=load_knowledge_base())
    ids = {f.message.split("]")[0].lstrip("[") for f in run(CHECK, ctx_real)}
    assert "dockershim" in ids


PSP_PODS = removal(
    "pod-security-policy", "1.25", detector("pod-annotation", prefix="kubernetes.io/psp")
)


def test_annotations_admission_writes_on_pods_merge_into_their_controller() -> None:
    web = deployment("shop", "web")
    pods = [
        pod(
            "shop",
            f"web-5d9c-{i}",
            labels={"pod-template-hash": "5d9c"},
            annotations={"kubernetes.io/psp": "eks.privileged"},
            owners=[owner("ReplicaSet", "web-5d9c")],
        )
        for i in range(3)
    ]
    [f] = run(CHECK, ctx(cluster(web, *pods), PSP_PODS))
    assert f.object is not None and (f.object.kind, f.object.name) == ("Deployment", "web")
    assert [e.location for e in f.evidence] == [
        "pod web-5d9c-0 metadata.annotations[kubernetes.io/psp]"
    ]


def test_a_removal_seen_everywhere_is_one_finding() -> None:
    bare = [pod("ci", f"runner-{i:02}", annotations={"kubernetes.io/psp": "x"}) for i in range(25)]
    [f] = run(CHECK, ctx(cluster(*bare), PSP_PODS))
    assert f.subject == "25 places" and f.object is None and len(f.evidence) == 10
    assert (
        "25 places: Pod ci/runner-00, Pod ci/runner-01" in f.message and "and 20 more" in f.message
    )
    few = run(CHECK, ctx(cluster(*bare[:10]), PSP_PODS))
    assert len(few) == 10

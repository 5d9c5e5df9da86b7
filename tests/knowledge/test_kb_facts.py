"""Spot facts: removal rules, alpha/beta handling, overlay corrections, skew, add-ons,
removals and their detector patterns."""

from __future__ import annotations

import re

import pytest

from upgradecheck.knowledge import KnowledgeBase
from upgradecheck.knowledge.model import Removal, SkewRule
from upgradecheck.versions import Minor, parse_minor


def m(text: str) -> Minor:
    return parse_minor(text)


def removal(kb: KnowledgeBase, ident: str) -> Removal:
    found = [r for r in kb.removals if r.id == ident]
    assert len(found) == 1, ident
    return found[0]


def rule(kb: KnowledgeBase, component: str, relative_to: str, version: str) -> SkewRule:
    found = [
        r
        for r in kb.skew_rules
        if r.component == component and r.relative_to == relative_to and r.applies_to(m(version))
    ]
    assert len(found) == 1, (component, relative_to, version)
    return found[0]


# --------------------------------------------------------------- built-in API lifecycles


def test_left_the_source_before_its_tag(bundled: KnowledgeBase) -> None:
    # tagged "removed 1.37", last in the source at 1.33: 1.34 no longer serves it
    for kind in ("ResourceClaim", "DeviceClass", "ResourceSlice", "ResourceClaimTemplate"):
        entry = bundled.api("resource.k8s.io/v1alpha3", kind)
        assert entry is not None and entry.removed_in == m("1.34"), kind


def test_kept_in_the_source_after_removal_keeps_the_tag(bundled: KnowledgeBase) -> None:
    deployment = bundled.api("extensions/v1beta1", "Deployment")
    assert deployment is not None and deployment.removed_in == m("1.16")
    ingress = bundled.api("extensions/v1beta1", "Ingress")
    assert ingress is not None and ingress.removed_in == m("1.22")
    assert ingress.replacement == "networking.k8s.io/v1" and ingress.replacement_kind == "Ingress"
    assert "pathType" in ingress.note and "service.name" in ingress.note


def test_flowcontrol_v1beta3(bundled: KnowledgeBase) -> None:
    entry = bundled.api("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema")
    assert entry is not None
    assert (entry.deprecated_in, entry.removed_in) == (m("1.29"), m("1.32"))
    assert entry.replacement == "flowcontrol.apiserver.k8s.io/v1"
    # a KEP-3136 exception: served by default though introduced in 1.26
    assert entry.enabled_by_default


def test_alpha_default_tags_are_dropped(bundled: KnowledgeBase) -> None:
    vap = bundled.api("admissionregistration.k8s.io/v1alpha1", "ValidatingAdmissionPolicy")
    assert vap is not None
    assert (vap.stability, vap.enabled_by_default) == ("alpha", False)
    assert vap.deprecated_in is None and vap.removed_in is None
    assert vap.replacement == "admissionregistration.k8s.io/v1"


def test_alpha_that_left_the_source_is_removed_the_release_after(bundled: KnowledgeBase) -> None:
    cidr = bundled.api("networking.k8s.io/v1alpha1", "ClusterCIDR")
    assert cidr is not None and cidr.removed_in == m("1.29") and cidr.deprecated_in is None
    lease = bundled.api("coordination.k8s.io/v1alpha1", "LeaseCandidate")
    assert lease is not None and lease.removed_in == m("1.32")


def test_alpha_with_a_hand_tagged_deprecation_keeps_its_tags(bundled: KnowledgeBase) -> None:
    capacity = bundled.api("storage.k8s.io/v1alpha1", "CSIStorageCapacity")
    assert capacity is not None
    assert (capacity.deprecated_in, capacity.removed_in) == (m("1.21"), m("1.24"))
    flow = bundled.api("flowcontrol.apiserver.k8s.io/v1alpha1", "FlowSchema")
    assert flow is not None and flow.removed_in == m("1.21")


def test_beta_introduced_from_1_24_is_off_by_default(bundled: KnowledgeBase) -> None:
    vap = bundled.api("admissionregistration.k8s.io/v1beta1", "ValidatingAdmissionPolicy")
    assert vap is not None and not vap.enabled_by_default
    assert vap.removed_in == m("1.34")
    cron = bundled.api("batch/v1beta1", "CronJob")
    assert cron is not None and cron.enabled_by_default


def test_overlay_corrections(bundled: KnowledgeBase) -> None:
    hpa_list = bundled.api("autoscaling/v2beta2", "HorizontalPodAutoscalerList")
    assert hpa_list is not None
    assert (hpa_list.deprecated_in, hpa_list.removed_in) == (m("1.23"), m("1.26"))
    assert (hpa_list.replacement, hpa_list.replacement_kind) == (
        "autoscaling/v2",
        "HorizontalPodAutoscalerList",
    )
    ingress_class = bundled.api("networking.k8s.io/v1beta1", "IngressClass")
    assert ingress_class is not None and ingress_class.replacement_kind == "IngressClass"
    rollback = bundled.api("apps/v1beta1", "DeploymentRollback")
    assert rollback is not None and rollback.replacement is None


def test_ga_deprecations_from_the_overlay(bundled: KnowledgeBase) -> None:
    endpoints = bundled.api("v1", "Endpoints")
    assert endpoints is not None
    assert (endpoints.stability, endpoints.deprecated_in, endpoints.removed_in) == (
        "ga",
        m("1.33"),
        None,
    )
    assert (endpoints.replacement, endpoints.replacement_kind) == (
        "discovery.k8s.io/v1",
        "EndpointSlice",
    )
    status = bundled.api("v1", "ComponentStatus")
    assert status is not None and status.deprecated_in == m("1.19") and status.replacement is None


def test_migration_notes(bundled: KnowledgeBase) -> None:
    notes = {
        ("policy/v1beta1", "PodDisruptionBudget"): "empty selector",
        ("certificates.k8s.io/v1beta1", "CertificateSigningRequest"): "signerName",
        ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"): "structural",
        ("admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration"): "sideEffects",
        ("autoscaling/v2beta2", "HorizontalPodAutoscaler"): "target",
        ("events.k8s.io/v1beta1", "Event"): "regarding",
    }
    for (api_version, kind), words in notes.items():
        entry = bundled.api(api_version, kind)
        assert entry is not None and words in entry.note, (api_version, kind)


def test_resources_and_scope(bundled: KnowledgeBase) -> None:
    pdb = bundled.api("policy/v1beta1", "PodDisruptionBudget")
    assert pdb is not None and (pdb.resource, pdb.namespaced) == ("poddisruptionbudgets", True)
    psp = bundled.api("policy/v1beta1", "PodSecurityPolicyList")
    assert psp is not None and (psp.resource, psp.namespaced) == ("podsecuritypolicies", False)
    eviction = bundled.api("policy/v1beta1", "Eviction")
    assert eviction is not None and eviction.resource == "pods/eviction"


# ------------------------------------------------------------------------ skew policy


def test_kubelet_may_be_three_minors_older_from_1_25(bundled: KnowledgeBase) -> None:
    new = rule(bundled, "kubelet", "kube-apiserver", "1.25")
    assert (new.max_older, new.max_newer) == (3, 0)
    assert rule(bundled, "kubelet", "kube-apiserver", "1.33").max_older == 3
    old = rule(bundled, "kubelet", "kube-apiserver", "1.24")
    assert (old.max_older, old.max_newer) == (2, 0)


def test_other_skew_rules(bundled: KnowledgeBase) -> None:
    assert rule(bundled, "kube-proxy", "kubelet", "1.30").max_newer == 3
    assert rule(bundled, "kube-proxy", "kubelet", "1.20").max_older == 2
    assert rule(bundled, "kubectl", "kube-apiserver", "1.30").max_newer == 1
    for component in ("kube-controller-manager", "kube-scheduler", "cloud-controller-manager"):
        r = rule(bundled, component, "kube-apiserver", "1.30")
        assert (r.max_older, r.max_newer) == (1, 0)
    assert bundled.upgrade_order[0] == ("kube-apiserver",)
    assert bundled.upgrade_order[-1] == ("kube-proxy",)


# --------------------------------------------------------------------------- add-ons


def test_addon_facts(bundled: KnowledgeBase) -> None:
    cert = bundled.addon_api("cert-manager.io/v1alpha2", "Certificate")
    assert cert is not None and (cert.addon, cert.removed_in) == ("cert-manager", "1.6")
    assert cert.replacement == "cert-manager.io/v1"
    traefik = bundled.addon_api("traefik.containo.us/v1alpha1", "IngressRoute")
    assert traefik is not None and traefik.kinds == () and traefik.removed_in == "3.0"
    eso = bundled.addon_api("external-secrets.io/v1beta1", "ExternalSecret")
    assert eso is not None and eso.removed_in == "0.17.0"
    assert bundled.addon_api("external-secrets.io/v1alpha1", "PushSecret") is None
    flux = bundled.addon_api("kustomize.toolkit.fluxcd.io/v1beta2", "Kustomization")
    assert flux is not None and (flux.deprecated_in, flux.removed_in) == ("2.0", "2.8")
    gateway = bundled.addon_api("gateway.networking.k8s.io/v1alpha2", "HTTPRoute")
    assert gateway is not None and gateway.removed_in == "0.8.0"
    names = {a.addon for a in bundled.addon_apis}
    assert {
        "cert-manager", "istio", "prometheus-operator", "gateway-api", "argo-cd",
        "argo-rollouts", "traefik", "external-secrets", "flux", "kyverno",
    } <= names  # fmt: skip


# --------------------------------------------------------------------------- removals


def test_removal_releases(bundled: KnowledgeBase) -> None:
    assert removal(bundled, "dockershim").breaks_in == m("1.24")
    assert removal(bundled, "pod-security-policy").breaks_in == m("1.25")
    assert removal(bundled, "in-tree-cloud-providers-removed").breaks_in == m("1.31")
    cgroup = removal(bundled, "cgroup-v1")
    assert (cgroup.breaks_in, cgroup.severity) == (m("1.35"), "warning")
    ipvs = removal(bundled, "kube-proxy-ipvs-mode")
    assert (ipvs.deprecated_in, ipvs.breaks_in) == (m("1.35"), None)
    assert removal(bundled, "endpoints-api-deprecated").detect[0].type == "api-request"


def test_psp_is_detected_by_kind_and_by_admission_flag(bundled: KnowledgeBase) -> None:
    detectors = {d.type: d.params for d in removal(bundled, "pod-security-policy").detect}
    assert detectors["object-kind"] == {"group": "policy", "kind": "PodSecurityPolicy"}
    pattern = re.compile(detectors["component-flag"]["pattern"])
    assert pattern.search("--enable-admission-plugins=NodeRestriction,PodSecurityPolicy")
    assert not pattern.search("--enable-admission-plugins=NodeRestriction,PodSecurity")


def _pattern(kb: KnowledgeBase, ident: str, kind: str = "component-flag") -> re.Pattern[str]:
    params = next(d.params for d in removal(kb, ident).detect if d.type == kind)
    return re.compile(params["pattern"])


@pytest.mark.parametrize(
    ("ident", "kind", "matches", "misses"),
    [
        ("dockershim", "node-runtime", "docker://20.10.7", "containerd://1.7.2"),
        ("containerd-1x", "node-runtime", "containerd://1.7.27", "containerd://2.0.4"),
        ("cri-v1alpha2-containerd-1-5", "node-runtime", "containerd://1.5.11", "containerd://1.6.0"),
        ("in-tree-cloud-providers-removed", "component-flag",
         "--cloud-provider=aws", "--cloud-provider=external"),
        ("kubelet-container-runtime-flag", "component-flag",
         "--container-runtime=remote", "--container-runtime-endpoint=unix:///run/c.sock"),
        ("feature-gates-removed-1-27", "component-flag",
         "--feature-gates=Foo=true,CSIMigration=true", "--feature-gates=CSIMigrationPortworx=true"),
        ("kube-proxy-ipvs-mode", "configmap-value",
         "kind: KubeProxyConfiguration\nmode: ipvs\n", 'mode: "iptables"\n'),
        ("kube-proxy-userspace-mode", "configmap-value", 'mode: "userspace"\n', "mode: nftables\n"),
    ],
)  # fmt: skip
def test_detector_patterns(
    bundled: KnowledgeBase, ident: str, kind: str, matches: str, misses: str
) -> None:
    pattern = _pattern(bundled, ident, kind)
    assert pattern.search(matches)
    assert not pattern.search(misses)


def test_volume_plugins_detected_three_ways(bundled: KnowledgeBase) -> None:
    ebs = {d.type: d.params for d in removal(bundled, "volume-aws-ebs").detect}
    assert ebs["pod-volume"] == {"field": "awsElasticBlockStore"}
    assert ebs["persistent-volume"] == {"field": "awsElasticBlockStore"}
    assert ebs["storage-class-provisioner"] == {"provisioners": ("kubernetes.io/aws-ebs",)}
    breaks = {r.id: str(r.breaks_in) for r in bundled.removals if r.id.startswith("volume-")}
    assert breaks["volume-gce-pd"] == "1.28" and breaks["volume-rbd"] == "1.31"
    assert breaks["volume-glusterfs"] == "1.26" and breaks["volume-portworx"] == "None"


@pytest.mark.parametrize(
    "api_version,kind,removed,replacement",
    [
        ("auditregistration.k8s.io/v1alpha1", "AuditSink", "1.19", None),
        ("settings.k8s.io/v1alpha1", "PodPreset", "1.20", None),
        ("batch/v2alpha1", "CronJob", "1.21", "batch/v1"),
        ("batch/v2alpha1", "CronJobList", "1.21", "batch/v1"),
        ("discovery.k8s.io/v1alpha1", "EndpointSlice", "1.21", "discovery.k8s.io/v1"),
        ("rbac.authorization.k8s.io/v1alpha1", "Role", "1.23", "rbac.authorization.k8s.io/v1"),
        ("scheduling.k8s.io/v1alpha1", "PriorityClass", "1.23", "scheduling.k8s.io/v1"),
        ("node.k8s.io/v1alpha1", "RuntimeClass", "1.24", "node.k8s.io/v1"),
        ("resource.k8s.io/v1alpha1", "ResourceClaim", "1.27", "resource.k8s.io/v1"),
        ("resource.k8s.io/v1alpha2", "PodSchedulingContext", "1.31", None),
        ("audit.k8s.io/v1alpha1", "Policy", "1.24", "audit.k8s.io/v1"),
    ],
)
def test_untagged_built_in_apis_are_removed_where_upstream_dropped_them(
    bundled: KnowledgeBase, api_version: str, kind: str, removed: str, replacement: str | None
) -> None:
    entry = bundled.api(api_version, kind)
    assert entry is not None
    assert entry.removed_in == m(removed)
    assert entry.replacement == replacement
    # alpha APIs were never on by default; none of these is served by any release now
    assert entry.enabled_by_default == (entry.stability != "alpha")


def test_audit_policy_is_a_file_format_not_a_resource(bundled: KnowledgeBase) -> None:
    policy = bundled.api("audit.k8s.io/v1beta1", "Policy")
    assert policy is not None and policy.resource == "" and not policy.namespaced
    assert (policy.deprecated_in, policy.removed_in) == (m("1.21"), m("1.24"))

"""Writes the bundled example snapshot (`examples/cluster-1.23.snapshot.json`): an EKS 1.23
cluster as `upgradecheck collect` would see it, with objects written through APIs that later
releases remove, Helm releases, deprecated-API request metrics and nodes of three versions,
and the risks of a real cluster: a kube-proxy add-on left behind, PodSecurityPolicies and
in-tree EBS volumes, budgets that block drains, a crash-looping fail-closed policy webhook,
an unavailable metrics API, certificates near or past expiry, and workloads that are hard to
move or roll back.

    python scripts/make_example_snapshot.py [-o examples/cluster-1.23.snapshot.json]
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from upgradecheck.model import (
    ApiRequest,
    ClientBinary,
    ClusterInfo,
    CoverageNote,
    Evidence,
    EvidenceSource,
    HelmRelease,
    NodeInfo,
    ObjectRef,
    ObservedObject,
    Snapshot,
)
from upgradecheck.snapshot_io import write_snapshot

COLLECTED = "2026-11-20T09:30:00Z"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def managed(
    manager: str, api_version: str, time: str, op: str = "Update", sub: str = ""
) -> Evidence:
    detail = f"operation {op}" + (f", subresource {sub}" if sub else "")
    return Evidence(EvidenceSource.MANAGED_FIELDS, f"manager {manager}", api_version, detail, time)


def applied(api_version: str) -> Evidence:
    return Evidence(EvidenceSource.LAST_APPLIED, LAST_APPLIED, api_version)


def obj(
    api_version: str,
    kind: str,
    ns: str | None,
    name: str,
    *evidence: Evidence,
    meta: dict[str, Any] | None = None,
    **body: Any,
) -> ObservedObject:
    meta = {"name": name, **(meta or {})}
    if ns:
        meta["namespace"] = ns
    doc = {"apiVersion": api_version, "kind": kind, "metadata": meta, **body}
    return ObservedObject(ObjectRef(api_version, kind, ns, name), tuple(evidence), doc)


def nodes() -> tuple[NodeInfo, ...]:
    pools = [
        ("general", "v1.23.17-eks-a59e1f0", "containerd://1.6.19", 4),
        ("batch", "v1.22.17-eks-48e63af", "containerd://1.6.6", 3),
        ("legacy", "v1.21.14-eks-48e63af", "docker://20.10.17", 2),
    ]
    out = []
    for pool, kubelet, runtime, count in pools:
        for i in range(count):
            out.append(
                NodeInfo(
                    name=f"ip-10-0-{len(out) + 11}-{40 + i}.eu-west-1.compute.internal",
                    kubelet_version=kubelet,
                    kube_proxy_version=kubelet,
                    container_runtime=runtime,
                    os_image="Amazon Linux 2",
                    kernel_version="5.10.198-187.748.amzn2.x86_64",
                    architecture="amd64",
                    ready=not (pool == "legacy" and i == 1),
                    pool=pool,
                    labels={"eks.amazonaws.com/nodegroup": pool},
                )
            )
    return tuple(out)


def api_objects() -> tuple[ObservedObject, ...]:
    """Objects written through APIs that later releases remove (and a few that are fine)."""
    t_old, t_new = "2022-03-14T10:02:11Z", "2026-10-02T08:15:43Z"
    return (
        obj("apps/v1", "Deployment", "shop", "web",
            applied("apps/v1"), managed("kubectl-client-side-apply", "apps/v1", t_new),
            spec={"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                  "template": template({"app": "web"}, [WEB], volumes=[SCRATCH])}),
        obj("policy/v1", "PodDisruptionBudget", "shop", "web",
            applied("policy/v1beta1"),
            managed("kubectl-client-side-apply", "policy/v1beta1", t_old),
            managed("kube-controller-manager", "policy/v1", t_new, sub="status"),
            spec={"maxUnavailable": 1, "selector": {"matchLabels": {"app": "web"}}},
            status=pdb_status(allowed=1, expected=3)),
        obj("policy/v1", "PodDisruptionBudget", "payments", "ledger",
            managed("argocd-application-controller", "policy/v1beta1", t_new, op="Apply"),
            spec={"minAvailable": 2, "selector": {"matchLabels": {"app": "ledger"}}},
            status=pdb_status(allowed=0, expected=2)),
        obj("networking.k8s.io/v1", "Ingress", "shop", "storefront",
            applied("extensions/v1beta1"),
            managed("kubectl-client-side-apply", "extensions/v1beta1", t_old)),
        obj("batch/v1", "CronJob", "payments", "nightly-settlement",
            managed("deploy-pipeline", "batch/v1beta1", t_new, op="Apply"),
            spec={"schedule": "30 1 * * *", "jobTemplate": {"spec": {"template": template(
                {"app": "settlement"},
                [container("settle", f"{ECR}/payments/settlement:2.14.0", requests=True)],
                restartPolicy="OnFailure")}}}),
        obj("batch/v1", "CronJob", "ops", "log-rotate",
            applied("batch/v1beta1"),
            managed("kubectl-client-side-apply", "batch/v1beta1", t_old)),
        obj("autoscaling/v2", "HorizontalPodAutoscaler", "shop", "web",
            managed("kubectl-client-side-apply", "autoscaling/v2beta2", t_old),
            applied("autoscaling/v2beta2")),
        obj("autoscaling/v2", "HorizontalPodAutoscaler", "search", "indexer",
            managed("hpa-operator", "autoscaling/v2beta1", t_new)),
        obj("policy/v1beta1", "PodSecurityPolicy", None, "restricted",
            applied("policy/v1beta1"),
            managed("kubectl-client-side-apply", "policy/v1beta1", t_old)),
        obj("flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema", None, "ci-runners",
            managed("platform-bootstrap", "flowcontrol.apiserver.k8s.io/v1beta1", t_old)),
        obj("discovery.k8s.io/v1", "EndpointSlice", "shop", "legacy-db-1",
            managed("legacy-registrar", "discovery.k8s.io/v1beta1", t_new),
            meta={"labels": {"kubernetes.io/service-name": "legacy-db"}},
            addressType="IPv4",
            endpoints=[{"addresses": ["10.20.4.17"], "conditions": {"ready": True}}],
            ports=[{"name": "postgres", "port": 5432, "protocol": "TCP"}]),
        obj("cert-manager.io/v1", "Certificate", "shop", "storefront-tls",
            applied("cert-manager.io/v1alpha2")),
        obj("networking.k8s.io/v1", "Ingress", "search", "api",
            applied("networking.k8s.io/v1"),
            managed("kubectl-client-side-apply", "networking.k8s.io/v1", t_new)),
    )


ECR = "111122223333.dkr.ecr.eu-west-1.amazonaws.com"
EKS_ECR = "602401143452.dkr.ecr.eu-west-1.amazonaws.com"
# A CA certificate (no key) that expires on 2026-12-12: the aws-load-balancer-controller's
# webhook CA, made once with `cryptography` so that the example does not change per run.
LB_WEBHOOK_CA = (
    "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJhakNDQVErZ0F3SUJBZ0lVUVR1TWlpVWxXdkZlcGx4emt3"
    "bVU1MUI5VVFBd0NnWUlLb1pJemowRUF3SXcKS2pFb01DWUdBMVVFQXd3ZllYZHpMV3h2WVdRdFltRnNZVzVqWlhJ"
    "dFkyOXVkSEp2Ykd4bGNpMWpZVEFlRncweQpOVEV5TVRJd09UQXdNREJhRncweU5qRXlNVEl3T1RBd01EQmFNQ294"
    "S0RBbUJnTlZCQU1NSDJGM2N5MXNiMkZrCkxXSmhiR0Z1WTJWeUxXTnZiblJ5YjJ4c1pYSXRZMkV3V1RBVEJnY3Fo"
    "a2pPUFFJQkJnZ3Foa2pPUFFNQkJ3TkMKQUFTRFNodS9mcUFrQnkyZU11S2YwMmo0eWg4QVdYNzl1M1ljYkZEQlp5"
    "K2EyZjgzYmdRYzh5RDl5TUNidERYMgpFQmRGNFNLS0tKdWRWSjBHRHpPY2E0M0NveE13RVRBUEJnTlZIUk1CQWY4"
    "RUJUQURBUUgvTUFvR0NDcUdTTTQ5CkJBTUNBMGtBTUVZQ0lRQ2ZGWUozMlVhWUVCUFdCS0FpWmkyZHBMdUZwenpN"
    "b2psR0RORkljRGFVNEFJaEFPYTQKQnNiRHBYKzFjRmFDZ1V6ZjRQdDluMXRWYm9aYVRDY2NQb3V3V050bAotLS0t"
    "LUVORCBDRVJUSUZJQ0FURS0tLS0tCg=="
)
READY = {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 5}
SCRATCH = {"name": "tmp", "emptyDir": {}}
EXCLUDE_SYSTEM = {"matchExpressions": [
    {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["kube-system"]}]}


def container(
    name: str, image: str, *, port: int | None = None, probe: bool = False,
    requests: bool = False, **extra: Any,
) -> dict[str, Any]:
    c: dict[str, Any] = {"name": name, "image": image, **extra}
    if port:
        c["ports"] = [{"containerPort": port, "protocol": "TCP"}]
    if probe:
        c["readinessProbe"] = READY
    if requests:
        c["resources"] = {"requests": {"cpu": "250m", "memory": "256Mi"}}
    return c


WEB = container("web", f"{ECR}/shop/web:3.41.2", port=8080, probe=True, requests=True,
                volumeMounts=[{"name": "tmp", "mountPath": "/tmp"}])


def template(labels: dict[str, str], containers: list[dict[str, Any]], *,
             annotations: dict[str, str] | None = None, **spec: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"labels": labels}
    if annotations:
        meta["annotations"] = annotations
    return {"metadata": meta, "spec": {"containers": containers, **spec}}


def pdb_status(allowed: int, expected: int) -> dict[str, Any]:
    healthy = expected
    return {"disruptionsAllowed": allowed, "expectedPods": expected, "currentHealthy": healthy,
            "desiredHealthy": expected - allowed, "observedGeneration": 1}


def controller(kind: str, name: str, api: str = "apps/v1") -> dict[str, Any]:
    return {"ownerReferences": [{"apiVersion": api, "kind": kind, "name": name,
                                 "controller": True, "blockOwnerDeletion": True}]}


def deployment(ns: str, name: str, replicas: int, tpl: dict[str, Any]) -> ObservedObject:
    labels = tpl["metadata"]["labels"]
    return obj("apps/v1", "Deployment", ns, name,
               spec={"replicas": replicas, "selector": {"matchLabels": labels}, "template": tpl},
               status={"replicas": replicas})


def running(name: str, restarts: int = 0, **state: Any) -> dict[str, Any]:
    return {"name": name, "ready": not state, "restartCount": restarts,
            "state": state.get("state", {"running": {"startedAt": "2026-11-02T07:12:00Z"}}),
            **({"lastState": state["last"]} if "last" in state else {})}


def pod(ns: str, name: str, labels: dict[str, str], spec: dict[str, Any],
        statuses: list[dict[str, Any]], owner: dict[str, Any] | None = None,
        phase: str = "Running") -> ObservedObject:
    meta: dict[str, Any] = {"labels": labels,
                            "annotations": {"kubernetes.io/psp": "eks.privileged"}}
    if owner:
        meta.update(owner)
    return obj("v1", "Pod", ns, name, meta=meta, spec=spec,
               status={"phase": phase, "containerStatuses": statuses})


def kube_system() -> tuple[ObservedObject, ...]:
    """The EKS add-ons: kube-proxy left at 1.22 when the cluster went to 1.23, metrics-server
    whose APIService is failing, and the PodSecurityPolicy every 1.23 EKS cluster has."""
    proxy = template({"k8s-app": "kube-proxy"}, [container(
        "kube-proxy", f"{EKS_ECR}/eks/kube-proxy:v1.22.17-minimal-eksbuild.2",
        command=["kube-proxy", "--v=2", "--config=/var/lib/kube-proxy-config/config"],
        requests=True)], hostNetwork=True, priorityClassName="system-node-critical")
    metrics = template({"k8s-app": "metrics-server"}, [container(
        "metrics-server", "registry.k8s.io/metrics-server/metrics-server:v0.6.1", port=4443,
        probe=True, requests=True)], volumes=[SCRATCH])
    return (
        obj("v1", "Namespace", None, "kube-system",
            meta={"labels": {"kubernetes.io/metadata.name": "kube-system"}}),
        obj("apps/v1", "DaemonSet", "kube-system", "kube-proxy",
            meta={"labels": {"eks.amazonaws.com/component": "kube-proxy"}},
            spec={"selector": {"matchLabels": {"k8s-app": "kube-proxy"}}, "template": proxy}),
        deployment("kube-system", "metrics-server", 1, metrics),
        obj("apiregistration.k8s.io/v1", "APIService", None, "v1beta1.metrics.k8s.io",
            spec={"group": "metrics.k8s.io", "version": "v1beta1", "groupPriorityMinimum": 100,
                  "versionPriority": 100, "insecureSkipTLSVerify": True,
                  "service": {"namespace": "kube-system", "name": "metrics-server",
                              "port": 443}},
            status={"conditions": [{
                "type": "Available", "status": "False", "reason": "FailedDiscoveryCheck",
                "message": "failing or missing response from https://10.20.7.31:4443/apis/"
                           "metrics.k8s.io/v1beta1: context deadline exceeded",
                "lastTransitionTime": "2026-11-18T22:41:09Z"}]}),
        obj("policy/v1beta1", "PodSecurityPolicy", None, "eks.privileged",
            meta={"labels": {"eks.amazonaws.com/component": "pod-security-policy",
                             "kubernetes.io/cluster-service": "true"}},
            spec={"privileged": True, "runAsUser": {"rule": "RunAsAny"},
                  "seLinux": {"rule": "RunAsAny"}, "fsGroup": {"rule": "RunAsAny"},
                  "supplementalGroups": {"rule": "RunAsAny"}, "volumes": ["*"]}),
    )


def admission() -> tuple[ObservedObject, ...]:
    """A home-made policy webhook that fails closed on everything, its backend crash-looping
    (so its EndpointSlice has no ready endpoint), and the load balancer controller's webhook
    whose CA expires soon."""
    policy_tpl = template({"app": "policy-webhook"}, [container(
        "webhook", f"{ECR}/platform/policy-webhook:0.9.3", port=8443, requests=True)])
    rule = {"apiGroups": ["*"], "apiVersions": ["*"], "operations": ["CREATE", "UPDATE"],
            "resources": ["*"], "scope": "*"}
    return (
        deployment("policy", "policy-webhook", 1, policy_tpl),
        obj("v1", "Pod", "policy", "policy-webhook-7c9f8b6d4-x2x7q",
            meta={"labels": {"app": "policy-webhook", "pod-template-hash": "7c9f8b6d4"},
                  "annotations": {"kubernetes.io/psp": "eks.privileged"},
                  **controller("ReplicaSet", "policy-webhook-7c9f8b6d4")},
            spec=policy_tpl["spec"],
            status={"phase": "Running", "containerStatuses": [running(
                "webhook", 212, state={"waiting": {"reason": "CrashLoopBackOff"}},
                last={"terminated": {"reason": "Error", "exitCode": 1,
                                     "finishedAt": "2026-11-20T09:21:40Z"}})]}),
        obj("discovery.k8s.io/v1", "EndpointSlice", "policy", "policy-webhook-6hx2k",
            meta={"labels": {"kubernetes.io/service-name": "policy-webhook"}},
            addressType="IPv4",
            endpoints=[{"addresses": ["10.20.9.54"], "conditions": {"ready": False},
                        "targetRef": {"kind": "Pod", "namespace": "policy",
                                      "name": "policy-webhook-7c9f8b6d4-x2x7q"}}],
            ports=[{"name": "https", "port": 8443, "protocol": "TCP"}]),
        obj("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", None,
            "platform-policy",
            webhooks=[{"name": "validate.policy.platform.example.com",
                       "clientConfig": {"service": {"namespace": "policy",
                                                    "name": "policy-webhook",
                                                    "path": "/validate", "port": 443}},
                       "rules": [rule], "failurePolicy": "Fail", "timeoutSeconds": 30,
                       "sideEffects": "None", "admissionReviewVersions": ["v1"]}]),
        obj("discovery.k8s.io/v1", "EndpointSlice", "kube-system",
            "aws-load-balancer-webhook-service-9qzbm",
            meta={"labels": {"kubernetes.io/service-name": "aws-load-balancer-webhook-service"}},
            addressType="IPv4",
            endpoints=[{"addresses": ["10.20.3.12"], "conditions": {"ready": True}},
                       {"addresses": ["10.20.5.40"], "conditions": {"ready": True}}],
            ports=[{"name": "webhook-server", "port": 9443, "protocol": "TCP"}]),
        obj("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", None,
            "aws-load-balancer-webhook",
            webhooks=[{"name": "mpod.elbv2.k8s.aws",
                       "clientConfig": {"service": {"namespace": "kube-system",
                                                    "name": "aws-load-balancer-webhook-service",
                                                    "path": "/mutate-v1-pod", "port": 443},
                                        "caBundle": LB_WEBHOOK_CA},
                       "rules": [{"apiGroups": [""], "apiVersions": ["v1"],
                                  "operations": ["CREATE"], "resources": ["pods"]}],
                       "namespaceSelector": {"matchExpressions": [{
                           "key": "elbv2.k8s.aws/pod-readiness-gate-inject",
                           "operator": "In", "values": ["enabled"]}]},
                       "failurePolicy": "Fail", "timeoutSeconds": 10,
                       "sideEffects": "None", "admissionReviewVersions": ["v1beta1"]}]),
    )


def storage() -> tuple[ObservedObject, ...]:
    """EKS's default in-tree gp2 class, a volume on it, and a claim that cannot bind."""
    return (
        obj("storage.k8s.io/v1", "StorageClass", None, "gp2",
            meta={"annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
            provisioner="kubernetes.io/aws-ebs", reclaimPolicy="Delete",
            volumeBindingMode="WaitForFirstConsumer"),
        obj("storage.k8s.io/v1", "StorageClass", None, "gp3",
            provisioner="ebs.csi.aws.com", reclaimPolicy="Delete",
            volumeBindingMode="WaitForFirstConsumer", allowVolumeExpansion=True),
        obj("v1", "PersistentVolume", None, "pvc-1d0c6a57-8c1e-4f1e-9a53-3f2b0f5e0c11",
            spec={"capacity": {"storage": "100Gi"}, "accessModes": ["ReadWriteOnce"],
                  "awsElasticBlockStore": {"volumeID": "aws://eu-west-1a/vol-0a1b2c3d4e5f60718",
                                           "fsType": "ext4"},
                  "storageClassName": "gp2", "persistentVolumeReclaimPolicy": "Delete",
                  "claimRef": {"namespace": "search", "name": "data-es-0"}},
            status={"phase": "Bound"}),
        obj("v1", "PersistentVolumeClaim", "search", "data-es-0",
            spec={"storageClassName": "gp2", "accessModes": ["ReadWriteOnce"],
                  "resources": {"requests": {"storage": "100Gi"}},
                  "volumeName": "pvc-1d0c6a57-8c1e-4f1e-9a53-3f2b0f5e0c11"},
            status={"phase": "Bound"}),
        obj("v1", "PersistentVolumeClaim", "search", "data-es-2",
            spec={"storageClassName": "gp3-encrypted", "accessModes": ["ReadWriteOnce"],
                  "resources": {"requests": {"storage": "100Gi"}}},
            status={"phase": "Pending"}),
    )


def workloads() -> tuple[ObservedObject, ...]:
    """Application workloads: budgets that block drains, one-replica and bare pods, a wiki
    cloning its content with a gitRepo volume, old seccomp annotations, OOM kills, a failed
    settlement run."""
    es = template({"app": "es"}, [container(
        "elasticsearch", "docker.elastic.co/elasticsearch/elasticsearch:7.17.9", port=9200,
        probe=True, requests=True)])
    indexer = template({"app": "indexer"}, [container(
        "indexer", f"{ECR}/search/indexer:5.2.0", requests=True,
        resources={"requests": {"cpu": "500m", "memory": "512Mi"},
                   "limits": {"memory": "512Mi"}})],
        annotations={"seccomp.security.alpha.kubernetes.io/pod": "runtime/default"})
    wiki = template({"app": "wiki"}, [container(
        "nginx", "nginx", port=80, volumeMounts=[{"name": "content",
                                                   "mountPath": "/usr/share/nginx/html"}])],
        volumes=[{"name": "content", "gitRepo": {
            "repository": "https://git.example.com/platform/wiki.git", "revision": "main"}}])
    ledger = template({"app": "ledger"}, [container(
        "ledger", f"{ECR}/payments/ledger:1.8.4", port=8080, probe=True, requests=True)])
    oom = {"terminated": {"reason": "OOMKilled", "exitCode": 137,
                          "finishedAt": "2026-11-19T23:02:51Z"}}
    return (
        obj("apps/v1", "ReplicaSet", "shop", "web-6d4cf56db6",
            meta={"labels": {"app": "web", "pod-template-hash": "6d4cf56db6"},
                  **controller("Deployment", "web")},
            spec={"replicas": 3, "template": template({"app": "web"}, [WEB],
                                                      volumes=[SCRATCH])}),
        *(pod("shop", f"web-6d4cf56db6-{s}", {"app": "web", "pod-template-hash": "6d4cf56db6"},
              {"containers": [WEB], "volumes": [SCRATCH]}, [running("web")],
              controller("ReplicaSet", "web-6d4cf56db6")) for s in ("4xk2p", "9fj3q", "tz8wm")),
        obj("policy/v1", "PodDisruptionBudget", "shop", "cart",
            spec={"minAvailable": 1, "selector": {"matchLabels": {"app": "cart"}}},
            status=pdb_status(allowed=0, expected=0)),
        deployment("payments", "ledger", 2, ledger),
        obj("apps/v1", "StatefulSet", "search", "es",
            spec={"replicas": 3, "serviceName": "es", "selector": {"matchLabels": {"app": "es"}},
                  "template": es}),
        obj("policy/v1", "PodDisruptionBudget", "search", "es",
            spec={"maxUnavailable": 0, "selector": {"matchLabels": {"app": "es"}}},
            status=pdb_status(allowed=0, expected=3)),
        deployment("search", "indexer", 2, indexer),
        *(pod("search", f"indexer-5b7d9c8f6-{s}",
              {"app": "indexer", "pod-template-hash": "5b7d9c8f6"}, indexer["spec"],
              [running("indexer", restarts, **({"last": oom} if restarts else {}))],
              controller("ReplicaSet", "indexer-5b7d9c8f6")) for s, restarts in
          (("h2k9d", 4), ("q8w3r", 0))),
        deployment("docs", "wiki", 1, wiki),
        pod("ops", "debug-shell", {"run": "debug-shell"},
            {"containers": [container("debug-shell", "nicolaka/netshoot:latest",
                                      command=["sleep", "infinity"])]},
            [running("debug-shell")]),
        obj("batch/v1", "Job", "payments", "nightly-settlement-29384910",
            meta={"labels": {"app": "settlement"},
                  **controller("CronJob", "nightly-settlement", "batch/v1")},
            status={"failed": 6, "startTime": "2026-11-20T01:30:00Z", "conditions": [{
                "type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
                "message": "Job has reached the specified backoff limit"}]}),
    )


def secrets() -> tuple[ObservedObject, ...]:
    """TLS Secrets as the collector keeps them: type and the certificate's notAfter only.
    cert-manager stopped renewing the storefront certificate (its Certificate is still in
    the removed v1alpha2 API), so it has expired."""
    return (
        obj("v1", "Secret", "shop", "storefront-tls",
            meta={"annotations": {"cert-manager.io/certificate-name": "storefront-tls"}},
            type="kubernetes.io/tls", tls={"notAfter": "2026-11-08T14:03:27Z"}),
        obj("v1", "Secret", "search", "api-tls", type="kubernetes.io/tls",
            tls={"notAfter": "2027-08-30T00:00:00Z"}),
    )


def objects() -> tuple[ObservedObject, ...]:
    return api_objects() + kube_system() + admission() + storage() + workloads() + secrets()


def releases() -> tuple[HelmRelease, ...]:
    def ref(api: str, kind: str, ns: str, name: str) -> ObjectRef:
        return ObjectRef(api, kind, ns, name)

    return (
        HelmRelease("ingress-nginx", "ingress", 7, "superseded", "ingress-nginx", "3.41.0",
                    "0.51.0", None, "2022-02-01T10:00:00Z", "secret",
                    (ref("policy/v1beta1", "PodDisruptionBudget", "ingress", "ingress-nginx"),)),
        HelmRelease("ingress-nginx", "ingress", 8, "deployed", "ingress-nginx", "4.0.18",
                    "1.1.2", ">=1.19.0-0", "2022-04-11T10:00:00Z", "secret",
                    (ref("apps/v1", "Deployment", "ingress", "ingress-nginx-controller"),
                     ref("policy/v1beta1", "PodDisruptionBudget", "ingress", "ingress-nginx"),
                     ref("batch/v1beta1", "CronJob", "ingress", "ingress-nginx-cleanup"))),
        HelmRelease("metrics-server", "kube-system", 3, "deployed", "metrics-server", "3.8.2",
                    "0.6.1", None, "2023-01-09T12:00:00Z", "secret",
                    (ref("apps/v1", "Deployment", "kube-system", "metrics-server"),
                     ref("apiregistration.k8s.io/v1", "APIService", "", "v1beta1.metrics.k8s.io"))),
    )


def snapshot() -> Snapshot:
    return Snapshot(
        source="cluster",
        collected_at=COLLECTED,
        tool_version="0.1.0",
        cluster=ClusterInfo(
            "v1.23.17-eks-0a21954", "eks", "arn:aws:eks:eu-west-1:111122223333:cluster/shop-prod"
        ),
        nodes=nodes(),
        clients=(
            ClientBinary("kubectl", "/usr/local/bin/kubectl", "v1.22.17"),
            ClientBinary("helm", "/usr/local/bin/helm", "v3.8.2"),
        ),
        objects=objects(),
        helm_releases=releases(),
        api_requests=(
            ApiRequest("policy", "v1beta1", "podsecuritypolicies", "", "1.25"),
            ApiRequest("batch", "v1beta1", "cronjobs", "", "1.25"),
            ApiRequest("flowcontrol.apiserver.k8s.io", "v1beta1", "flowschemas", "", "1.26"),
        ),
        served_apis=("v1", "apps/v1", "batch/v1", "batch/v1beta1", "policy/v1", "policy/v1beta1"),
        coverage=(
            CoverageNote(
                "resource monitoring.coreos.com/v1/prometheusrules",
                "403 Forbidden: the collector's role cannot list it",
                "forbidden",
            ),
        ),
        stats={"objects": len(objects()), "resources": 48, "helm_releases": 3},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", default="examples/cluster-1.23.snapshot.json")
    args = parser.parse_args()
    write_snapshot(snapshot(), args.output)
    # Re-indent so that the example reads well in review.
    with open(args.output, encoding="utf-8") as fh:
        doc = json.load(fh)
    with open(args.output, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()

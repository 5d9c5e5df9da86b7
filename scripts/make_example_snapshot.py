"""Writes the bundled example snapshot (`examples/cluster-1.23.snapshot.json`): an EKS 1.23
cluster as `upgradecheck collect` would see it, with objects written through APIs that later
releases remove, Helm releases, deprecated-API request metrics and nodes of three versions.

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
    api_version: str, kind: str, ns: str | None, name: str, *evidence: Evidence, **body: Any
) -> ObservedObject:
    meta: dict[str, Any] = {"name": name}
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


def objects() -> tuple[ObservedObject, ...]:
    t_old, t_new = "2022-03-14T10:02:11Z", "2026-10-02T08:15:43Z"
    return (
        obj("apps/v1", "Deployment", "shop", "web",
            applied("apps/v1"), managed("kubectl-client-side-apply", "apps/v1", t_new),
            spec={"replicas": 3}),
        obj("policy/v1", "PodDisruptionBudget", "shop", "web",
            applied("policy/v1beta1"),
            managed("kubectl-client-side-apply", "policy/v1beta1", t_old),
            managed("kube-controller-manager", "policy/v1", t_new, sub="status"),
            spec={"maxUnavailable": 1}),
        obj("policy/v1", "PodDisruptionBudget", "payments", "ledger",
            managed("argocd-application-controller", "policy/v1beta1", t_new, op="Apply"),
            spec={"minAvailable": 2}),
        obj("networking.k8s.io/v1", "Ingress", "shop", "storefront",
            applied("extensions/v1beta1"),
            managed("kubectl-client-side-apply", "extensions/v1beta1", t_old)),
        obj("batch/v1", "CronJob", "payments", "nightly-settlement",
            managed("deploy-pipeline", "batch/v1beta1", t_new, op="Apply")),
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
            managed("legacy-registrar", "discovery.k8s.io/v1beta1", t_new)),
        obj("cert-manager.io/v1", "Certificate", "shop", "storefront-tls",
            applied("cert-manager.io/v1alpha2")),
        obj("networking.k8s.io/v1", "Ingress", "search", "api",
            applied("networking.k8s.io/v1"),
            managed("kubectl-client-side-apply", "networking.k8s.io/v1", t_new)),
    )


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
        stats={"objects": 13, "resources": 48, "helm_releases": 3},
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

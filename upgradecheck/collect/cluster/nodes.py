"""Nodes as NodeInfo, and the platform (EKS, GKE, AKS, OpenShift, k3s, ...) recognised from
the server version, the served API groups and the nodes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from upgradecheck.model import NodeInfo

# Labels that name a node pool, by provider.
POOL_LABELS = (
    "eks.amazonaws.com/nodegroup",
    "alpha.eksctl.io/nodegroup-name",
    "karpenter.sh/nodepool",
    "cloud.google.com/gke-nodepool",
    "kubernetes.azure.com/agentpool",
    "agentpool",
    "node.kubernetes.io/pool",
    "doks.digitalocean.com/node-pool",
)
_KEPT_LABELS = (
    *POOL_LABELS,
    "node-role.kubernetes.io/control-plane",
    "node-role.kubernetes.io/master",
    "kubernetes.io/os",
    "kubernetes.io/arch",
    "node.kubernetes.io/instance-type",
    "topology.kubernetes.io/zone",
)


def node_info(node: Mapping[str, Any]) -> NodeInfo:
    """A node's versions, readiness and pool."""
    meta = node.get("metadata") or {}
    status = node.get("status") or {}
    info = status.get("nodeInfo") or {}
    labels = meta.get("labels") or {}
    ready = any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in status.get("conditions") or ()
    )
    pool = next((str(labels[k]) for k in POOL_LABELS if labels.get(k)), None)
    return NodeInfo(
        name=str(meta.get("name", "")),
        kubelet_version=str(info.get("kubeletVersion", "")),
        kube_proxy_version=info.get("kubeProxyVersion") or None,
        container_runtime=info.get("containerRuntimeVersion") or None,
        os_image=info.get("osImage") or None,
        kernel_version=info.get("kernelVersion") or None,
        architecture=info.get("architecture") or None,
        ready=ready,
        pool=pool,
        labels={k: str(v) for k, v in labels.items() if k in _KEPT_LABELS or k.startswith(
            "node-role.kubernetes.io/")},
    )


def platform(git_version: str, group_versions: Iterable[str], nodes: Iterable[NodeInfo]) -> str:
    """The distribution or provider, as far as the evidence shows; `unknown` otherwise."""
    v = git_version.lower()
    for marker, name in (("-eks-", "eks"), ("-gke.", "gke"), ("+k3s", "k3s"), ("+rke2", "rke2"),
                         ("-aliyun", "ack"), ("+vmware", "tkg")):
        if marker in v:
            return name
    groups = {gv.split("/")[0] for gv in group_versions}
    if "config.openshift.io" in groups or "route.openshift.io" in groups:
        return "openshift"
    labels = {k for n in nodes for k in n.labels}
    if "kubernetes.azure.com/agentpool" in labels or "agentpool" in labels:
        return "aks"
    if "eks.amazonaws.com/nodegroup" in labels:
        return "eks"
    if "cloud.google.com/gke-nodepool" in labels:
        return "gke"
    return "unknown"

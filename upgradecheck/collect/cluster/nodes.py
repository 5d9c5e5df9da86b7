"""Nodes as NodeInfo, and the platform (EKS, GKE, AKS, OpenShift, k3s, ...) recognised from
the server version, the served API groups and the nodes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from upgradecheck.model import NodeInfo
from upgradecheck.safetext import printable
from upgradecheck.shapes import as_map, as_maps

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
    """A node's versions, readiness and pool (fields of the wrong type read as absent)."""
    meta = as_map(node.get("metadata"))
    status = as_map(node.get("status"))
    info = as_map(status.get("nodeInfo"))
    labels = {k: v for k, v in as_map(meta.get("labels")).items() if isinstance(v, str)}
    ready = any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in as_maps(status.get("conditions"))
    )
    pool = next((printable(labels[k], 100) for k in POOL_LABELS if labels.get(k)), None)
    return NodeInfo(
        name=_text(meta.get("name")),
        kubelet_version=_text(info.get("kubeletVersion")),
        kube_proxy_version=_text(info.get("kubeProxyVersion")) or None,
        container_runtime=_text(info.get("containerRuntimeVersion")) or None,
        os_image=_text(info.get("osImage")) or None,
        kernel_version=_text(info.get("kernelVersion")) or None,
        architecture=_text(info.get("architecture")) or None,
        ready=ready,
        pool=pool,
        labels={
            k: printable(v, 100)
            for k, v in labels.items()
            if k in _KEPT_LABELS or k.startswith("node-role.kubernetes.io/")
        },
    )


def _text(value: Any) -> str:
    return printable(value, 200) if isinstance(value, str) else ""


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

"""Hand-built cluster snapshots for the compare tests: nodes, workloads with status, pods of
ReplicaSets, PVCs and Helm releases, before and after an upgrade."""

from __future__ import annotations

from typing import Any

from upgradecheck.model import (
    ClusterInfo,
    HelmRelease,
    NodeInfo,
    ObjectRef,
    ObservedObject,
    Snapshot,
)

API = {
    "Deployment": "apps/v1",
    "StatefulSet": "apps/v1",
    "DaemonSet": "apps/v1",
    "Pod": "v1",
    "PersistentVolumeClaim": "v1",
    "Secret": "v1",
    "CustomResourceDefinition": "apiextensions.k8s.io/v1",
    "ValidatingWebhookConfiguration": "admissionregistration.k8s.io/v1",
    "MutatingWebhookConfiguration": "admissionregistration.k8s.io/v1",
    "PodSecurityPolicy": "policy/v1beta1",
}


def obj(kind: str, namespace: str | None, name: str, **body: Any) -> ObservedObject:
    """An object with `body` (spec, status, ...) and its metadata."""
    meta: dict[str, Any] = {"name": name, **body.pop("metadata", {})}
    if namespace:
        meta["namespace"] = namespace
    ref = ObjectRef(API.get(kind, "v1"), kind, namespace, name)
    return ObservedObject(ref, (), {"metadata": meta, **body})


def deployment(name: str, ready: int, replicas: int = 3, ns: str = "shop") -> ObservedObject:
    """A Deployment with `ready` of `replicas` ready."""
    return obj("Deployment", ns, name, spec={"replicas": replicas}, status={"readyReplicas": ready})


def daemonset(name: str, ready: int, desired: int = 3, ns: str = "kube-system") -> ObservedObject:
    """A DaemonSet with `ready` of `desired` scheduled pods ready."""
    status = {"desiredNumberScheduled": desired, "numberReady": ready}
    return obj("DaemonSet", ns, name, status=status)


def pod(
    deployment: str, template_hash: str, suffix: str, restarts: int = 0, waiting: str | None = None
) -> ObservedObject:
    """A pod of `deployment`'s ReplicaSet `<deployment>-<template_hash>` (not collected)."""
    state: dict[str, Any] = {"waiting": {"reason": waiting}} if waiting else {"running": {}}
    metadata = {
        "labels": {"app": deployment, "pod-template-hash": template_hash},
        "ownerReferences": [
            {"apiVersion": "apps/v1", "kind": "ReplicaSet", "controller": True,
             "name": f"{deployment}-{template_hash}"}
        ],
    }  # fmt: skip
    status = {"containerStatuses": [{"name": "app", "restartCount": restarts, "state": state}]}
    name = f"{deployment}-{template_hash}-{suffix}"
    return obj("Pod", "shop", name, metadata=metadata, status=status)


def pvc(name: str, phase: str) -> ObservedObject:
    """A PersistentVolumeClaim in `phase`."""
    return obj("PersistentVolumeClaim", "shop", name, status={"phase": phase})


def release(
    name: str, revision: int, status: str, chart: str = "web", version: str = "1.0.0"
) -> HelmRelease:
    """A Helm release revision in namespace shop."""
    return HelmRelease(name, "shop", revision, status, chart, version)


def node(
    name: str, kubelet: str, ready: bool = True, runtime: str = "containerd://1.7.2"
) -> NodeInfo:
    """A node."""
    return NodeInfo(name, kubelet, container_runtime=runtime, ready=ready)


def cluster(
    version: str,
    *objects: ObservedObject,
    nodes: tuple[NodeInfo, ...] = (),
    releases: tuple[HelmRelease, ...] = (),
    served: tuple[str, ...] = (),
    platform: str = "eks",
    collected_at: str = "2026-03-01T10:00:00Z",
    **extra: Any,
) -> Snapshot:
    """A cluster snapshot."""
    return Snapshot(
        source="cluster",
        collected_at=collected_at,
        cluster=ClusterInfo(version, platform, "test-cluster"),
        nodes=nodes,
        objects=objects,
        helm_releases=releases,
        served_apis=served,
        **extra,
    )

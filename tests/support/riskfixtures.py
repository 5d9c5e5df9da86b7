"""Builders for the risk-check tests: a knowledge base with the skew policy and the removals
the tests control, check contexts with a fixed report date, and objects, pods and nodes
written the way the collector stores them."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from support.kbfactory import small_kb
from upgradecheck.checks.interface import Check, CheckContext
from upgradecheck.checks.rule import Rule
from upgradecheck.knowledge import load_knowledge_base
from upgradecheck.knowledge.model import Detector, KnowledgeBase, Removal, SkewRule
from upgradecheck.model import (
    ClientBinary,
    ClusterInfo,
    Finding,
    NodeInfo,
    ObjectRef,
    ObservedObject,
    Snapshot,
)
from upgradecheck.versions import Minor, hops, parse_minor

TODAY = dt.date(2026, 11, 25)
POLICY = "https://kubernetes.io/releases/version-skew-policy/"
V125 = Minor(1, 25)


def skew(
    component: str,
    older: int,
    newer: int,
    start: Minor | None = None,
    until: Minor | None = None,
    relative_to: str = "kube-apiserver",
) -> SkewRule:
    return SkewRule(component, relative_to, older, newer, start, until, POLICY)


SKEW_RULES = (
    skew("kube-apiserver", 1, 1),
    skew("kubelet", 3, 0, start=V125),
    skew("kubelet", 2, 0, until=V125),
    skew("kube-proxy", 3, 0, start=V125),
    skew("kube-proxy", 2, 0, until=V125),
    skew("kube-proxy", 3, 3, start=V125, relative_to="kubelet"),
    skew("kube-proxy", 2, 2, until=V125, relative_to="kubelet"),
    skew("kube-controller-manager", 1, 0),
    skew("kube-scheduler", 1, 0),
    skew("cloud-controller-manager", 1, 0),
    skew("kubectl", 1, 1),
)


def removal(
    ident: str,
    breaks: str | None,
    *detectors: Detector,
    severity: str = "blocker",
    deprecated: str | None = None,
) -> Removal:
    return Removal(
        id=ident,
        title=f"{ident} title",
        kind="removal",
        deprecated_in=parse_minor(deprecated) if deprecated else None,
        breaks_in=parse_minor(breaks) if breaks else None,
        what_breaks=f"{ident} breaks.",
        remediation=f"Fix {ident}.",
        detect=detectors,
        source=f"https://kubernetes.io/docs/{ident}/",
        severity=severity,
    )


def detector(type_: str, /, **params: Any) -> Detector:
    return Detector(type_, params)


def risk_kb(**changes: Any) -> KnowledgeBase:
    """The small test knowledge base with the skew policy above and the bundled Helm support
    table (and any other changes)."""
    helm_support = load_knowledge_base().helm_support
    return dataclasses.replace(
        small_kb(), **{"skew_rules": SKEW_RULES, "helm_support": helm_support, **changes}
    )


def context(
    snapshot: Snapshot,
    *,
    current: str | None = "1.23",
    target: str = "1.26",
    kb: KnowledgeBase | None = None,
    today: dt.date = TODAY,
) -> CheckContext:
    cur = parse_minor(current) if current else None
    tgt = parse_minor(target)
    path = hops(cur, tgt) if cur is not None else (tgt,)
    return CheckContext(
        snapshot=snapshot, kb=kb or risk_kb(), target=tgt, current=cur, hops=path, today=today
    )


def run(check: Check, ctx: CheckContext, rule: Rule | None = None) -> list[Finding]:
    """The check's findings (of one rule, when given)."""
    return [f for f in check.run(ctx) if rule is None or f.rule == rule.id]


def cluster(
    *objects: ObservedObject,
    nodes: Iterable[NodeInfo] = (),
    clients: Iterable[ClientBinary] = (),
    version: str = "v1.23.17",
) -> Snapshot:
    return Snapshot(
        source="cluster",
        collected_at="2026-11-25T09:00:00Z",
        cluster=ClusterInfo(version),
        nodes=tuple(nodes),
        clients=tuple(clients),
        objects=objects,
    )


def manifests(*objects: ObservedObject) -> Snapshot:
    return Snapshot(source="manifests", collected_at="2026-11-25T09:00:00Z", objects=objects)


def node(
    name: str,
    kubelet: str,
    pool: str | None = "general",
    *,
    proxy: str | None = None,
    ready: bool = True,
    runtime: str = "containerd://1.7.2",
    os_image: str = "Ubuntu 22.04.3 LTS",
) -> NodeInfo:
    return NodeInfo(
        name=name,
        kubelet_version=kubelet,
        kube_proxy_version=proxy,
        container_runtime=runtime,
        os_image=os_image,
        ready=ready,
        pool=pool,
    )


def owner(kind: str, name: str, api_version: str = "apps/v1") -> dict[str, Any]:
    return {"apiVersion": api_version, "kind": kind, "name": name, "controller": True}


def obj(
    api_version: str,
    kind: str,
    namespace: str | None,
    name: str,
    *,
    labels: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
    owners: Iterable[Mapping[str, Any]] = (),
    **body: Any,
) -> ObservedObject:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    if labels:
        meta["labels"] = dict(labels)
    if annotations:
        meta["annotations"] = dict(annotations)
    if owners:
        meta["ownerReferences"] = [dict(o) for o in owners]
    doc = {"apiVersion": api_version, "kind": kind, "metadata": meta, **body}
    return ObservedObject(ObjectRef(api_version, kind, namespace, name), (), doc)


def container(
    name: str = "app", image: str = "example.org/app:1.0", **fields: Any
) -> dict[str, Any]:
    return {"name": name, "image": image, **fields}


def pod_spec(*containers: Mapping[str, Any], **fields: Any) -> dict[str, Any]:
    return {"containers": [dict(c) for c in (containers or (container(),))], **fields}


def template(
    spec: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    meta: dict[str, Any] = {"labels": dict(labels or {"app": "web"})}
    if annotations:
        meta["annotations"] = dict(annotations)
    return {"metadata": meta, "spec": dict(spec or pod_spec())}


def deployment(
    namespace: str, name: str, replicas: int | None = 3, **template_args: Any
) -> ObservedObject:
    spec: dict[str, Any] = {"template": template(**template_args)}
    if replicas is not None:
        spec["replicas"] = replicas
    return obj("apps/v1", "Deployment", namespace, name, spec=spec)


def workload(kind: str, namespace: str, name: str, **template_args: Any) -> ObservedObject:
    """A StatefulSet, DaemonSet, ReplicaSet or Job with a pod template."""
    api = "batch/v1" if kind == "Job" else "apps/v1"
    return obj(api, kind, namespace, name, spec={"template": template(**template_args)})


def pod(
    namespace: str,
    name: str,
    *,
    spec: Mapping[str, Any] | None = None,
    owners: Iterable[Mapping[str, Any]] = (),
    labels: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
    status: Mapping[str, Any] | None = None,
) -> ObservedObject:
    return obj(
        "v1",
        "Pod",
        namespace,
        name,
        labels=labels,
        annotations=annotations,
        owners=owners,
        spec=dict(spec or pod_spec()),
        status=dict(status or {"phase": "Running"}),
    )

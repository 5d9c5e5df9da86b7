"""Pure pieces of the live collector: evidence, metrics, Helm records, resource selection."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

import pytest

from upgradecheck.collect.cluster import helm
from upgradecheck.collect.cluster.discovery import ServedResource
from upgradecheck.collect.cluster.evidence import evidence_of, last_applied_version
from upgradecheck.collect.cluster.helm import HelmRecordError, decode_release
from upgradecheck.collect.cluster.metrics import deprecated_api_requests
from upgradecheck.collect.cluster.nodes import node_info, platform
from upgradecheck.collect.cluster.selection import select_resources
from upgradecheck.knowledge.model import KnowledgeBase
from upgradecheck.model import EvidenceSource


def test_last_applied_fast_path_and_fallback() -> None:
    assert last_applied_version('{"apiVersion":"policy/v1beta1","kind":"X"}') == "policy/v1beta1"
    assert last_applied_version('{"kind":"X", "apiVersion": "batch/v1beta1"}') == "batch/v1beta1"
    assert last_applied_version("not json") is None


def test_evidence_from_metadata() -> None:
    meta = {
        "annotations": {
            "kubectl.kubernetes.io/last-applied-configuration": (
                '{"apiVersion":"extensions/v1beta1"}'
            )
        },
        "managedFields": [
            {
                "manager": "kubectl-client-side-apply",
                "operation": "Update",
                "apiVersion": "extensions/v1beta1",
                "time": "2022-01-01T00:00:00Z",
            },
            {
                "manager": "kube-controller-manager",
                "operation": "Update",
                "apiVersion": "networking.k8s.io/v1",
                "subresource": "status",
            },
            {"manager": "broken"},
        ],
    }
    ev = evidence_of(meta)
    assert [e.source for e in ev] == [
        EvidenceSource.LAST_APPLIED,
        EvidenceSource.MANAGED_FIELDS,
        EvidenceSource.MANAGED_FIELDS,
    ]
    assert ev[1].location == "manager kubectl-client-side-apply"
    assert ev[1].time == "2022-01-01T00:00:00Z"
    assert ev[2].detail == "operation Update, subresource status"


def test_metrics_parsing_skips_zero_and_other_series() -> None:
    text = "\n".join(
        [
            "# HELP apiserver_requested_deprecated_apis [STABLE] Gauge of deprecated APIs",
            "# TYPE apiserver_requested_deprecated_apis gauge",
            'apiserver_requested_deprecated_apis{group="policy",removed_release="1.25",'
            'resource="podsecuritypolicies",subresource="",version="v1beta1"} 1',
            'apiserver_requested_deprecated_apis{group="",removed_release="",'
            'resource="endpoints",subresource="",version="v1"} 0',
            'apiserver_request_total{verb="GET"} 12',
        ]
    )
    [req] = deprecated_api_requests(text)
    assert (req.group, req.version, req.resource, req.removed_release) == (
        "policy",
        "v1beta1",
        "podsecuritypolicies",
        "1.25",
    )


def _record(release: dict[str, object], storage: str = "secret") -> dict[str, object]:
    helm_bytes = base64.b64encode(gzip.compress(json.dumps(release).encode()))
    data = base64.b64encode(helm_bytes).decode() if storage == "secret" else helm_bytes.decode()
    return {
        "metadata": {"name": "sh.helm.release.v1.x.v1", "namespace": "ns"},
        "data": {"release": data},
    }


RELEASE = {
    "name": "web",
    "namespace": "shop",
    "version": 3,
    "info": {"status": "deployed", "last_deployed": "2024-01-01T00:00:00Z"},
    "chart": {"metadata": {"name": "web", "version": "1.2.3", "kubeVersion": ">=1.20.0-0"}},
    "config": {"password": "SENTINEL-SECRET-VALUE-4242"},
    "manifest": "---\n# Source: web/templates/pdb.yaml\napiVersion: policy/v1beta1\n"
    "kind: PodDisruptionBudget\nmetadata:\n  name: web\n---\n"
    "apiVersion: rbac.authorization.k8s.io/v1\n"
    "kind: ClusterRole\nmetadata:\n  name: web\n",
}


@pytest.mark.parametrize("storage", ["secret", "configmap"])
def test_helm_release_decoding_keeps_no_values(storage: str) -> None:
    rel = decode_release(_record(RELEASE, storage), storage, lambda _a, kind: kind != "ClusterRole")
    assert (rel.name, rel.namespace, rel.revision, rel.status) == ("web", "shop", 3, "deployed")
    assert (rel.chart, rel.chart_version, rel.kube_version) == ("web", "1.2.3", ">=1.20.0-0")
    assert [(o.api_version, o.kind, o.namespace) for o in rel.objects] == [
        ("policy/v1beta1", "PodDisruptionBudget", "shop"),
        ("rbac.authorization.k8s.io/v1", "ClusterRole", None),
    ]
    assert "SENTINEL" not in repr(rel)


def test_a_manifest_seen_before_is_not_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """Revisions that store the same manifest share its objects; another namespace, another
    manifest or a manifest that is not YAML are read (and fail) each time."""
    calls: list[str] = []
    real = helm._manifest_objects

    def counted(manifest: str, *args: Any) -> Any:
        calls.append(manifest)
        return real(manifest, *args)

    monkeypatch.setattr(helm, "_manifest_objects", counted)
    read: helm.ManifestsRead = {}
    first = decode_release(_record(RELEASE), "secret", read=read)
    again = decode_release(_record({**RELEASE, "version": 4}), "secret", read=read)
    assert (again.revision, again.objects) == (4, first.objects) and len(calls) == 1
    elsewhere = decode_release(_record({**RELEASE, "namespace": "web"}), "secret", read=read)
    assert {o.namespace for o in elsewhere.objects} == {"web"} and len(calls) == 2
    changed = {**RELEASE, "manifest": RELEASE["manifest"] + "  labels: {a: b}\n"}
    assert decode_release(_record(changed), "secret", read=read).objects == first.objects
    assert len(calls) == 3
    broken = {**RELEASE, "manifest": "kind: [unclosed"}
    for _ in range(2):
        with pytest.raises(HelmRecordError):
            decode_release(_record(broken), "secret", read=read)
    assert len(calls) == 5


@pytest.mark.parametrize(
    "record",
    [
        {"data": {}},
        {"data": {"release": "!!!not base64"}},
        {"data": {"release": base64.b64encode(base64.b64encode(b"\x1f\x8bgarbage")).decode()}},
        {"data": {"release": base64.b64encode(base64.b64encode(b"[1,2]")).decode()}},
    ],
)
def test_corrupt_helm_records_raise_the_layer_error(record: dict[str, object]) -> None:
    with pytest.raises(HelmRecordError):
        decode_release(record, "secret")


def res(group: str, version: str, name: str, kind: str, preferred: bool = True) -> ServedResource:
    return ServedResource(group, version, name, kind, True, ("get", "list"), preferred)


def test_selection_lists_each_resource_once_at_its_best_version(kb: KnowledgeBase) -> None:
    served = [
        res("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget"),
        res("policy", "v1beta1", "poddisruptionbudgets", "PodDisruptionBudget", False),
        res("extensions", "v1beta1", "ingresses", "Ingress"),
        res("networking.k8s.io", "v1", "ingresses", "Ingress"),
        res("networking.k8s.io", "v1beta1", "ingresses", "Ingress", False),
        res("", "v1", "events", "Event"),
        res("", "v1", "secrets", "Secret"),
        res("cert-manager.io", "v1", "certificates", "Certificate"),
        res("example.com", "v1", "widgets", "Widget"),
        ServedResource("", "v1", "bindings", "Binding", True, ("create",), True),
    ]
    chosen = {(r.group, r.version, r.name) for r in select_resources(served, kb)}
    assert chosen == {
        ("policy", "v1", "poddisruptionbudgets"),
        ("networking.k8s.io", "v1", "ingresses"),
        ("cert-manager.io", "v1", "certificates"),
    }


def test_node_info_and_platform() -> None:
    node = node_info(
        {
            "metadata": {
                "name": "n1",
                "labels": {"eks.amazonaws.com/nodegroup": "general", "secret-ish": "x"},
            },
            "status": {
                "nodeInfo": {
                    "kubeletVersion": "v1.29.3-eks-1",
                    "containerRuntimeVersion": "containerd://1.7.11",
                },
                "conditions": [{"type": "Ready", "status": "True"}],
            },
        }
    )
    assert node.ready and node.pool == "general" and "secret-ish" not in node.labels
    assert platform("v1.29.3-eks-1", [], [node]) == "eks"
    assert platform("v1.29.3", ["route.openshift.io/v1"], []) == "openshift"
    assert platform("v1.29.3", [], []) == "unknown"


def test_metric_request_counts_are_summed_per_resource() -> None:
    series = (
        'apiserver_requested_deprecated_apis{group="batch",removed_release="1.25",'
        'resource="cronjobs",subresource="",version="v1beta1"} 1\n'
    )
    totals = "".join(
        f'apiserver_request_total{{code="{code}",group="batch",resource="cronjobs",'
        f'scope="cluster",subresource="",verb="{verb}",version="v1beta1"}} {n}\n'
        for code, verb, n in (("200", "LIST", 40), ("200", "WATCH", 2), ("404", "GET", 1))
    )
    other = 'apiserver_request_total{group="batch",resource="cronjobs",version="v1"} 900\n'
    [req] = deprecated_api_requests(series + totals + other)
    assert req.count == 43

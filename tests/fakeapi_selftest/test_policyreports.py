"""The fake API server's wgpolicyk8s.io support: discovery of the group, server-side apply
and delete of its reports, schema and size checks, and every other write refused."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fakeapi import FakeApiServer
from fakeapi.policyreports import APPLY
from fakeapi.rawclient import request

BASE = "/apis/wgpolicyk8s.io/v1alpha2"


def report(namespace: str = "shop", name: str = "upgradecheck", **extra: Any) -> dict[str, Any]:
    return {
        "apiVersion": "wgpolicyk8s.io/v1alpha2",
        "kind": "PolicyReport",
        "metadata": {"name": name, "namespace": namespace,
                     "labels": {"app.kubernetes.io/managed-by": "upgradecheck"}},
        "summary": {"pass": 0, "fail": 1, "warn": 0, "error": 0, "skip": 0},
        "results": [{"policy": "api-removed", "result": "fail", "severity": "high",
                     "source": "upgradecheck", "properties": {"resultID": "abc"}}],
        **extra,
    }


def apply(api: FakeApiServer, doc: dict[str, Any], query: str = "?fieldManager=test&force=true",
          content_type: str = APPLY) -> Any:
    ns = doc["metadata"].get("namespace")
    where = f"namespaces/{ns}/policyreports" if ns else "clusterpolicyreports"
    path = f"{BASE}/{where}/{doc['metadata']['name']}{query}"
    return request(api, path, method="PATCH", body=json.dumps(doc).encode(),
                   content_type=content_type)


@pytest.fixture
def api(fakeapi: Any) -> FakeApiServer:
    server: FakeApiServer = fakeapi("v1.31", policy_reports=True)
    return server


def test_the_group_is_discovered_with_its_crds(api: FakeApiServer) -> None:
    groups = request(api, "/apis").json()["groups"]
    group = next(g for g in groups if g["name"] == "wgpolicyk8s.io")
    assert [v["version"] for v in group["versions"]] == ["v1beta1", "v1alpha2", "v1alpha1"]
    resources = request(api, BASE).json()["resources"]
    assert {(r["name"], r["namespaced"]) for r in resources} == {
        ("policyreports", True), ("clusterpolicyreports", False)}
    crds = request(api, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions").json()
    assert {"policyreports.wgpolicyk8s.io", "clusterpolicyreports.wgpolicyk8s.io"} <= {
        c["metadata"]["name"] for c in crds["items"]}


def test_without_the_option_the_group_is_not_served(fakeapi: Any) -> None:
    plain = fakeapi("v1.31")
    assert request(plain, f"{BASE}/policyreports").status == 404
    assert apply(plain, report()).status == 405


def test_apply_creates_then_replaces_and_delete_removes(api: FakeApiServer) -> None:
    first = apply(api, report())
    assert first.status == 201
    created = first.json()
    assert created["metadata"]["managedFields"][0]["manager"] == "test"
    assert created["metadata"]["managedFields"][0]["operation"] == "Apply"
    again = apply(api, report(results=[]) | {"summary": {"fail": 0}})
    assert again.status == 200
    assert again.json()["metadata"]["uid"] == created["metadata"]["uid"]
    assert again.json()["metadata"]["generation"] == 2
    listed = request(api, f"{BASE}/policyreports?labelSelector=app.kubernetes.io/managed-by%3D"
                          "upgradecheck").json()
    assert [(i["metadata"]["namespace"], i["results"]) for i in listed["items"]] == [("shop", [])]
    path = f"{BASE}/namespaces/shop/policyreports/upgradecheck"
    assert request(api, path, method="DELETE").json()["status"] == "Success"
    assert request(api, path).status == 404
    assert request(api, path, method="DELETE").status == 404


def test_lists_can_ask_for_metadata_only(api: FakeApiServer) -> None:
    assert apply(api, report()).status == 201
    accept = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json"
    doc = request(api, f"{BASE}/policyreports", accept=accept).json()
    assert doc["kind"] == "PartialObjectMetadataList"
    assert [i["metadata"]["name"] for i in doc["items"]] == ["upgradecheck"]
    assert "results" not in doc["items"][0]


def test_cluster_reports_are_cluster_scoped(api: FakeApiServer) -> None:
    doc = report(namespace="") | {"kind": "ClusterPolicyReport"}
    del doc["metadata"]["namespace"]
    assert apply(api, doc).status == 201
    items = request(api, f"{BASE}/clusterpolicyreports").json()["items"]
    assert [i["metadata"]["name"] for i in items] == ["upgradecheck"]
    assert "namespace" not in items[0]["metadata"]


@pytest.mark.parametrize(
    ("doc", "query", "content_type", "status"),
    [
        (report(), "?fieldManager=t", "application/merge-patch+json", 403),
        (report(), "?fieldManager=t", "application/strategic-merge-patch+json", 403),
        (report(), "", APPLY, 400),  # no field manager
        (report(name="other"), "", APPLY, 400),  # the URL names another object
        (report(namespace="nowhere"), "?fieldManager=t", APPLY, 404),
        (report(summary={"fail": "one"}), "?fieldManager=t", APPLY, 422),
        (report(spec={"x": 1}), "?fieldManager=t", APPLY, 422),  # would be pruned
        (report(results=[{"policy": "p", "message": "x" * 1_700_000}]), "?fieldManager=t",
         APPLY, 413),
    ],
    ids=["merge-patch", "strategic", "no-manager", "other-name", "no-namespace", "bad-type",
         "unknown-field", "too-large"],
)
def test_bad_applies_are_refused(api: FakeApiServer, doc: dict[str, Any], query: str,
                                 content_type: str, status: int) -> None:
    if status == 400 and doc["metadata"]["name"] == "other":
        path = f"{BASE}/namespaces/shop/policyreports/upgradecheck?fieldManager=t"
        answer = request(api, path, method="PATCH", body=json.dumps(doc).encode(),
                         content_type=APPLY)
    else:
        answer = apply(api, doc, query, content_type)
    assert answer.status == status, answer.body[:300]
    assert request(api, f"{BASE}/policyreports").json()["items"] == []


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("POST", f"{BASE}/namespaces/shop/policyreports", 403),
        ("PUT", f"{BASE}/namespaces/shop/policyreports/upgradecheck", 403),
        ("PATCH", "/api/v1/namespaces/shop/configmaps/x", 405),
        ("DELETE", "/api/v1/namespaces/shop", 405),
        ("POST", "/apis/apps/v1/namespaces/shop/deployments", 405),
        ("DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"
                   "policyreports.wgpolicyk8s.io", 405),
    ],
)
def test_every_other_write_is_refused(api: FakeApiServer, method: str, path: str,
                                      status: int) -> None:
    assert request(api, path, method=method, content_type=APPLY).status == status
    assert api.requests[-1].method == method and api.requests[-1].status == status

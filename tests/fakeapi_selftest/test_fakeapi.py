"""The fake API server itself: protocol, conversion, paging, faults, Helm records, fixtures."""

from __future__ import annotations

import base64
import gzip
import json
import socket
import ssl
import time
from pathlib import Path
from typing import Any

import pytest
import urllib3
import yaml
from fakeapi import (
    SENTINEL,
    SENTINEL_FORMS,
    FakeApiServer,
    decode_record,
    generate_cluster,
    load_cluster,
    make_tls_material,
)
from fakeapi.helm import HelmRelease, go_json, release_json, storage_name
from fakeapi.rawclient import request
from kubernetes import client as k8s
from kubernetes import config as k8s_config
from kubernetes.client.exceptions import ApiException


def api_client(server: FakeApiServer) -> k8s.ApiClient:
    """The official Python client, configured from the server's kubeconfig."""
    assert server.kubeconfig_path is not None
    cfg = k8s.Configuration()
    k8s_config.load_kube_config(config_file=str(server.kubeconfig_path), client_configuration=cfg)
    cfg.retries = False  # see every fault; the product's transport does its own retrying
    return k8s.ApiClient(cfg)


def raw_get(c: k8s.ApiClient, path: str, **query: Any) -> tuple[int, Any, Any]:
    """GET through the official client's plumbing: (status, headers, parsed JSON)."""
    method, url, headers, _, _ = c.param_serialize(
        "GET", path, query_params=list(query.items()),
        header_params={"Accept": "application/json"}, auth_settings=["BearerToken"],
    )
    resp = c.call_api(method, url, header_params=headers)
    data = resp.read()
    return resp.status, resp.headers, json.loads(data)


# ------------------------------------------------------------------------ discovery


def test_version_and_discovery_through_the_official_client(fakeapi_v121: FakeApiServer) -> None:
    c = api_client(fakeapi_v121)
    assert k8s.VersionApi(c).get_code().git_version == "v1.21.14-eks-18ef993"

    _, _, apis = raw_get(c, "/apis")
    groups = {g["name"]: g for g in apis["groups"]}
    assert groups["policy"]["preferredVersion"]["version"] == "v1"
    assert [v["version"] for v in groups["policy"]["versions"]] == ["v1", "v1beta1"]
    assert "extensions" in groups and "cert-manager.io" in groups
    assert groups["cert-manager.io"]["preferredVersion"]["version"] == "v1"

    _, _, core = raw_get(c, "/api/v1")
    names = {r["name"]: r for r in core["resources"]}
    assert names["services"]["shortNames"] == ["svc"]
    assert names["pods"]["categories"] == ["all"]
    assert names["pods/eviction"]["group"] == "policy"

    _, _, policy = raw_get(c, "/apis/policy/v1beta1")
    pdb = next(r for r in policy["resources"] if r["name"] == "poddisruptionbudgets")
    assert pdb["kind"] == "PodDisruptionBudget" and pdb["shortNames"] == ["pdb"]
    assert pdb["namespaced"] is True and "list" in pdb["verbs"]
    assert {r["name"] for r in policy["resources"]} >= {"podsecuritypolicies"}

    _, _, ext = raw_get(c, "/apis/apiextensions.k8s.io/v1")
    assert ext["resources"][0]["shortNames"] == ["crd", "crds"]

    _, _, certs = raw_get(c, "/apis/cert-manager.io/v1alpha2")
    assert certs["resources"][0]["kind"] == "Certificate"
    assert certs["resources"][0]["shortNames"] == ["cert", "certs"]


def test_v131_serves_only_current_versions(fakeapi_v131: FakeApiServer) -> None:
    body = request(fakeapi_v131, "/apis").json()
    versions = {v["groupVersion"] for g in body["groups"] for v in g["versions"]}
    assert "policy/v1" in versions and "policy/v1beta1" not in versions
    assert "extensions/v1beta1" not in versions and "batch/v1beta1" not in versions
    assert "flowcontrol.apiserver.k8s.io/v1beta3" in versions
    assert request(fakeapi_v131, "/apis/policy/v1beta1").status == 404
    assert request(fakeapi_v131, "/apis/policy/v1beta1/poddisruptionbudgets").status == 404
    assert request(fakeapi_v131, "/version").json()["gitVersion"] == "v1.31.4"


def test_aggregated_discovery_request_falls_back_to_legacy_json(
    fakeapi_v121: FakeApiServer,
) -> None:
    accept = ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
              "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
              "application/json")
    answer = request(fakeapi_v121, "/apis", accept=accept)
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json()["kind"] == "APIGroupList"


def test_unknown_paths_answer_404(fakeapi_v121: FakeApiServer) -> None:
    assert request(fakeapi_v121, "/openapi/v2").status == 404
    assert request(fakeapi_v121, "/openapi/v3").status == 404
    assert request(fakeapi_v121, "/apis/nope.example/v1").status == 404
    missing = request(fakeapi_v121, "/api/v1/namespaces/shop/pods/nope")
    assert missing.status == 404
    assert missing.json()["reason"] == "NotFound"
    assert missing.json()["message"] == 'pods "nope" not found'
    unknown = request(fakeapi_v121, "/apis/apps/v1/widgets")
    assert unknown.status == 404 and unknown.json()["kind"] == "Status"


# ------------------------------------------------------------------ lists and gets


def test_nodes_through_the_official_client(fakeapi_v121: FakeApiServer) -> None:
    nodes = k8s.CoreV1Api(api_client(fakeapi_v121)).list_node()
    kubelets = sorted({n.status.node_info.kubelet_version.split("-")[0] for n in nodes.items})
    assert kubelets == ["v1.19.16", "v1.20.15", "v1.21.14"]
    runtimes = {n.status.node_info.container_runtime_version.split(":")[0] for n in nodes.items}
    assert runtimes == {"docker", "containerd"}
    assert nodes.kind == "NodeList" and nodes.metadata.resource_version


def test_conversion_serves_one_object_at_every_version(fakeapi_v121: FakeApiServer) -> None:
    c = api_client(fakeapi_v121)
    seen = {}
    for gv in ("extensions/v1beta1", "networking.k8s.io/v1beta1", "networking.k8s.io/v1"):
        status, _, obj = raw_get(c, f"/apis/{gv}/namespaces/shop/ingresses/web")
        assert status == 200
        seen[gv] = obj
        assert obj["apiVersion"] == gv and obj["kind"] == "Ingress"
    assert len({o["metadata"]["uid"] for o in seen.values()}) == 1
    # The evidence of how it was written lives in the annotation and managedFields.
    obj = seen["networking.k8s.io/v1"]
    applied = json.loads(obj["metadata"]["annotations"][
        "kubectl.kubernetes.io/last-applied-configuration"])
    assert applied["apiVersion"] == "extensions/v1beta1"
    managers = {(m["manager"], m["apiVersion"]) for m in obj["metadata"]["managedFields"]}
    assert ("kubectl-client-side-apply", "extensions/v1beta1") in managers

    # The same Deployment through apps/v1 although it was applied as extensions/v1beta1.
    _, _, deploy = raw_get(c, "/apis/apps/v1/namespaces/shop/deployments/web")
    assert deploy["apiVersion"] == "apps/v1"
    assert '"apiVersion":"extensions/v1beta1"' in deploy["metadata"]["annotations"][
        "kubectl.kubernetes.io/last-applied-configuration"]


def test_list_items_carry_type_meta_only_for_custom_resources(
    fakeapi_v121: FakeApiServer,
) -> None:
    c = api_client(fakeapi_v121)
    _, _, pdbs = raw_get(c, "/apis/policy/v1/poddisruptionbudgets")
    assert pdbs["kind"] == "PodDisruptionBudgetList" and pdbs["apiVersion"] == "policy/v1"
    assert all("apiVersion" not in i and "kind" not in i for i in pdbs["items"])
    _, _, certs = raw_get(c, "/apis/cert-manager.io/v1/certificates")
    assert certs["kind"] == "CertificateList"
    assert [i["apiVersion"] for i in certs["items"]] == ["cert-manager.io/v1"]


def test_list_item_typemeta_option(fakeapi: Any) -> None:
    api = fakeapi("v1.21", list_item_typemeta=True)
    items = request(api, "/apis/policy/v1beta1/poddisruptionbudgets").json()["items"]
    assert {i["apiVersion"] for i in items} == {"policy/v1beta1"}


def test_deprecated_version_warns(fakeapi_v121: FakeApiServer) -> None:
    status, headers, body = raw_get(api_client(fakeapi_v121),
                                    "/apis/policy/v1beta1/poddisruptionbudgets")
    assert status == 200 and len(body["items"]) == 4
    assert headers["Warning"] == (
        '299 - "policy/v1beta1 PodDisruptionBudget is deprecated in v1.21+, unavailable in '
        'v1.25+; use policy/v1 PodDisruptionBudget"'
    )
    assert "Warning" not in request(fakeapi_v121, "/apis/policy/v1/poddisruptionbudgets").headers


def test_pagination_through_the_official_client(fakeapi_v121: FakeApiServer) -> None:
    core = k8s.CoreV1Api(api_client(fakeapi_v121))
    everything = [(p.metadata.namespace, p.metadata.name)
                  for p in core.list_pod_for_all_namespaces().items]
    assert len(everything) >= 4
    pages, token, seen = 0, None, []
    while True:
        page = core.list_pod_for_all_namespaces(limit=2, _continue=token)
        pages += 1
        seen += [(p.metadata.namespace, p.metadata.name) for p in page.items]
        token = page.metadata._continue
        if not token:
            assert page.metadata.remaining_item_count is None
            break
        assert page.metadata.remaining_item_count == len(everything) - len(seen)
        assert page.metadata.resource_version
    assert seen == everything == sorted(everything)
    assert pages == (len(everything) + 1) // 2


def test_bad_continue_token_is_400(fakeapi_v121: FakeApiServer) -> None:
    answer = request(fakeapi_v121, "/api/v1/pods?limit=1&continue=garbage")
    assert answer.status == 400 and answer.json()["reason"] == "BadRequest"


def test_selectors(fakeapi_v121: FakeApiServer) -> None:
    core = k8s.CoreV1Api(api_client(fakeapi_v121))
    helm = core.list_secret_for_all_namespaces(label_selector="owner=helm").items
    assert sorted(s.metadata.name for s in helm) == sorted(
        storage_name(n, r) for n, r in
        [("legacy-web", 1), ("payments-api", 1), ("payments-api", 2),
         ("monitoring", 1), ("monitoring", 2), ("monitoring", 3)])
    deployed = core.list_secret_for_all_namespaces(
        label_selector="name=payments-api,owner=helm,status in (deployed)").items
    assert [s.metadata.name for s in deployed] == ["sh.helm.release.v1.payments-api.v2"]
    assert len(core.list_config_map_for_all_namespaces(label_selector="owner=helm").items) == 1
    pods = core.list_pod_for_all_namespaces(field_selector="metadata.namespace=kube-system")
    assert {p.metadata.namespace for p in pods.items} == {"kube-system"}
    assert request(fakeapi_v121, "/api/v1/pods?labelSelector=a%20in%20b").status == 400


def test_namespaced_list_and_cluster_scoped_under_namespace(fakeapi_v121: FakeApiServer) -> None:
    shop = request(fakeapi_v121, "/apis/apps/v1/namespaces/shop/deployments").json()
    assert [d["metadata"]["name"] for d in shop["items"]] == ["web"]
    assert request(fakeapi_v121, "/api/v1/namespaces/shop/nodes").status == 404
    assert request(fakeapi_v121, "/api/v1/namespaces/shop").json()["kind"] == "Namespace"


def test_generated_cluster_pages_fast(fakeapi: Any) -> None:
    t0 = time.monotonic()
    cluster = generate_cluster(seed=7, n_objects=20_000, n_nodes=30, n_releases=10)
    api = fakeapi(cluster)
    total, token, pages = 0, "", 0
    while True:
        path = "/api/v1/pods?limit=500" + (f"&continue={token}" if token else "")
        body = request(api, path).json()
        total += len(body["items"])
        pages += 1
        token = body["metadata"].get("continue", "")
        if not token:
            break
    expected = sum(1 for o in cluster.objects if o["kind"] == "Pod")
    assert total == expected > 4000
    assert pages == -(-expected // 500)
    assert time.monotonic() - t0 < 20  # generous: a sanity bound, benchmarks measure speed


def test_generate_cluster_is_deterministic() -> None:
    a = generate_cluster(seed=3, n_objects=2_000, n_nodes=12, n_releases=6)
    b = generate_cluster(seed=3, n_objects=2_000, n_nodes=12, n_releases=6)
    assert a.objects == b.objects
    assert abs(len(a.objects) - 2_000) < 50
    kinds = {o["kind"] for o in a.objects}
    assert len(kinds) >= 40
    assert len(a.objects_of_kind("Node")) == 12
    assert generate_cluster(seed=4, n_objects=2_000).objects != a.objects


# ------------------------------------------------------------------------ auth, TLS


def test_wrong_or_missing_token_is_401(fakeapi_v121: FakeApiServer) -> None:
    for token in (None, "wrong"):
        answer = request(fakeapi_v121, "/api/v1/nodes", token=token)
        assert answer.status == 401
        assert answer.json() == {"kind": "Status", "apiVersion": "v1", "metadata": {},
                                 "status": "Failure", "message": "Unauthorized",
                                 "reason": "Unauthorized", "code": 401}
    kubeconfig = fakeapi_v121.write_kubeconfig(
        Path(str(fakeapi_v121.kubeconfig_path) + "-bad"), token="wrong")
    cfg = k8s.Configuration()
    k8s_config.load_kube_config(config_file=str(kubeconfig), client_configuration=cfg)
    with pytest.raises(ApiException) as err:
        k8s.CoreV1Api(k8s.ApiClient(cfg)).list_node()
    assert err.value.status == 401


def test_tls_certificate_verifies_for_127_0_0_1_and_localhost(
    fakeapi_v121: FakeApiServer,
) -> None:
    ctx = ssl.create_default_context(cadata=(fakeapi_v121.ca_pem or b"").decode())
    for host in ("127.0.0.1", "localhost"):
        with socket.create_connection(("127.0.0.1", fakeapi_v121.port), timeout=5) as raw, \
                ctx.wrap_socket(raw, server_hostname=host) as tls:
            assert tls.version() in ("TLSv1.2", "TLSv1.3")
    other = ssl.create_default_context()  # the system CAs do not know the test CA
    with socket.create_connection(("127.0.0.1", fakeapi_v121.port), timeout=5) as raw, \
            pytest.raises(ssl.SSLCertVerificationError):
        other.wrap_socket(raw, server_hostname="127.0.0.1")


@pytest.mark.parametrize("backend", ["cryptography", "openssl"])
def test_tls_backends(fakeapi: Any, backend: str) -> None:
    if backend == "openssl":
        import shutil

        if shutil.which("openssl") is None:
            pytest.skip("no openssl command on PATH")
    else:
        pytest.importorskip("cryptography")
    api = fakeapi("v1.31", tls_material=make_tls_material(backend=backend))
    assert k8s.VersionApi(api_client(api)).get_code().minor == "31"


def test_plain_http_mode(fakeapi: Any) -> None:
    api = fakeapi("v1.31", tls=False, token=None)
    assert api.url.startswith("http://")
    assert request(api, "/version", token=None).json()["minor"] == "31"
    kubeconfig = yaml.safe_load(Path(api.kubeconfig_path).read_text())
    assert "certificate-authority-data" not in kubeconfig["clusters"][0]["cluster"]


def test_kubeconfig_shape(fakeapi: Any) -> None:
    api = fakeapi("v1.21", context="staging")
    doc = yaml.safe_load(Path(api.kubeconfig_path).read_text())
    assert doc["current-context"] == "staging"
    assert doc["contexts"][0]["context"] == {"cluster": "staging-cluster", "user": "staging-user"}
    cluster = doc["clusters"][0]["cluster"]
    assert cluster["server"] == api.url
    assert base64.b64decode(cluster["certificate-authority-data"]) == api.ca_pem
    assert doc["users"][0]["user"] == {"token": api.token}
    assert Path(api.kubeconfig_path).stat().st_mode & 0o077 == 0


# ------------------------------------------------------------- read-only, recording


def test_only_get_is_served_and_everything_is_recorded(fakeapi_v121: FakeApiServer) -> None:
    api = fakeapi_v121
    k8s.CoreV1Api(api_client(api)).list_namespace()
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        answer = request(api, "/api/v1/namespaces/shop/configmaps", method=method)
        assert answer.status == 405
        assert answer.json()["reason"] == "MethodNotAllowed"
    assert request(api, "/api/v1/pods?watch=true").status == 405
    log = api.requests
    assert [r.method for r in log if r.method != "GET"] == ["POST", "PUT", "PATCH", "DELETE"]
    first = log[0]
    assert first.path == "/api/v1/namespaces" and first.status == 200 and first.authorized
    assert first.user_agent.startswith("OpenAPI-Generator/")
    assert log[-1].param("watch") == "true"
    api.clear_requests()
    assert api.requests == []


# ------------------------------------------------------------------------ faults


def test_forbidden_with_a_realistic_status(fakeapi_v121: FakeApiServer) -> None:
    api = fakeapi_v121
    api.faults.forbid("/api/v1/secrets")
    api.faults.forbid("/metrics")
    body = request(api, "/api/v1/secrets").json()
    assert body["code"] == 403 and body["reason"] == "Forbidden"
    assert body["message"] == (
        'secrets is forbidden: User "system:serviceaccount:upgradecheck:reader" cannot list '
        'resource "secrets" in API group "" at the cluster scope')
    assert body["details"] == {"group": "", "kind": "secrets"}
    assert request(api, "/metrics").json()["message"] == (
        'forbidden: User "system:serviceaccount:upgradecheck:reader" cannot get path "/metrics"')
    # other paths are unaffected
    assert request(api, "/api/v1/namespaces/shop/secrets").status == 200
    with pytest.raises(ApiException) as err:
        k8s.CoreV1Api(api_client(api)).list_secret_for_all_namespaces()
    assert err.value.status == 403
    assert api.requests[-1].fault == "403"


def test_glob_patterns_and_not_found(fakeapi_v121: FakeApiServer) -> None:
    fakeapi_v121.faults.not_found("/apis/policy/*")
    assert request(fakeapi_v121, "/apis/policy/v1beta1/poddisruptionbudgets").status == 404
    assert request(fakeapi_v121, "/apis/policy/v1/namespaces/shop/poddisruptionbudgets"
                   ).status == 404
    assert request(fakeapi_v121, "/apis/apps/v1/deployments").status == 200


def test_throttle_sends_retry_after_then_recovers(fakeapi_v121: FakeApiServer) -> None:
    fault = fakeapi_v121.faults.throttle("/api/v1/nodes", times=2, retry_after=7)
    for _ in range(2):
        answer = request(fakeapi_v121, "/api/v1/nodes")
        assert answer.status == 429
        assert answer.headers["Retry-After"] == "7"
        assert answer.json()["reason"] == "TooManyRequests"
        assert answer.json()["details"]["retryAfterSeconds"] == 7
    assert request(fakeapi_v121, "/api/v1/nodes").status == 200
    assert fault.hits == 2


def test_internal_error_once(fakeapi_v121: FakeApiServer) -> None:
    fakeapi_v121.faults.error("/apis/apps/v1/deployments")
    first = request(fakeapi_v121, "/apis/apps/v1/deployments")
    assert first.status == 500 and first.json()["reason"] == "InternalError"
    assert request(fakeapi_v121, "/apis/apps/v1/deployments").status == 200


def test_expired_continue_token(fakeapi_v121: FakeApiServer) -> None:
    api = fakeapi_v121
    api.faults.expire_continue("/api/v1/pods")
    first = request(api, "/api/v1/pods?limit=2")
    assert first.status == 200  # no token yet: unaffected
    token = first.json()["metadata"]["continue"]
    gone = request(api, f"/api/v1/pods?limit=2&continue={token}")
    assert gone.status == 410
    assert gone.json()["reason"] == "Expired" and gone.json()["code"] == 410
    assert request(api, f"/api/v1/pods?limit=2&continue={token}").status == 200


def test_delay_and_drop(fakeapi_v121: FakeApiServer) -> None:
    api = fakeapi_v121
    api.faults.delay("/version", 0.3, times=1)
    t0 = time.monotonic()
    assert request(api, "/version").status == 200
    assert time.monotonic() - t0 >= 0.3
    api.faults.drop("/api/v1/nodes")
    with pytest.raises((ConnectionError, OSError)):
        request(api, "/api/v1/nodes")
    assert request(api, "/api/v1/nodes").status == 200
    dropped = [r for r in api.requests if r.fault == "drop"]
    assert len(dropped) == 1 and dropped[0].status == 0


def test_random_faults_are_reproducible(fakeapi: Any) -> None:
    def run(seed: int) -> list[int]:
        api = fakeapi("v1.31")
        api.faults.random(seed, {"429": 0.2, "500": 0.2, "403": 0.1}, exclude=["/version"])
        return [request(api, "/api/v1/pods").status for _ in range(40)] + [
            request(api, "/version").status]

    first = run(11)
    assert first == run(11)
    assert first[-1] == 200
    assert {429, 500, 200} <= set(first[:-1])
    assert first != run(12)


# ------------------------------------------------------------------------ metrics


def test_metrics(fakeapi_v121: FakeApiServer) -> None:
    answer = request(fakeapi_v121, "/metrics", accept="text/plain")
    assert answer.status == 200 and answer.headers["Content-Type"].startswith("text/plain")
    text = answer.body.decode()
    assert ("# TYPE apiserver_requested_deprecated_apis gauge" in text)
    assert ('apiserver_requested_deprecated_apis{group="extensions",removed_release="1.22",'
            'resource="ingresses",subresource="",version="v1beta1"} 1') in text
    assert ('apiserver_requested_deprecated_apis{group="batch",removed_release="1.25",'
            'resource="cronjobs",subresource="status",version="v1beta1"} 1') in text
    assert "# HELP go_goroutines" in text and "apiserver_request_total{" in text


def test_metrics_can_count_the_clients_own_requests(fakeapi: Any) -> None:
    api = fakeapi("v1.31", record_deprecated_requests=True)
    series = ('apiserver_requested_deprecated_apis{group="example.com",removed_release="",'
              'resource="widgets",subresource="",version="v1beta1"} 1')
    assert series not in request(api, "/metrics").body.decode()
    assert request(api, "/apis/example.com/v1beta1/widgets").status == 200
    assert series in request(api, "/metrics").body.decode()


# ------------------------------------------------------------------------ Helm


def test_helm_secret_records_are_encoded_like_helm(fakeapi_v121: FakeApiServer) -> None:
    secret = request(
        fakeapi_v121,
        "/api/v1/namespaces/payments/secrets/sh.helm.release.v1.payments-api.v2",
    ).json()
    assert secret["type"] == "helm.sh/release.v1"
    labels = secret["metadata"]["labels"]
    assert {k: labels[k] for k in ("name", "owner", "status", "version")} == {
        "name": "payments-api", "owner": "helm", "status": "deployed", "version": "2"}
    assert "modifiedAt" in labels
    # Secret data is base64 of Helm's bytes, which are base64(gzip(json)): decode twice.
    helm_text = base64.b64decode(secret["data"]["release"])
    gz = base64.b64decode(helm_text)
    assert gz[:3] == b"\x1f\x8b\x08"
    release = json.loads(gzip.decompress(gz))
    assert release == decode_record(secret)
    assert release["name"] == "payments-api" and release["version"] == 2
    assert release["namespace"] == "payments"
    assert release["info"]["status"] == "deployed" and release["info"]["deleted"] == ""
    assert release["chart"]["metadata"] == {
        "name": "payments-api", "version": "2.4.1", "description": "Payments API",
        "apiVersion": "v2", "appVersion": "3.2.0", "kubeVersion": ">=1.16.0-0",
        "type": "application"}
    assert release["config"]["db"]["password"] == SENTINEL
    assert "apiVersion: policy/v1\nkind: PodDisruptionBudget" in release["manifest"]
    assert list(release) == ["name", "info", "chart", "config", "manifest", "version",
                             "namespace"]
    assert SENTINEL not in json.dumps(secret)  # only inside the encoded payload


def test_helm_configmap_and_pending_records(fakeapi_v121: FakeApiServer) -> None:
    cms = request(fakeapi_v121, "/api/v1/configmaps?labelSelector=owner%3Dhelm").json()["items"]
    assert [c["metadata"]["name"] for c in cms] == ["sh.helm.release.v1.legacy-cron.v1"]
    release = json.loads(gzip.decompress(base64.b64decode(cms[0]["data"]["release"])))
    assert "apiVersion: batch/v1beta1\nkind: CronJob" in release["manifest"]
    pending = request(
        fakeapi_v121,
        "/api/v1/namespaces/monitoring/secrets?labelSelector=status%3Dpending-upgrade",
    ).json()["items"]
    assert [p["metadata"]["labels"]["version"] for p in pending] == ["3"]
    assert "createdAt" in pending[0]["metadata"]["labels"]


def test_go_json_matches_go_encoding() -> None:
    assert go_json({"a": "<b>&", "n": 1, "f": 0.5, "u": "é"}) == (
        '{"a":"\\u003cb\\u003e\\u0026","n":1,"f":0.5,"u":"é"}'.encode())
    doc = release_json(HelmRelease(
        name="x", namespace="ns", revision=1, status="deployed", chart_name="c",
        chart_version="1.0.0", values={"z": 1, "a": {"d": 2, "b": 3}}))
    assert list(doc["config"]) == ["a", "z"] and list(doc["config"]["a"]) == ["b", "d"]
    assert "manifest" not in doc and doc["chart"]["lock"] is None


# ------------------------------------------------------------------------ fixtures


def test_v121_fixture_contents() -> None:
    cluster = load_cluster("v1.21")
    pods = {p["metadata"]["name"]: p for p in cluster.objects_of_kind("Pod")}
    apiserver = next(p for n, p in pods.items() if n.startswith("kube-apiserver-"))
    flags = apiserver["spec"]["containers"][0]["command"]
    assert any("PodSecurityPolicy" in f for f in flags if f.startswith("--enable-admission"))
    assert "--cloud-provider=aws" in flags
    proxy = next(c for c in cluster.objects_of_kind("ConfigMap")
                 if c["metadata"]["name"] == "kube-proxy-config")
    assert yaml.safe_load(proxy["data"]["config"])["mode"] == "ipvs"
    crds = {c["metadata"]["name"]: c for c in cluster.objects_of_kind("CustomResourceDefinition")}
    assert crds["certificates.cert-manager.io"]["status"]["storedVersions"] == ["v1alpha2", "v1"]
    statuses = {(r.name, r.revision): r.status for r in cluster.releases}
    assert statuses[("monitoring", 3)] == "pending-upgrade"
    assert {r.driver for r in cluster.releases} == {"secret", "configmap"}
    managers = {m["manager"] for o in cluster.objects
                for m in o.get("metadata", {}).get("managedFields", [])}
    assert {"kubectl-client-side-apply", "helm", "report-operator", "kubectl"} <= managers
    operations = {m["operation"] for o in cluster.objects
                  for m in o.get("metadata", {}).get("managedFields", [])}
    assert operations == {"Apply", "Update"}
    secrets = json.dumps(cluster.objects_of_kind("Secret"))
    assert all(form in secrets for form in SENTINEL_FORMS)
    assert base64.b64encode(SENTINEL.encode()).decode() == SENTINEL_FORMS[1]


@pytest.mark.parametrize("name", ["v1.21", "v1.31"])
def test_fixture_managed_fields_are_plausible(name: str) -> None:
    # A real server keeps one entry per manager, operation, apiVersion (Update only) and
    # subresource; the subresource field exists from 1.22 on.
    cluster = load_cluster(name)
    for obj in cluster.objects:
        entries = obj["metadata"].get("managedFields", [])
        keys = [(m["manager"], m["operation"],
                 m["apiVersion"] if m["operation"] == "Update" else "",
                 m.get("subresource", "")) for m in entries]
        assert len(keys) == len(set(keys)), (obj["kind"], obj["metadata"]["name"])
        for m in entries:
            assert m["operation"] in ("Apply", "Update") and m["fieldsType"] == "FieldsV1"
            assert cluster.minor >= 22 or "subresource" not in m


def test_v131_fixture_traps() -> None:
    cluster = load_cluster("v1.31")
    pdb = next(p for p in cluster.objects_of_kind("PodDisruptionBudget")
               if p["metadata"]["name"] == "web")
    applied = json.loads(pdb["metadata"]["annotations"][
        "kubectl.kubernetes.io/last-applied-configuration"])
    assert applied["apiVersion"] == "policy/v1beta1"
    assert {m["apiVersion"] for m in pdb["metadata"]["managedFields"]} == {"policy/v1"}
    fs = cluster.objects_of_kind("FlowSchema")[0]
    assert fs["metadata"]["managedFields"][0]["apiVersion"].endswith("/v1beta3")
    kubelets = sorted(n["status"]["nodeInfo"]["kubeletVersion"]
                      for n in cluster.objects_of_kind("Node"))
    assert kubelets == ["v1.28.15", "v1.30.8", "v1.31.4", "v1.31.4"]


def test_every_fixture_object_is_served(fakeapi: Any) -> None:
    for name in ("v1.21", "v1.31"):
        api = fakeapi(name)
        for obj in api.cluster.objects:
            group_version, kind, meta = obj["apiVersion"], obj["kind"], obj["metadata"]
            rt = next(r for r in api.store.served[group_version].resources.values()
                      if r.kind == kind)
            prefix = "/api/" if "/" not in group_version else "/apis/"
            ns = f"namespaces/{meta['namespace']}/" if rt.namespaced else ""
            answer = request(api, f"{prefix}{group_version}/{ns}{rt.name}/{meta['name']}")
            assert answer.status == 200, (name, group_version, kind, meta["name"])
            assert answer.json()["metadata"]["uid"]
        assert api.errors == []


# ------------------------------------------------------------------------ odds and ends


def test_objects_can_be_added_while_serving(fakeapi_v131: FakeApiServer) -> None:
    api = fakeapi_v131
    before = request(api, "/api/v1/namespaces/shop/configmaps").json()
    api.store.add_object({"apiVersion": "v1", "kind": "ConfigMap",
                          "metadata": {"name": "late", "namespace": "shop"},
                          "data": {"k": "v"}})
    after = request(api, "/api/v1/namespaces/shop/configmaps").json()
    assert len(after["items"]) == len(before["items"]) + 1
    assert int(after["metadata"]["resourceVersion"]) > int(before["metadata"]["resourceVersion"])
    assert request(api, "/api/v1/namespaces/shop/configmaps/late").json()["data"] == {"k": "v"}


def test_anonymous_paths_and_fault_bookkeeping(fakeapi: Any) -> None:
    api = fakeapi("v1.31", anonymous_paths=["/version", "/healthz"])
    assert request(api, "/version", token=None).status == 200
    assert request(api, "/healthz", token=None).body == b"ok"
    assert request(api, "/api", token=None).status == 401
    fault = api.faults.forbid("/api")
    assert api.faults.items() == [fault]
    assert request(api, "/api").status == 403
    api.faults.clear()
    assert request(api, "/api").status == 200 and fault.hits == 1


# ---- answers that never come, drip, or are anything at all ----------------------------------


def _raw_https(server: FakeApiServer, path: str, timeout: float = 5) -> tuple[bytes, float]:
    """What the server sends for GET `path`, byte for byte, and how long it took."""
    ctx = ssl.create_default_context(cadata=(server.ca_pem or b"").decode())
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as raw, \
            ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
        tls.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {server.token}"
                    "\r\nConnection: close\r\n\r\n".encode())
        data = b""
        try:
            while chunk := tls.recv(65536):
                data += chunk
        except TimeoutError:
            pass
    return data, time.monotonic() - start


def test_hang_drip_and_raw_answers(fakeapi_v131: FakeApiServer) -> None:
    api = fakeapi_v131
    api.faults.hang("/version", times=1)
    data, took = _raw_https(api, "/version", timeout=0.5)
    assert data == b"" and took >= 0.5
    api.faults.drip("/api", b'{"a":1}', interval=0.1, times=1)
    data, took = _raw_https(api, "/api")
    assert data.endswith(b'\r\n\r\n{"a":1}') and took >= 0.6
    api.faults.respond("/apis", b"<html>", content_type="text/html", code=502, times=1)
    data, _ = _raw_https(api, "/apis")
    assert data.startswith(b"HTTP/1.0 502") or data.startswith(b"HTTP/1.1 502")
    assert b"Content-Type: text/html" in data and data.endswith(b"<html>")
    api.faults.respond("/api/v1", lambda: iter([b"ab", b"cd"]), times=1)
    data, _ = _raw_https(api, "/api/v1")
    assert b"Content-Length" not in data and data.endswith(b"\r\n\r\nabcd")
    api.faults.answer_json("/api/v1/nodes", ["odd"], times=1)
    assert _raw_https(api, "/api/v1/nodes")[0].endswith(b'["odd"]')
    assert api.connections == 5


def test_client_certificate_authentication(fakeapi: Any, tmp_path: Path) -> None:
    from fakeapi import make_client_certificate

    client = make_client_certificate("alice")
    api = fakeapi("v1.31", token="only-for-robots", client_ca_pem=client.ca_cert_pem)
    kubeconfig = api.write_kubeconfig(
        tmp_path / "kc", token="", client_cert_pem=client.cert_pem, client_key_pem=client.key_pem
    )
    cfg = k8s.Configuration()
    k8s_config.load_kube_config(config_file=str(kubeconfig), client_configuration=cfg)
    status, _, doc = raw_get(k8s.ApiClient(cfg), "/version")
    assert status == 200 and doc["gitVersion"].startswith("v1.31")
    assert api.requests[-1].client_user == "alice" and api.requests[-1].authorized
    stranger = make_client_certificate("mallory")  # signed by a CA the server does not trust
    kubeconfig = api.write_kubeconfig(
        tmp_path / "kc2", token="", client_cert_pem=stranger.cert_pem,
        client_key_pem=stranger.key_pem,
    )
    cfg = k8s.Configuration()
    k8s_config.load_kube_config(config_file=str(kubeconfig), client_configuration=cfg)
    cfg.retries = False
    with pytest.raises((ApiException, OSError, urllib3.exceptions.HTTPError)):
        raw_get(k8s.ApiClient(cfg), "/version")  # the server rejects the handshake
    assert api.requests[-1].client_user == "alice"


def test_a_silent_port_accepts_and_never_speaks() -> None:
    from fakeapi import SilentServer

    with SilentServer() as silent, socket.create_connection(
        ("127.0.0.1", silent.port), timeout=0.3
    ) as conn:
        with pytest.raises(TimeoutError):
            conn.recv(1)
        assert silent.connections == 1

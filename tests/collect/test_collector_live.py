"""The live collector against the fake API server, through the real kubernetes client."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from upgradecheck.assess import assess
from upgradecheck.collect.cluster.collector import CollectOptions, collect_cluster
from upgradecheck.collect.cluster.transport import TransportOptions
from upgradecheck.collect.errors import ClusterUnreachable
from upgradecheck.knowledge import load_knowledge_base
from upgradecheck.model import EvidenceSource, Severity
from upgradecheck.render import REPORT_FORMATS, OutputFormat
from upgradecheck.snapshot_io import read_snapshot, write_snapshot

SENTINEL = "SENTINEL-SECRET-VALUE-4242"


def options(api: Any, **kw: Any) -> CollectOptions:
    transport = TransportOptions(timeout=10, retries=3, backoff=0.01, concurrency=4)
    return CollectOptions(
        kubeconfig=str(api.kubeconfig_path),
        transport=kw.pop("transport", transport),
        probe_clients=False,
        **kw,
    )


@pytest.fixture(scope="module")
def kb():  # type: ignore[no-untyped-def]
    return load_knowledge_base()


def test_collects_v121_with_evidence_and_only_gets(fakeapi: Any, kb: Any, tmp_path: Path) -> None:
    api = fakeapi("v1.21")
    snap = collect_cluster(options(api), kb)
    assert snap.cluster is not None and snap.cluster.server_version.startswith("v1.21.14")
    assert snap.cluster.platform == "eks"
    assert len({n.kubelet_version.split("-")[0] for n in snap.nodes}) >= 3
    kinds = {o.ref.kind for o in snap.objects}
    assert {"PodDisruptionBudget", "Ingress", "CronJob", "CustomResourceDefinition"} <= kinds
    sources = {e.source for o in snap.objects for e in o.evidence}
    assert {EvidenceSource.LAST_APPLIED, EvidenceSource.MANAGED_FIELDS} <= sources
    assert snap.helm_releases and snap.api_requests
    # Only GET ever reached the server.
    assert {r.method for r in api.requests} == {"GET"}
    assert all("upgradecheck/" in (r.user_agent or "") for r in api.requests)
    # Each object once (no duplicates from legacy groups such as extensions/v1beta1).
    keys = [(o.ref.kind, o.ref.namespace, o.ref.name) for o in snap.objects]
    assert len(keys) == len(set(keys))
    # The sentinel Secret value is nowhere: not in the snapshot file, not in any report.
    path = tmp_path / "snap.json.gz"
    write_snapshot(snap, path)
    assert SENTINEL not in json.dumps(json.loads(json.dumps(read_snapshot(path).__repr__())))
    report = assess(read_snapshot(path), kb, target="1.25")
    for fmt in OutputFormat:
        assert SENTINEL not in REPORT_FORMATS.renderer(fmt).render(report)
    assert SENTINEL not in repr(snap)


def test_removed_apis_found_with_their_evidence(fakeapi: Any, kb: Any) -> None:
    api = fakeapi("v1.21")
    report = assess(collect_cluster(options(api), kb), kb, target="1.25")
    blockers = [f for f in report.findings if f.severity is Severity.BLOCKER]
    rules = {f.rule for f in blockers}
    assert {"api-removed", "helm-release-removed-api"} <= rules
    removed = {f.object.api_version for f in blockers if f.object is not None}
    assert {"extensions/v1beta1", "policy/v1beta1", "batch/v1beta1"} <= removed
    sources = {e.source for f in blockers for e in f.evidence}
    assert {
        EvidenceSource.LAST_APPLIED,
        EvidenceSource.MANAGED_FIELDS,
        EvidenceSource.HELM_RELEASE,
        EvidenceSource.APISERVER_METRICS,
    } <= sources


def test_forbidden_resource_is_coverage_and_the_rest_is_collected(fakeapi: Any, kb: Any) -> None:
    api = fakeapi("v1.21")
    api.faults.forbid("/apis/policy/v1/poddisruptionbudgets")
    snap = collect_cluster(options(api), kb)
    assert not [o for o in snap.objects if o.ref.kind == "PodDisruptionBudget"]
    [note] = [c for c in snap.coverage if "poddisruptionbudgets" in c.subject]
    assert note.kind == "forbidden" and "403" in note.reason
    assert any(o.ref.kind == "Ingress" for o in snap.objects)
    report = assess(snap, kb, target="1.25")
    assert report.verdict.value in ("blocked", "review")


def test_retries_429_500_and_restarts_an_expired_list(fakeapi: Any, kb: Any) -> None:
    api = fakeapi("v1.21")
    baseline = collect_cluster(options(api), kb)
    api.faults.throttle("/api/v1/nodes", times=2, retry_after=0)
    api.faults.error("/apis/apps/v1/deployments", code=500, times=1)
    api.faults.expire_continue("/api/v1/pods", times=1)
    small = TransportOptions(timeout=10, retries=3, backoff=0.01, concurrency=4)
    snap = collect_cluster(options(api, transport=small), kb)
    assert len(snap.nodes) == len(baseline.nodes)
    key = lambda s: sorted((o.ref.kind, o.ref.namespace or "", o.ref.name) for o in s.objects)  # noqa: E731
    assert key(snap) == key(baseline)
    assert not [c for c in snap.coverage if c.kind != "gap"]


def test_pagination_restart_keeps_each_object_once(fakeapi: Any, kb: Any) -> None:
    from upgradecheck.collect.cluster.endpoint import load_endpoint
    from upgradecheck.collect.cluster.listing import RESTART, list_items
    from upgradecheck.collect.cluster.transport import Transport

    api = fakeapi("v1.21")
    t = Transport(load_endpoint(str(api.kubeconfig_path), None), TransportOptions(retries=1))
    api.faults.expire_continue("/api/v1/pods", times=1)
    pages = list(list_items(t, "/api/v1/pods", page_size=2))
    assert any(p is RESTART for p in pages)
    after = pages[max(i for i, p in enumerate(pages) if p is RESTART) + 1 :]
    names = [i["metadata"]["name"] for p in after for i in p]
    assert len(names) == len(set(names)) > 2


def test_rejected_credentials_are_unreachable(fakeapi: Any, kb: Any) -> None:
    api = fakeapi("v1.21")
    api.faults.unauthorized()
    with pytest.raises(ClusterUnreachable, match="rejected the credentials"):
        collect_cluster(options(api), kb)


def test_unreachable_server(tmp_path: Path, fakeapi: Any, kb: Any) -> None:
    api = fakeapi("v1.21")
    path = str(api.kubeconfig_path)
    api.stop()
    with pytest.raises(ClusterUnreachable, match="cannot reach"):
        collect_cluster(
            CollectOptions(
                kubeconfig=path,
                probe_clients=False,
                transport=TransportOptions(retries=1, backoff=0.01),
            ),
            kb,
        )


def test_current_cluster_v131(fakeapi: Any, kb: Any) -> None:
    api = fakeapi("v1.31")
    snap = collect_cluster(options(api), kb)
    assert snap.cluster is not None and snap.cluster.server_version.startswith("v1.31")
    report = assess(snap, kb)
    assert report.target_version == "1.32"


def test_slow_response_times_out_and_is_retried(fakeapi: Any, kb: Any) -> None:
    api = fakeapi("v1.21")
    api.faults.delay("/apis/apps/v1/deployments", 3.0, times=1)
    quick = TransportOptions(timeout=1.0, retries=2, backoff=0.01, concurrency=4)
    snap = collect_cluster(options(api, transport=quick), kb)
    assert any(o.ref.kind == "Deployment" for o in snap.objects)
    hits = [r for r in api.requests if r.path == "/apis/apps/v1/deployments"]
    assert len(hits) >= 2


def _certificate(days: int) -> str:
    import base64
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "shop.example.com")])
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    return base64.b64encode(cert.public_bytes(serialization.Encoding.PEM)).decode()


def test_tls_secrets_keep_only_the_expiry_date(fakeapi: Any, kb: Any) -> None:
    api = fakeapi("v1.31")
    crt = _certificate(days=30)
    key = "U0VOVElORUwtU0VDUkVULVZBTFVFLTQyNDI="  # base64 of the sentinel
    api.store.add_object(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "kubernetes.io/tls",
            "metadata": {
                "name": "shop-tls",
                "namespace": "shop",
                "labels": {"app": "shop"},
                "annotations": {"note": SENTINEL},
            },
            "data": {"tls.crt": crt, "tls.key": key},
        }
    )
    snap = collect_cluster(options(api), kb)
    [secret] = [o for o in snap.objects if o.ref.kind == "Secret" and o.ref.name == "shop-tls"]
    assert secret.body["tls"] == {"notAfter": "2026-01-31T00:00:00Z"}
    assert secret.body["metadata"] == {
        "name": "shop-tls",
        "namespace": "shop",
        "labels": {"app": "shop"},
    }
    text = repr(snap)
    assert crt not in text and key not in text and SENTINEL not in text
    assert any("fieldSelector" in r.query for r in api.requests if r.path == "/api/v1/secrets")


def test_scope_namespaces_exclusions_and_selector(fakeapi: Any, kb: Any) -> None:
    from upgradecheck.collect.cluster.scope import Scope

    api = fakeapi("v1.21")
    full = collect_cluster(options(api), kb)
    namespaces = sorted({o.ref.namespace for o in full.objects if o.ref.namespace})
    keep, drop = "shop", "payments"
    assert {keep, drop} <= set(namespaces)
    cluster_scoped = {(o.ref.kind, o.ref.name) for o in full.objects if o.ref.namespace is None}

    only = collect_cluster(options(api, scope=Scope(namespaces=(keep,))), kb)
    assert {o.ref.namespace for o in only.objects if o.ref.namespace} == {keep, "kube-system"}
    # kube-system's configuration (kube-proxy, CoreDNS) is cluster-level: always read.
    assert {o.ref.kind for o in only.objects if o.ref.namespace == "kube-system"} == {"ConfigMap"}
    assert {(o.ref.kind, o.ref.name) for o in only.objects if o.ref.namespace is None} == (
        cluster_scoped
    )
    assert len(only.nodes) == len(full.nodes)
    assert all(r.namespace == keep for r in only.helm_releases)
    [note] = [c for c in only.coverage if c.subject == "scope"]
    assert note.kind == "note" and f"only namespaces {keep}" in note.reason

    without = collect_cluster(options(api, scope=Scope(exclude_namespaces=(drop,))), kb)
    assert drop not in {o.ref.namespace for o in without.objects}
    assert {o.ref.namespace for o in without.objects} >= set(namespaces) - {drop}

    labelled = [
        o
        for o in full.objects
        if o.ref.namespace and o.body.get("metadata", {}).get("labels", {}).get("app")
    ]
    app = labelled[0].body["metadata"]["labels"]["app"]
    sel = collect_cluster(options(api, scope=Scope(selector=f"app={app}")), kb)
    assert all(
        o.body["metadata"]["labels"]["app"] == app
        for o in sel.objects
        if o.ref.namespace and o.ref.kind not in ("ConfigMap",)
    )


def test_in_cluster_configuration_when_no_kubeconfig(
    fakeapi: Any, kb: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pod's service account: no kubeconfig anywhere, the token and CA mounted as files."""
    import kubernetes.config.incluster_config as incluster
    import kubernetes.config.kube_config as kube_config

    api = fakeapi("v1.31")
    token, ca = tmp_path / "token", tmp_path / "ca.crt"
    token.write_text(api.token)
    ca.write_bytes(api.ca_pem)
    monkeypatch.setattr(incluster, "SERVICE_TOKEN_FILENAME", str(token))
    monkeypatch.setattr(incluster, "SERVICE_CERT_FILENAME", str(ca))
    monkeypatch.setattr(kube_config, "KUBE_CONFIG_DEFAULT_LOCATION", str(tmp_path / "none"))
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", str(api.port))
    opts = CollectOptions(probe_clients=False, transport=TransportOptions(retries=1))
    snap = collect_cluster(opts, kb)
    assert snap.cluster is not None and snap.cluster.context == "in-cluster"
    assert snap.objects


def test_kubeconfig_client_certificate_expiry_is_recorded_and_judged(
    fakeapi: Any, kb: Any, tmp_path: Path
) -> None:
    import base64
    import datetime as dt

    import yaml
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    api = fakeapi("v1.31")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "platform-admin")])
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=100))
        .sign(key, hashes.SHA256())
    )
    doc = yaml.safe_load(api.kubeconfig_path.read_text())
    doc["users"][0]["user"]["client-certificate-data"] = base64.b64encode(
        cert.public_bytes(serialization.Encoding.PEM)
    ).decode()
    doc["users"][0]["user"]["client-key-data"] = base64.b64encode(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    ).decode()
    kubeconfig = tmp_path / "kc-cert"
    kubeconfig.write_text(yaml.safe_dump(doc))

    snap = collect_cluster(
        CollectOptions(
            kubeconfig=str(kubeconfig), probe_clients=False, transport=TransportOptions(retries=1)
        ),
        kb,
    )
    assert snap.cluster is not None
    assert snap.cluster.credential_expires == "2026-04-11T00:00:00Z"
    report = assess(snap, kb, now=__import__("datetime").datetime(2026, 3, 25, tzinfo=dt.UTC))
    [f] = [
        f
        for f in report.findings
        if f.rule == "certificate-expiry"
        and (f.subject or "").startswith("kubeconfig client certificate")
    ]
    assert f.severity is Severity.WARNING and "expires on 2026-04-11" in f.message

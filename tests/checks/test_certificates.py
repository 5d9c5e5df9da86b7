"""certificate-expiry: webhook and APIService caBundles, TLS Secrets' notAfter dates."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from support.riskfixtures import TODAY, cluster, context, obj, run

from upgradecheck.checks.certificates import CERTIFICATE_EXPIRY, CertificateCheck, judge
from upgradecheck.model import ObservedObject, Severity

CHECK = CertificateCheck()
KEY = ec.generate_private_key(ec.SECP256R1())


def pem(days_left: int) -> bytes:
    """A self-signed CA certificate whose notAfter is `days_left` days after TODAY."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"ca-{days_left}")])
    not_after = dt.datetime.combine(TODAY, dt.time(12), dt.UTC) + dt.timedelta(days=days_left)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(KEY.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_after - dt.timedelta(days=800))
        .not_valid_after(not_after)
        .sign(KEY, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def bundle(*days_left: int) -> str:
    return base64.b64encode(b"".join(pem(d) for d in days_left)).decode()


def webhooks(ca: str, names: tuple[str, ...] = ("a.example.com",)) -> ObservedObject:
    hooks: list[dict[str, Any]] = [
        {"name": n, "clientConfig": {"service": {"namespace": "x", "name": "y"}, "caBundle": ca}}
        for n in names
    ]
    return obj(
        "admissionregistration.k8s.io/v1",
        "MutatingWebhookConfiguration",
        None,
        "inject",
        webhooks=hooks,
    )


def secret(not_after: str | None, kind: str = "kubernetes.io/tls") -> ObservedObject:
    body: dict[str, Any] = {"type": kind}
    if not_after is not None:
        body["tls"] = {"notAfter": not_after}
    return obj("v1", "Secret", "shop", "storefront-tls", **body)


def found(*objects: ObservedObject) -> list[Any]:
    return run(CHECK, context(cluster(*objects)), CERTIFICATE_EXPIRY)


def test_expired_webhook_bundle_is_a_blocker_once_per_bundle() -> None:
    [f] = found(webhooks(bundle(-5), ("a.example.com", "b.example.com")))
    assert f.severity is Severity.BLOCKER and f.object is not None and f.object.name == "inject"
    assert "expired on 2026-11-20 (5 days ago)" in f.message
    assert [e.location for e in f.evidence] == [
        "webhooks[a.example.com].clientConfig.caBundle",
        "webhooks[b.example.com].clientConfig.caBundle",
    ]


def test_thirty_days_is_the_edge() -> None:
    [f] = found(webhooks(bundle(30)))
    assert f.severity is Severity.WARNING and "in 30 days" in f.message
    assert found(webhooks(bundle(31))) == []


def test_bundle_with_one_good_certificate_left_is_a_warning() -> None:
    [f] = found(webhooks(bundle(-1, 400)))
    assert f.severity is Severity.WARNING and "1 of 2 certificates" in f.message


def test_apiservice_ca_bundle() -> None:
    api = obj(
        "apiregistration.k8s.io/v1",
        "APIService",
        None,
        "v1beta1.metrics.k8s.io",
        spec={"caBundle": bundle(10), "service": {"namespace": "kube-system", "name": "m"}},
    )
    [f] = found(api)
    assert f.severity is Severity.WARNING and f.evidence[0].location == "spec.caBundle"


def test_tls_secrets_by_their_recorded_not_after() -> None:
    [f] = found(secret("2026-11-01T00:00:00Z"))
    assert f.severity is Severity.BLOCKER and f.evidence[0].location == "tls.notAfter"
    [f] = found(secret("2026-12-10T08:00:00+00:00"))
    assert f.severity is Severity.WARNING
    assert found(secret("2027-06-01T00:00:00Z")) == []
    assert found(secret("2026-11-01T00:00:00Z", kind="Opaque")) == []
    assert found(secret(None)) == [] and found(secret("not a date")) == []


def test_unreadable_bundles_raise_nothing() -> None:
    assert found(webhooks("%%% not base64 %%%")) == []
    assert found(webhooks(base64.b64encode(b"not a pem").decode())) == []


def test_judge_edges() -> None:
    assert judge([], TODAY) is None
    verdict = judge([TODAY], TODAY)
    assert verdict is not None and verdict.severity is Severity.WARNING
    verdict = judge([TODAY - dt.timedelta(days=1)], TODAY)
    assert verdict is not None and verdict.severity is Severity.BLOCKER

"""`certificate-expiry`: certificates that have expired, or expire within 30 days of the report
date: the caBundles of admission webhooks and APIServices (base64 PEM in their bodies) and
TLS Secrets (the collector keeps only `tls.notAfter` of a kubernetes.io/tls Secret, never
the certificate or the key). Expired is a blocker, soon a warning."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from upgradecheck.checks.evidence import field_evidence
from upgradecheck.checks.interface import Check, CheckContext
from upgradecheck.checks.rule import Rule
from upgradecheck.model import Evidence, EvidenceSource, Finding, ObservedObject, Severity
from upgradecheck.shapes import as_map, as_maps, dig
from upgradecheck.wording import names

CERTIFICATE_EXPIRY = Rule(
    id="certificate-expiry",
    title="Certificate expired or expiring soon",
    what="The caBundles of admission webhooks and APIServices, and TLS Secrets (by the "
    "notAfter date the collector records, never the key), that have expired (a blocker "
    "when every certificate of the bundle has) or expire within 30 days of the report "
    "date (a warning).",
    why="An expired CA or serving certificate makes the API server reject the webhook or "
    "aggregated API; an upgrade window is the worst time to find out.",
    fix="Renew the certificates (and update caBundle) before the upgrade window.",
    source="https://kubernetes.io/docs/tasks/tls/managing-tls-in-a-cluster/",
    severity=Severity.WARNING,
)

SOON = dt.timedelta(days=30)
WEBHOOK_KINDS = ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration")
TLS_SECRET = "kubernetes.io/tls"


def bundle_expiries(ca_bundle: str) -> list[dt.date]:
    """The notAfter dates of the certificates of a base64 PEM bundle; empty if unreadable."""
    # Imported here, when a bundle is read: most manifest scans never hold one, and
    # cryptography's x509 takes longer to import than scanning a file.
    from cryptography import x509

    try:
        pem = base64.b64decode(ca_bundle, validate=True)
        certificates = x509.load_pem_x509_certificates(pem)
    except (binascii.Error, ValueError):
        return []
    return [c.not_valid_after_utc.date() for c in certificates]


def parse_not_after(value: object) -> dt.date | None:
    """An ISO 8601 notAfter (`2027-01-31T12:00:00Z`) as a date; None if unreadable."""
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value).date()
    except ValueError:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None


@dataclass(frozen=True)
class Verdict:
    """How bad a set of expiry dates is, in words."""

    severity: Severity
    """Blocker when every certificate expired, else warning."""
    text: str
    """`expired on 2026-10-01 (55 days ago)`, `expires on ... in 12 days`."""


def judge(dates: Sequence[dt.date], today: dt.date) -> Verdict | None:
    """The verdict on the certificates of one bundle or secret; None when all last beyond
    the warning window (or none could be read)."""
    if not dates:
        return None
    expired = sorted(d for d in dates if d < today)
    soon = sorted(d for d in dates if today <= d <= today + SOON)
    if not expired and not soon:
        return None
    if expired:
        first = expired[0]
        text = f"expired on {first} ({(today - first).days} days ago)"
    else:
        first = soon[0]
        text = f"expires on {first}, in {(first - today).days} days"
    if len(dates) > 1:
        text = f"{len(expired) + len(soon)} of {len(dates)} certificates: the first {text}"
    every_one_expired = len(expired) == len(dates)
    return Verdict(Severity.BLOCKER if every_one_expired else Severity.WARNING, text)


class CertificateCheck(Check):
    """CA bundles and TLS Secrets against the report date."""

    rules = (CERTIFICATE_EXPIRY,)

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        today = ctx.report_date
        yield from self._credential(ctx, today)
        for obj in ctx.snapshot.of_kind(*WEBHOOK_KINDS, "APIService", "Secret"):
            kind = obj.ref.kind
            if kind in WEBHOOK_KINDS:
                yield from self._webhooks(obj, today)
            elif kind == "APIService":
                yield from self._apiservice(obj, today)
            elif kind == "Secret" and obj.body.get("type") == TLS_SECRET:
                yield from self._secret(obj, today)

    def _webhooks(self, obj: ObservedObject, today: dt.date) -> Iterator[Finding]:
        bundles: dict[str, list[str]] = {}
        for hook in as_maps(obj.body.get("webhooks")):
            bundle = dig(hook, "clientConfig", "caBundle")
            if isinstance(bundle, str) and bundle:
                bundles.setdefault(bundle, []).append(str(hook.get("name", "<unnamed>")))
        for bundle, hooks in bundles.items():
            verdict = judge(bundle_expiries(bundle), today)
            if verdict is None:
                continue
            evidence = [
                field_evidence(obj.ref, f"webhooks[{h}].clientConfig.caBundle", verdict.text)
                for h in hooks
            ]
            yield self._finding(
                obj,
                verdict,
                f"the caBundle of webhooks {names(hooks)}",
                "The API server cannot verify the webhook's serving certificate: with "
                "failurePolicy Fail every request it intercepts is rejected.",
                "Renew the CA and the webhook's serving certificate and update caBundle "
                "(cert-manager's CA injector or the component's own rotation) before the upgrade.",
                evidence,
            )

    def _credential(self, ctx: CheckContext, today: dt.date) -> Iterator[Finding]:
        cluster = ctx.snapshot.cluster
        not_after = parse_not_after(cluster.credential_expires) if cluster else None
        verdict = judge([not_after] if not_after else [], today)
        if cluster is None or verdict is None:
            return
        where = f"context {cluster.context}" if cluster.context else "the kubeconfig"
        yield CERTIFICATE_EXPIRY.finding(
            f"The client certificate of {where} {verdict.text}: the API server will reject "
            "it, mid-upgrade if it lapses then.",
            "Renew the credentials (a new client certificate or kubeconfig from the cluster's "
            "provider or `kubeadm kubeconfig user`) before the upgrade window.",
            severity=verdict.severity,
            subject=f"kubeconfig client certificate ({where})",
            evidence=[
                Evidence(EvidenceSource.CLIENT, where, "", f"client certificate {verdict.text}")
            ],
        )

    def _apiservice(self, obj: ObservedObject, today: dt.date) -> Iterator[Finding]:
        bundle = dig(obj.body, "spec", "caBundle")
        if not isinstance(bundle, str) or not bundle:
            return
        verdict = judge(bundle_expiries(bundle), today)
        if verdict is None:
            return
        yield self._finding(
            obj,
            verdict,
            "its caBundle",
            "The API server cannot verify the aggregated API's serving certificate: the "
            "group becomes unavailable and discovery incomplete.",
            "Renew the aggregated API's CA and serving certificate and update spec.caBundle "
            "before the upgrade.",
            [field_evidence(obj.ref, "spec.caBundle", verdict.text)],
        )

    def _secret(self, obj: ObservedObject, today: dt.date) -> Iterator[Finding]:
        not_after = parse_not_after(as_map(obj.body.get("tls")).get("notAfter"))
        verdict = judge([not_after] if not_after else [], today)
        if verdict is None:
            return
        yield self._finding(
            obj,
            verdict,
            "its certificate",
            "Whatever serves it (an Ingress, a webhook, an operator) fails TLS handshakes.",
            "Renew the certificate (check its cert-manager Certificate and issuer, or the "
            "tool that wrote it) before the upgrade window.",
            [field_evidence(obj.ref, "tls.notAfter", verdict.text)],
        )

    @staticmethod
    def _finding(
        obj: ObservedObject,
        verdict: Verdict,
        what: str,
        effect: str,
        remediation: str,
        evidence: Iterable[Evidence],
    ) -> Finding:
        return CERTIFICATE_EXPIRY.finding(
            f"{obj.ref.display()}: {what} {verdict.text}. {effect}",
            remediation,
            severity=verdict.severity,
            obj=obj.ref,
            evidence=evidence,
        )

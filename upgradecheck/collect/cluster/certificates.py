"""The one thing read from a TLS Secret: its certificate's notAfter date. The key and the
certificate itself are never kept."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from cryptography import x509


def tls_not_after(secret: Mapping[str, Any]) -> str | None:
    """The notAfter (ISO 8601, UTC) of the first certificate in `data["tls.crt"]`, if any."""
    data = secret.get("data")
    encoded = data.get("tls.crt") if isinstance(data, Mapping) else None
    if not isinstance(encoded, str):
        return None
    try:
        pem = base64.b64decode(encoded, validate=False)
        certs = x509.load_pem_x509_certificates(pem)
    except (binascii.Error, ValueError):
        return None
    if not certs:
        return None
    return certs[0].not_valid_after_utc.isoformat().replace("+00:00", "Z")


def pem_not_after(pem: bytes | None) -> str | None:
    """The notAfter (ISO 8601, UTC) of the first certificate in PEM bytes (the kubeconfig's
    client certificate), or None."""
    if not pem:
        return None
    try:
        certs = x509.load_pem_x509_certificates(pem)
    except ValueError:
        return None
    return certs[0].not_valid_after_utc.isoformat().replace("+00:00", "Z") if certs else None

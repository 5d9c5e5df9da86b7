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


def file_not_after(path: str | None) -> str | None:
    """The notAfter (ISO 8601, UTC) of the first certificate in a PEM file (the kubeconfig's
    client certificate, which the client writes to a file), or None."""
    if not path:
        return None
    try:
        with open(path, "rb") as fh:
            certs = x509.load_pem_x509_certificates(fh.read())
    except (OSError, ValueError):
        return None
    return certs[0].not_valid_after_utc.isoformat().replace("+00:00", "Z") if certs else None

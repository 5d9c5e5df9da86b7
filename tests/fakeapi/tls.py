"""Test-time TLS material for the fake API server: a throwaway CA and a server certificate.

Go clients (kubectl, helm) and the Python ``kubernetes`` client verify the server against
the kubeconfig's ``certificate-authority-data`` and check the address against the
certificate's subject alternative names, so the server certificate names both
``127.0.0.1`` (an IP SAN) and ``localhost``. Keys are ECDSA P-256: quick to make and
accepted by Go's and OpenSSL's verifiers.

The ``cryptography`` package is used when it is installed; otherwise the ``openssl``
command line tool. Material is cached per process, because making it is the slowest part
of starting a server.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "ClientCertificate",
    "TlsMaterial",
    "make_client_certificate",
    "make_tls_material",
    "shared_tls_material",
]


@dataclass(frozen=True)
class TlsMaterial:
    """PEM-encoded CA certificate, server certificate and server key."""

    ca_cert_pem: bytes
    """The self-signed CA: what a kubeconfig's certificate-authority-data carries."""
    server_cert_pem: bytes
    """The server certificate, signed by the CA, for 127.0.0.1, ::1 and localhost."""
    server_key_pem: bytes
    """The server's private key (unencrypted PKCS#8)."""

    def write(self, directory: Path) -> tuple[Path, Path, Path]:
        """Write the three PEM files into ``directory``; returns (ca, cert, key) paths."""
        directory.mkdir(parents=True, exist_ok=True)
        ca = directory / "ca.crt"
        cert = directory / "server.crt"
        key = directory / "server.key"
        ca.write_bytes(self.ca_cert_pem)
        cert.write_bytes(self.server_cert_pem)
        key.write_bytes(self.server_key_pem)
        key.chmod(0o600)
        return ca, cert, key


def make_tls_material(
    common_name: str = "fake-kube-apiserver", backend: str | None = None
) -> TlsMaterial:
    """Make a fresh CA and server certificate.

    ``backend`` is ``"cryptography"``, ``"openssl"`` (the command line tool) or None for
    the first of those that is available.
    """
    if backend is None:
        try:
            import cryptography  # noqa: F401
        except ImportError:
            backend = "openssl"
        else:
            backend = "cryptography"
    if backend == "openssl":
        return _make_with_openssl(common_name)
    if backend == "cryptography":
        return _make_with_cryptography(common_name)
    raise ValueError(f"unknown TLS backend {backend!r}")


_shared: TlsMaterial | None = None
_shared_lock = threading.Lock()


def shared_tls_material() -> TlsMaterial:
    """One CA and server certificate per process, made on first use."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = make_tls_material()
        return _shared


def _make_ca(name: str, not_before: dt.datetime, not_after: dt.datetime) -> tuple[Any, Any]:
    """A self-signed CA (key, certificate) that may sign end-entity certificates."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return ca_key, ca_cert


def _pem(ca_cert: Any, cert: Any, key: Any) -> tuple[bytes, bytes, bytes]:
    """CA certificate, certificate and key (unencrypted PKCS#8), as PEM."""
    from cryptography.hazmat.primitives import serialization

    pem = serialization.Encoding.PEM
    return (
        ca_cert.public_bytes(pem),
        cert.public_bytes(pem),
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
    )


def _make_with_cryptography(common_name: str) -> TlsMaterial:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)
    not_before = now - dt.timedelta(hours=1)
    not_after = now + dt.timedelta(days=2)

    ca_key, ca_cert = _make_ca(f"{common_name}-ca", not_before, not_after)
    ca_name = ca_cert.subject
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())

    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.IPAddress(ipaddress.ip_address("::1")),
                ]
            ),
            critical=False,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return TlsMaterial(*_pem(ca_cert, cert, key))


_CA_EXT = """\
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, digitalSignature, keyCertSign, cRLSign
subjectKeyIdentifier = hash
"""

_SERVER_EXT = """\
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


def _make_with_openssl(common_name: str) -> TlsMaterial:
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError(
            "fake API server TLS needs the 'cryptography' package or the 'openssl' command"
        )

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], check=True, capture_output=True)

    with tempfile.TemporaryDirectory(prefix="fakeapi-tls-") as tmp:
        d = Path(tmp)
        (d / "ca.ext").write_text(_CA_EXT)
        (d / "server.ext").write_text(_SERVER_EXT)
        for name in ("ca", "server"):
            run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-out", str(d / f"{name}.key"))
        run("req", "-new", "-key", str(d / "ca.key"), "-subj", f"/CN={common_name}-ca",
            "-out", str(d / "ca.csr"))
        run("x509", "-req", "-in", str(d / "ca.csr"), "-signkey", str(d / "ca.key"),
            "-days", "2", "-sha256", "-extfile", str(d / "ca.ext"), "-out", str(d / "ca.crt"))
        run("req", "-new", "-key", str(d / "server.key"), "-subj", f"/CN={common_name}",
            "-out", str(d / "server.csr"))
        run("x509", "-req", "-in", str(d / "server.csr"), "-CA", str(d / "ca.crt"),
            "-CAkey", str(d / "ca.key"), "-CAcreateserial", "-days", "2", "-sha256",
            "-extfile", str(d / "server.ext"), "-out", str(d / "server.crt"))
        run("pkcs8", "-topk8", "-nocrypt", "-in", str(d / "server.key"),
            "-out", str(d / "server.pk8"))
        return TlsMaterial(
            ca_cert_pem=(d / "ca.crt").read_bytes(),
            server_cert_pem=(d / "server.crt").read_bytes(),
            server_key_pem=(d / "server.pk8").read_bytes(),
        )


@dataclass(frozen=True)
class ClientCertificate:
    """A client certificate, its key, and the CA that signed it (PEM)."""

    ca_cert_pem: bytes
    """What the server trusts for client authentication (``client_ca_pem``)."""
    cert_pem: bytes
    """The client certificate: its common name is the user."""
    key_pem: bytes
    """Its private key (unencrypted PKCS#8): what must never be left on disk."""


def make_client_certificate(user: str = "platform-admin") -> ClientCertificate:
    """A fresh CA and a client certificate for ``user`` signed by it (needs ``cryptography``)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key, ca_cert = _make_ca("fake-client-ca", now - dt.timedelta(hours=1),
                               now + dt.timedelta(days=2))
    ca_name = ca_cert.subject
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, user)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return ClientCertificate(*_pem(ca_cert, cert, key))

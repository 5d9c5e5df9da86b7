"""Where the API server is and how to talk to it, from the kubeconfig context (checked first
by kubeconfig.py) or the pod's service account. The kubernetes client loads the credentials
(tokens, exec and auth-provider plugins); certificates and keys go into an SSLContext from
memory and are never written to the temporary folder."""

from __future__ import annotations

import base64
import logging
import os
import shutil
import ssl
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from upgradecheck.collect.cluster.kubeconfig import (
    Selection,
    TlsSettings,
    default_paths,
    read_limited,
    select,
)
from upgradecheck.collect.errors import ClusterUnreachable, SourceError
from upgradecheck.safetext import printable

AuthHeaders = Callable[[], dict[str, str]]
"""The Authorization header for the next request (tokens may be refreshed in between)."""


@dataclass(frozen=True)
class Endpoint:
    """One API server and everything needed to send it requests."""

    host: str
    """`https://host:port` (no user name or password, no trailing slash)."""
    context: str | None
    """The kubeconfig context, or `in-cluster`."""
    ssl_context: ssl.SSLContext | None
    """How the server is verified and the client certificate presented (https only)."""
    server_name: str | None = None
    """The name expected in the server's certificate, when not the host's."""
    proxy: str | None = None
    """The proxy to go through, if any."""
    auth: AuthHeaders = dict
    """The credentials' request headers."""
    client_cert_pem: bytes | None = None
    """The client certificate (to report its expiry date), never its key."""
    secrets: tuple[str, ...] = ()
    """Tokens and passwords that no message may repeat."""

    def scrub(self, text: str) -> str:
        """`text` made safe to show: no secret of this endpoint, no control characters."""
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return printable(text)


def load_endpoint(kubeconfig: str | None, context: str | None) -> Endpoint:
    """The endpoint of the kubeconfig's context (default: the current one), else of the pod's
    service account when no kubeconfig exists. SourceError (exit 2) for a kubeconfig that
    cannot be used; ClusterUnreachable (exit 3) when no credentials could be obtained."""
    selection = select(kubeconfig, context)
    if selection is not None:
        return _from_kubeconfig(selection)
    if context:
        raise SourceError(f"--context {printable(context)}: {_no_kubeconfig()}")
    return _in_cluster()


def _no_kubeconfig() -> str:
    looked = ", ".join(printable(p) for p in default_paths()) or "KUBECONFIG"
    return f"no kubeconfig found (looked for {looked}; name one with --kubeconfig)"


@contextmanager
def _client_log() -> Iterator[list[str]]:
    """The errors the kubernetes client logs instead of raising (a failed exec plugin), kept
    from the terminal and handed to the caller."""
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    handler = Keep(level=logging.ERROR)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield records
    finally:
        root.removeHandler(handler)


def _from_kubeconfig(sel: Selection) -> Endpoint:
    from kubernetes import client as k8s_client
    from kubernetes import config as k8s_config

    cfg: Any = k8s_client.Configuration()
    where = f"kubeconfig {sel.origin}: context '{printable(sel.context, 80)}'"
    private = tempfile.mkdtemp(prefix="upgradecheck-")
    try:
        with _client_log() as errors:
            try:
                # Anything the client writes (an exec plugin's certificate, a CA) goes into a
                # private folder that is removed before any request is sent.
                k8s_config.load_kube_config_from_dict(  # type: ignore[no-untyped-call]
                    sel.client_config,
                    context=sel.context,
                    client_configuration=cfg,
                    persist_config=False,
                    temp_file_path=private,
                )
            except Exception as exc:  # the client raises many types for a bad kubeconfig
                raise SourceError(f"{where}: {_scrubbed(exc, sel.secrets)}") from None
        if errors:
            message = _scrubbed(errors[0], sel.secrets)
            raise ClusterUnreachable(f"{where}: could not get credentials: {message}")
        tls = sel.tls
        if tls.client_cert_pem is None and cfg.cert_file and cfg.key_file:
            # An exec plugin answered with a certificate: read it back into memory.
            tls = TlsSettings(
                tls.ca_pem,
                tls.insecure,
                tls.server_name,
                read_limited(Path(cfg.cert_file), "client certificate", sel.origin),
                read_limited(Path(cfg.key_file), "client key", sel.origin),
            )
    finally:
        shutil.rmtree(private, ignore_errors=True)
    if cfg.refresh_api_key_hook is not None:
        cfg.refresh_api_key_hook = _leaving_no_files(cfg.refresh_api_key_hook, private)
    https = sel.server.startswith("https:")
    return Endpoint(
        host=sel.server,
        context=sel.context,
        ssl_context=_ssl_context(tls, sel.origin) if https else None,
        server_name=tls.server_name,
        proxy=_proxy(cfg, sel.server),
        auth=_auth_headers(cfg, sel.url_credentials),
        client_cert_pem=tls.client_cert_pem,
        secrets=sel.secrets,
    )


def _leaving_no_files(hook: Callable[[Any], None], private: str) -> Callable[[Any], None]:
    """A credential refresh (an exec plugin run again) whose files are removed at once."""

    def refresh(cfg: Any) -> None:
        try:
            hook(cfg)
        finally:
            if os.path.isdir(private):
                shutil.rmtree(private, ignore_errors=True)

    return refresh


def _scrubbed(exc: object, secrets: tuple[str, ...]) -> str:
    text = str(exc).strip() or type(exc).__name__
    for secret in secrets:
        text = text.replace(secret, "***")
    return printable(" ".join(text.split()), 300)


def _in_cluster() -> Endpoint:
    from kubernetes import client as k8s_client
    from kubernetes import config as k8s_config
    from kubernetes.config.config_exception import ConfigException

    cfg: Any = k8s_client.Configuration()
    try:
        k8s_config.load_incluster_config(client_configuration=cfg)  # type: ignore[no-untyped-call]
    except (ConfigException, OSError):
        raise SourceError(f"{_no_kubeconfig()}, and not running inside a cluster") from None
    ca = read_limited(Path(cfg.ssl_ca_cert), "service account CA", "in-cluster")
    return Endpoint(
        host=str(cfg.host).rstrip("/"),
        context="in-cluster",
        ssl_context=_ssl_context(TlsSettings(ca_pem=ca), "in-cluster"),
        proxy=_proxy(cfg, str(cfg.host)),
        auth=_auth_headers(cfg, None),
    )


def _auth_headers(cfg: Any, basic: tuple[str, str] | None) -> AuthHeaders:
    fallback: dict[str, str] = {}
    if basic is not None:
        token = base64.b64encode(f"{basic[0]}:{basic[1]}".encode()).decode()
        fallback = {"authorization": f"Basic {token}"}

    def headers() -> dict[str, str]:
        out: dict[str, str] = {}
        for setting in cfg.auth_settings().values():
            if setting.get("in") == "header" and setting.get("value"):
                out[str(setting["key"])] = str(setting["value"])
        return out or dict(fallback)

    return headers


def _proxy(cfg: Any, host: str) -> str | None:
    proxy = getattr(cfg, "proxy", None)
    if not proxy:
        return None
    from kubernetes.client import rest

    bypass = getattr(rest, "should_bypass_proxies", None)
    if bypass is not None and bypass(host, getattr(cfg, "no_proxy", None) or ""):
        return None
    return str(proxy)


def _ssl_context(tls: TlsSettings, origin: str) -> ssl.SSLContext:
    from urllib3.util import create_urllib3_context

    ctx = create_urllib3_context(cert_reqs=ssl.CERT_NONE if tls.insecure else ssl.CERT_REQUIRED)
    try:
        if tls.insecure:
            ctx.check_hostname = False
        elif tls.ca_pem is not None:
            # The kubeconfig's CA is the only root trusted, as kubectl does.
            ctx.load_verify_locations(cadata=tls.ca_pem.decode("ascii", "replace"))
        else:
            ctx.load_default_certs()
        if tls.client_cert_pem is not None and tls.client_key_pem is not None:
            load_client_pair(ctx, tls.client_cert_pem, tls.client_key_pem)
    except (ssl.SSLError, ValueError) as exc:
        raise SourceError(
            f"kubeconfig {origin}: cannot use its TLS material: {printable(exc, 200)}"
        ) from None
    return ctx


def _no_passphrase() -> bytes:
    # An encrypted key fails here instead of OpenSSL prompting on the terminal.
    return b""


def load_client_pair(ctx: ssl.SSLContext, cert_pem: bytes, key_pem: bytes) -> None:
    """Load a client certificate and key into `ctx` without a file in any folder: OpenSSL
    reads paths only, so they go through an anonymous in-memory file (Linux), else a
    private file removed as soon as it is read."""
    pair = cert_pem.rstrip(b"\n") + b"\n" + key_pem
    memfd_create = getattr(os, "memfd_create", None)
    if memfd_create is not None and os.path.isdir("/proc/self/fd"):
        fd = memfd_create("upgradecheck-client-credential", getattr(os, "MFD_CLOEXEC", 0))
        try:
            _write_all(fd, pair)
            ctx.load_cert_chain(f"/proc/self/fd/{fd}", password=_no_passphrase)
        finally:
            os.close(fd)
        return
    folder = tempfile.mkdtemp(prefix="upgradecheck-")
    try:
        path = os.path.join(folder, "client.pem")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            _write_all(fd, pair)
        finally:
            os.close(fd)
        ctx.load_cert_chain(path, password=_no_passphrase)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]

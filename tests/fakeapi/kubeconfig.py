"""Writing a kubeconfig file that points a client (kubectl, helm, Python) at a fake server."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import yaml

__all__ = ["kubeconfig_dict", "write_kubeconfig"]


def kubeconfig_dict(
    *,
    server: str,
    ca_pem: bytes | None,
    token: str | None,
    context: str = "fake",
    cluster_name: str = "fake-cluster",
    user_name: str = "fake-user",
    namespace: str | None = None,
    client_cert_pem: bytes | None = None,
    client_key_pem: bytes | None = None,
) -> dict[str, Any]:
    """A kubeconfig (``apiVersion: v1``, ``kind: Config``) with one cluster/user/context;
    the user has the token, and/or the client certificate and key, given."""
    cluster: dict[str, Any] = {"server": server}
    if ca_pem is not None:
        cluster["certificate-authority-data"] = base64.b64encode(ca_pem).decode()
    user: dict[str, Any] = {}
    if token is not None:
        user["token"] = token
    if client_cert_pem is not None and client_key_pem is not None:
        user["client-certificate-data"] = base64.b64encode(client_cert_pem).decode()
        user["client-key-data"] = base64.b64encode(client_key_pem).decode()
    ctx: dict[str, Any] = {"cluster": cluster_name, "user": user_name}
    if namespace:
        ctx["namespace"] = namespace
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": cluster_name, "cluster": cluster}],
        "users": [{"name": user_name, "user": user}],
        "contexts": [{"name": context, "context": ctx}],
        "current-context": context,
        "preferences": {},
    }


def write_kubeconfig(
    path: str | Path,
    *,
    server: str,
    ca_pem: bytes | None,
    token: str | None,
    context: str = "fake",
    cluster_name: str = "fake-cluster",
    user_name: str = "fake-user",
    namespace: str | None = None,
    client_cert_pem: bytes | None = None,
    client_key_pem: bytes | None = None,
) -> Path:
    """Write a kubeconfig file (mode 0600, as kubectl writes them) and return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = kubeconfig_dict(
        server=server, ca_pem=ca_pem, token=token, context=context,
        cluster_name=cluster_name, user_name=user_name, namespace=namespace,
        client_cert_pem=client_cert_pem, client_key_pem=client_key_pem,
    )
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    path.chmod(0o600)
    return path

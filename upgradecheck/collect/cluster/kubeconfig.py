"""The kubeconfig, read and checked before the kubernetes client sees it: each problem is one
line naming the file and the field. The client then gets the chosen context only, without the
client certificate and key (it would write them to temporary files): those stay in memory."""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import yaml
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from upgradecheck.collect.errors import SourceError
from upgradecheck.safetext import printable, redact_url

MAX_KUBECONFIG_BYTES = 16 * 1024 * 1024
"""A kubeconfig, a certificate or a token file larger than this is refused, not read."""

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CLIENT_PAIR_KEYS = (
    "client-certificate",
    "client-certificate-data",
    "client-key",
    "client-key-data",
)


@dataclass(frozen=True)
class TlsSettings:
    """How the server is verified and how the client proves itself, from the kubeconfig."""

    ca_pem: bytes | None = None
    """The certificates the server's must chain to (None: the system's trusted roots)."""
    insecure: bool = False
    """`insecure-skip-tls-verify`: the server's certificate is not checked at all."""
    server_name: str | None = None
    """`tls-server-name`: the name to expect in the server's certificate."""
    client_cert_pem: bytes | None = None
    """The client certificate (PEM), when the user authenticates with one."""
    client_key_pem: bytes | None = None
    """Its private key (PEM): kept in memory, never written anywhere."""


@dataclass(frozen=True)
class Selection:
    """The context chosen from a kubeconfig, checked, ready to hand to the kubernetes client."""

    origin: str
    """The file (or files, from KUBECONFIG) it came from, for messages."""
    context: str
    """The context's name."""
    server: str
    """The API server URL, without any user name or password it carried."""
    url_credentials: tuple[str, str] | None
    """A user name and password written into the server URL (sent as basic auth)."""
    tls: TlsSettings
    """Verification and client certificate, from memory."""
    client_config: dict[str, Any]
    """The one-context kubeconfig for the kubernetes client: no client certificate or key."""
    secrets: tuple[str, ...]
    """Tokens and passwords found, which no message may repeat."""


def _fail(origin: str, problem: str) -> SourceError:
    return SourceError(f"kubeconfig {origin}: {problem}")


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return type(value).__name__


def _quote(name: str) -> str:
    return f"'{printable(name, 80)}'"


def default_paths() -> list[Path]:
    """Where a kubeconfig is looked for: the files KUBECONFIG lists, else ~/.kube/config (as
    the kubernetes client sees it)."""
    listed = os.environ.get("KUBECONFIG")
    if listed is None:
        from kubernetes.config import kube_config

        listed = kube_config.KUBE_CONFIG_DEFAULT_LOCATION
    return [Path(p).expanduser() for p in listed.split(os.pathsep) if p]


def read_limited(path: Path, what: str, origin: str) -> bytes:
    """A file's bytes, or SourceError saying in one line why it cannot be read."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_KUBECONFIG_BYTES + 1)
    except FileNotFoundError:
        raise _fail(origin, f"{what} {printable(path)}: no such file") from None
    except IsADirectoryError:
        raise _fail(origin, f"{what} {printable(path)} is a folder, not a file") from None
    except OSError as exc:
        raise _fail(origin, f"{what} {printable(path)}: {exc.strerror or exc}") from None
    if len(data) > MAX_KUBECONFIG_BYTES:
        raise _fail(origin, f"{what} {printable(path)} is larger than 16 MiB")
    return data


def _load_file(path: Path) -> Mapping[str, Any]:
    origin = printable(path)
    data = read_limited(path, "file", origin)
    try:
        doc = yaml.load(data, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise _fail(origin, f"not valid YAML ({where}{exc.problem or exc})") from None
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _fail(origin, f"not valid YAML ({printable(text, 200)})") from None
    if doc is None:
        raise _fail(origin, "the file is empty")
    if not isinstance(doc, Mapping):
        raise _fail(
            origin,
            f"expected a kubeconfig (a mapping of clusters, users and contexts), got {_kind(doc)}",
        )
    return doc


@dataclass(frozen=True)
class _Entry:
    name: str
    body: Mapping[str, Any]
    path: Path


def _entries(doc: Mapping[str, Any], key: str, body_key: str, path: Path) -> list[_Entry]:
    origin = printable(path)
    value = doc.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(origin, f"{key}: expected a list, got {_kind(value)}")
    out = []
    for i, entry in enumerate(value):
        where = f"{key}[{i}]"
        if not isinstance(entry, Mapping):
            raise _fail(
                origin, f"{where}: expected a mapping with name and {body_key}, got {_kind(entry)}"
            )
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            raise _fail(origin, f"{where}: no name (expected a string, got {_kind(name)})")
        body = entry.get(body_key)
        if body is None:
            body = {}
        if not isinstance(body, Mapping):
            raise _fail(origin, f"{body_key} {_quote(name)}: expected a mapping, got {_kind(body)}")
        out.append(_Entry(name, body, path))
    return out


@dataclass
class _Merged:
    clusters: dict[str, _Entry]
    users: dict[str, _Entry]
    contexts: dict[str, _Entry]
    current: str | None
    origin: str


def _merge(paths: Sequence[Path]) -> _Merged:
    """Several files (KUBECONFIG lists them) merged as kubectl does: the first file that
    defines a name, or sets current-context, wins."""
    merged = _Merged({}, {}, {}, None, ", ".join(printable(p) for p in paths))
    for path in paths:
        doc = _load_file(path)
        for key, body_key, into in (
            ("clusters", "cluster", merged.clusters),
            ("users", "user", merged.users),
            ("contexts", "context", merged.contexts),
        ):
            for entry in _entries(doc, key, body_key, path):
                into.setdefault(entry.name, entry)
        current = doc.get("current-context")
        if current is not None and not isinstance(current, str):
            raise _fail(
                printable(path), f"current-context: expected a string, got {_kind(current)}"
            )
        if current and merged.current is None:
            merged.current = current
    return merged


def _names(entries: Mapping[str, _Entry]) -> str:
    names = sorted(entries)
    shown = ", ".join(printable(n, 60) for n in names[:10])
    return shown + (f" and {len(names) - 10} more" if len(names) > 10 else "")


def _string(body: Mapping[str, Any], key: str, where: str, origin: str) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _fail(origin, f"{where}: {key}: expected a string, got {_kind(value)}")
    return value


def _file_path(entry: _Entry, value: str) -> Path:
    """A path written in a kubeconfig: relative to the file it is written in."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else entry.path.parent / path


def _base64(value: str, field: str, where: str, origin: str) -> bytes:
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        raise _fail(
            origin,
            f"{where}: {field} is not base64 (it holds the PEM text, "
            f"base64-encoded: base64 -w0 < file.pem)",
        ) from None


def _pem_material(entry: _Entry, key: str, where: str, origin: str) -> tuple[bytes, str] | None:
    """The bytes of `key-data` (base64) or of the file `key` names, and which field gave them."""
    data = _string(entry.body, f"{key}-data", where, origin)
    if data:
        return _base64(data, f"{key}-data", where, origin), f"{key}-data"
    path = _string(entry.body, key, where, origin)
    if path:
        return read_limited(_file_path(entry, path), f"{where}: {key}", origin), key
    return None


def _certificates(pem: bytes, field: str, where: str, origin: str) -> list[x509.Certificate]:
    try:
        certs = x509.load_pem_x509_certificates(pem)
    except ValueError:
        certs = []
    if not certs:
        raise _fail(origin, f"{where}: {field} holds no PEM certificate")
    return certs


def _cluster(entry: _Entry, origin: str) -> tuple[str, tuple[str, str] | None, TlsSettings]:
    where = f"cluster {_quote(entry.name)}"
    server = _string(entry.body, "server", where, origin)
    if not server:
        raise _fail(origin, f"{where}: no server URL")
    shown = printable(redact_url(server), 200)
    try:
        parts = urlsplit(server.strip())
        port = parts.port
    except ValueError:
        raise _fail(origin, f"{where}: server {shown} is not a valid URL") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise _fail(origin, f"{where}: server {shown} is not an https:// URL")
    credentials = None
    if parts.username is not None:
        credentials = (unquote(parts.username), unquote(parts.password or ""))
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    netloc = f"{host}:{port}" if port is not None else host
    clean = urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))
    insecure = entry.body.get("insecure-skip-tls-verify", False)
    if not isinstance(insecure, bool):
        raise _fail(
            origin,
            f"{where}: insecure-skip-tls-verify: expected true or false, got {_kind(insecure)}",
        )
    ca = _pem_material(entry, "certificate-authority", where, origin)
    if ca is not None:
        if insecure:
            raise _fail(
                origin,
                f"{where}: {ca[1]} and insecure-skip-tls-verify together (choose "
                "one: kubectl refuses this too)",
            )
        _certificates(ca[0], ca[1], where, origin)
    server_name = _string(entry.body, "tls-server-name", where, origin)
    _string(entry.body, "proxy-url", where, origin)
    tls = TlsSettings(ca_pem=ca[0] if ca else None, insecure=insecure, server_name=server_name)
    return clean, credentials, tls


def _client_pair(entry: _Entry, origin: str) -> tuple[bytes, bytes] | None:
    where = f"user {_quote(entry.name)}"
    cert = _pem_material(entry, "client-certificate", where, origin)
    key = _pem_material(entry, "client-key", where, origin)
    if cert is None and key is None:
        return None
    if cert is None or key is None:
        have, missing = (
            ("client-key", "client-certificate")
            if cert is None
            else ("client-certificate", "client-key")
        )
        raise _fail(origin, f"{where}: {have} without {missing} (both are needed)")
    certs = _certificates(cert[0], cert[1], where, origin)
    try:
        private = serialization.load_pem_private_key(key[0], password=None)
    except TypeError:
        raise _fail(
            origin,
            f"{where}: {key[1]} is encrypted (a kubeconfig key must not be "
            "protected by a passphrase)",
        ) from None
    except (ValueError, UnsupportedAlgorithm):
        raise _fail(origin, f"{where}: {key[1]} holds no PEM private key") from None
    pem = serialization.Encoding.PEM
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    public = private.public_key().public_bytes(pem, spki)
    if certs[0].public_key().public_bytes(pem, spki) != public:
        raise _fail(
            origin,
            f"{where}: {cert[1]} and {key[1]} do not belong together (the key "
            "is not the certificate's)",
        )
    return cert[0], key[0]


def _user(entry: _Entry, origin: str) -> dict[str, Any]:
    """The user's entry as the kubernetes client will get it: checked, paths absolute, the
    client certificate and key left out."""
    where = f"user {_quote(entry.name)}"
    body = dict(entry.body)
    for key in ("token", "username", "password"):
        _string(body, key, where, origin)
    if bool(body.get("username")) != bool(body.get("password")):
        raise _fail(origin, f"{where}: username and password go together (one is missing)")
    token_file = _string(body, "tokenFile", where, origin)
    if token_file:
        path = _file_path(entry, token_file)
        read_limited(path, f"{where}: tokenFile", origin)
        body["tokenFile"] = str(path)
    if "exec" in body:
        body["exec"] = _exec(entry, body["exec"], where, origin)
    provider = body.get("auth-provider")
    if provider is not None:
        if not isinstance(provider, Mapping) or not isinstance(provider.get("name"), str):
            raise _fail(origin, f"{where}: auth-provider: expected a mapping with a name")
        config = provider.get("config")
        if config is not None and not isinstance(config, Mapping):
            raise _fail(
                origin, f"{where}: auth-provider config: expected a mapping, got {_kind(config)}"
            )
    for key in _CLIENT_PAIR_KEYS:
        body.pop(key, None)
    return body


def _exec(entry: _Entry, spec: Any, where: str, origin: str) -> dict[str, Any]:
    if not isinstance(spec, Mapping):
        raise _fail(origin, f"{where}: exec: expected a mapping, got {_kind(spec)}")
    command = spec.get("command")
    if not isinstance(command, str) or not command:
        raise _fail(origin, f"{where}: exec: no command")
    args = spec.get("args")
    if args is not None and not (isinstance(args, list) and all(isinstance(a, str) for a in args)):
        raise _fail(origin, f"{where}: exec: args: expected a list of strings")
    env = spec.get("env")
    if env is not None and not (
        isinstance(env, list)
        and all(
            isinstance(e, Mapping)
            and isinstance(e.get("name"), str)
            and isinstance(e.get("value"), str)
            for e in env
        )
    ):
        raise _fail(origin, f"{where}: exec: env: expected a list of name/value pairs")
    out = dict(spec)
    if os.sep in command and not os.path.isabs(command):
        # kubectl runs a relative command path from the kubeconfig's folder.
        out["command"] = str(entry.path.parent / command)
    return out


def _cluster_for_client(entry: _Entry, server: str) -> dict[str, Any]:
    body = {k: v for k, v in entry.body.items() if k != "certificate-authority"}
    body["server"] = server
    path = entry.body.get("certificate-authority")
    if isinstance(path, str) and path and not entry.body.get("certificate-authority-data"):
        body["certificate-authority"] = str(_file_path(entry, path))
    return body


def _secrets(user: Mapping[str, Any], credentials: tuple[str, str] | None) -> tuple[str, ...]:
    found = [user.get("token"), user.get("password")]
    if credentials:
        found += [credentials[1], f"{credentials[0]}:{credentials[1]}"]
    return tuple(s for s in found if isinstance(s, str) and len(s) >= 4)


def _named(entries: dict[str, _Entry], name: str, what: str, where: str, origin: str) -> _Entry:
    entry = entries.get(name)
    if entry is None:
        raise _fail(
            origin,
            f"{where} names {what} {_quote(name)}, which is not defined "
            f"({what}s: {_names(entries) or 'none'})",
        )
    return entry


def select(kubeconfig: str | None, context: str | None) -> Selection | None:
    """The context to use (`context`, else the current one) from `kubeconfig`, else from the
    files KUBECONFIG lists or ~/.kube/config. None when no kubeconfig exists and none was
    named (the caller tries the in-cluster service account). SourceError for anything wrong,
    naming the file and the field."""
    if kubeconfig is not None:
        paths = [Path(kubeconfig).expanduser()]
    else:
        paths = [p for p in default_paths() if p.exists()]
        if not paths:
            return None
    merged = _merge(paths)
    origin = merged.origin
    name = context or merged.current
    if not merged.contexts:
        raise _fail(origin, "defines no contexts")
    if not name:
        raise _fail(
            origin,
            f"sets no current-context; choose one with --context "
            f"(contexts: {_names(merged.contexts)})",
        )
    chosen = merged.contexts.get(name)
    if chosen is None:
        raise _fail(origin, f"no context {_quote(name)} (contexts: {_names(merged.contexts)})")
    where = f"context {_quote(name)}"
    cluster_name = _string(chosen.body, "cluster", where, origin)
    user_name = _string(chosen.body, "user", where, origin)
    _string(chosen.body, "namespace", where, origin)
    if not cluster_name:
        raise _fail(origin, f"{where} names no cluster")
    cluster = _named(merged.clusters, cluster_name, "cluster", where, origin)
    server, credentials, tls = _cluster(cluster, origin)
    user_body: dict[str, Any] = {}
    pair = None
    if user_name:
        user = _named(merged.users, user_name, "user", where, origin)
        user_body = _user(user, origin)
        pair = _client_pair(user, origin)
    if pair is not None:
        tls = TlsSettings(tls.ca_pem, tls.insecure, tls.server_name, pair[0], pair[1])
    client_user = "user" if user_name else ""
    client_config: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": name,
        "clusters": [{"name": "cluster", "cluster": _cluster_for_client(cluster, server)}],
        "contexts": [{"name": name, "context": {"cluster": "cluster", "user": client_user}}],
        "users": [{"name": "user", "user": user_body}] if user_name else [],
    }
    return Selection(
        origin=origin,
        context=name,
        server=server,
        url_credentials=credentials,
        tls=tls,
        client_config=client_config,
        secrets=_secrets(user_body, credentials),
    )

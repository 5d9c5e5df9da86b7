"""Helm v3 release records (Secrets or ConfigMaps labelled `owner=helm`), decoded to what the
checks need. The release's values are never kept: they hold passwords."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zlib
from collections.abc import Callable, Mapping
from typing import Any

import yaml

from upgradecheck.model import HelmRelease, ObjectRef
from upgradecheck.safetext import printable

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml where present

_GZIP_MAGIC = b"\x1f\x8b"
MAX_RELEASE_BYTES = 64 * 1024 * 1024


class HelmRecordError(Exception):
    """A release record that cannot be decoded; the collector records it in coverage."""


ManifestsRead = dict[tuple[bytes, str], tuple[ObjectRef, ...]]
"""The objects of the manifests already read in one collection, by the manifest's digest and
the release's namespace: Helm keeps a record per revision, and an upgrade that changed no
template (a pipeline that upgrades on every run) stores the same manifest again."""


def _decode_payload(encoded: str, double: bool) -> bytes:
    try:
        raw = base64.b64decode(encoded, validate=False)
        if double:  # Secret data is base64 of what Helm stored, itself base64 text
            raw = base64.b64decode(raw, validate=False)
    except (binascii.Error, ValueError) as exc:
        raise HelmRecordError(f"not base64 ({exc})") from None
    if raw[:2] == _GZIP_MAGIC:
        try:
            # Bounded: a record is at most ~1 MiB in etcd; refuse a decompression bomb.
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            raw = d.decompress(raw, MAX_RELEASE_BYTES)
            if d.unconsumed_tail:
                raise HelmRecordError("release larger than the limit after decompression")
        except (zlib.error, OSError, EOFError) as exc:
            raise HelmRecordError(f"corrupt gzip data ({exc})") from None
    return raw


def _manifest_objects(
    manifest: str, namespace: str, namespaced: Callable[[str, str], bool]
) -> tuple[ObjectRef, ...]:
    refs: list[ObjectRef] = []
    try:
        docs = list(yaml.load_all(manifest, Loader=_Loader))
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise HelmRecordError(f"manifest is not valid YAML ({printable(first, 200)})") from None
    for doc in docs:
        if not isinstance(doc, Mapping):
            continue
        api_version, kind = doc.get("apiVersion"), doc.get("kind")
        meta = _mapping(doc.get("metadata"))
        if not isinstance(api_version, str) or not isinstance(kind, str):
            continue
        ns = _name(meta.get("namespace"))
        if not ns and namespaced(api_version, kind):
            ns = namespace
        name = _name(meta.get("name")) or "<unnamed>"
        refs.append(ObjectRef(printable(api_version, 200), printable(kind, 100), ns or None, name))
    return tuple(refs)


def _objects(
    manifest: str,
    namespace: str,
    namespaced: Callable[[str, str], bool],
    read: ManifestsRead | None,
) -> tuple[ObjectRef, ...]:
    """The manifest's objects, read once per collection (`read`)."""
    if read is None:
        return _manifest_objects(manifest, namespace, namespaced)
    key = (hashlib.blake2b(manifest.encode("utf-8", "surrogatepass")).digest(), namespace)
    found = read.get(key)
    if found is None:
        found = read[key] = _manifest_objects(manifest, namespace, namespaced)
    return found


def decode_release(
    record: Mapping[str, Any],
    storage: str,
    namespaced: Callable[[str, str], bool] = lambda _a, _k: True,
    read: ManifestsRead | None = None,
) -> HelmRelease:
    """Decode one storage record (a Secret or a ConfigMap, as listed) into a HelmRelease;
    a manifest found in `read` is not read again (`namespaced` must be the same for all)."""
    data = record.get("data") or {}
    encoded = data.get("release") if isinstance(data, Mapping) else None
    if not isinstance(encoded, str):
        raise HelmRecordError("no release data")
    raw = _decode_payload(encoded, double=(storage == "secret"))
    try:
        rel = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise HelmRecordError(f"release is not JSON ({exc})") from None
    if not isinstance(rel, Mapping):
        raise HelmRecordError("release is not a JSON object")
    info = _mapping(rel.get("info"))
    meta = _mapping(_mapping(rel.get("chart")).get("metadata"))
    name, namespace = rel.get("name"), rel.get("namespace")
    if not isinstance(name, str) or not isinstance(namespace, str):
        raise HelmRecordError("release has no name or namespace")
    version = rel.get("version")
    if not isinstance(version, int):
        raise HelmRecordError("release has no revision number")
    manifest = rel.get("manifest") if isinstance(rel.get("manifest"), str) else ""
    return HelmRelease(
        name=printable(name, 253),
        namespace=printable(namespace, 253),
        revision=version,
        status=_str_or_none(info.get("status")) or "unknown",
        chart=_str_or_none(meta.get("name")) or "unknown",
        chart_version=_str_or_none(meta.get("version")) or "unknown",
        app_version=_str_or_none(meta.get("appVersion")),
        kube_version=_str_or_none(meta.get("kubeVersion")),
        last_deployed=_str_or_none(info.get("last_deployed")),
        storage=storage,
        objects=_objects(manifest or "", namespace, namespaced, read),
    )


def _str_or_none(value: Any) -> str | None:
    # Only scalars: str() of a nested value (YAML aliases can make one huge) is never wanted.
    if value in (None, "") or not isinstance(value, str | int | float):
        return None
    return printable(value, 200)


def _name(value: Any) -> str | None:
    """A name as written in a manifest (a string or, unquoted, a number), made safe to show."""
    if isinstance(value, str | int) and not isinstance(value, bool) and value != "":
        return printable(value, 253)
    return None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}

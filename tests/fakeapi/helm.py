"""Helm v3 release records, encoded exactly as Helm 3's storage drivers write them.

Helm 3 (``pkg/storage/driver``) keeps one record per release revision:

* Secret driver (the default): a Secret named ``sh.helm.release.v1.<name>.v<revision>`` of
  type ``helm.sh/release.v1`` in the release's namespace, labelled ``name``, ``owner=helm``,
  ``status``, ``version`` (plus ``createdAt`` or ``modifiedAt``), whose ``data.release``
  holds Helm's encoded release. Helm's encoding (``encodeRelease``) is
  ``base64(gzip(json(release)))``; a Secret's data values are base64 of their bytes, so
  over the API the value is base64 *twice*.
* ConfigMap driver: the same name and labels on a ConfigMap, with ``data.release`` the
  encoded string itself (base64 once).

The release JSON follows Go's ``encoding/json`` output for Helm's ``release.Release``:
struct fields in declaration order, map keys sorted, ``<``/``>``/``&`` escaped, no spaces.
"""

from __future__ import annotations

import base64
import calendar
import datetime as dt
import gzip
import json
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "HelmRelease",
    "decode_record",
    "decode_release",
    "encode_release",
    "go_json",
    "release_configmap",
    "release_json",
    "release_object",
    "release_objects",
    "release_secret",
    "storage_name",
]

SECRET_TYPE = "helm.sh/release.v1"
"""The Secret type Helm 3 gives its release records."""

STATUSES = (
    "unknown",
    "deployed",
    "uninstalled",
    "superseded",
    "failed",
    "uninstalling",
    "pending-install",
    "pending-upgrade",
    "pending-rollback",
)
"""Helm 3's release statuses (``pkg/release/status.go``)."""


@dataclass
class HelmRelease:
    """One revision of a Helm release, as a fixture describes it."""

    name: str
    """Release name."""
    namespace: str
    """Namespace the release (and its record) lives in."""
    revision: int
    """Revision number (Helm's ``version``), from 1."""
    status: str
    """One of STATUSES."""
    chart_name: str
    """Chart.yaml ``name``."""
    chart_version: str
    """Chart.yaml ``version``."""
    app_version: str = ""
    """Chart.yaml ``appVersion``."""
    kube_version: str = ""
    """Chart.yaml ``kubeVersion`` constraint."""
    chart_description: str = ""
    """Chart.yaml ``description``."""
    chart_values: dict[str, Any] = field(default_factory=dict)
    """The chart's own default values (values.yaml)."""
    values: dict[str, Any] = field(default_factory=dict)
    """User-supplied values (Helm's ``config``)."""
    manifest: str = ""
    """The rendered manifest, YAML documents separated by ``---``."""
    templates: dict[str, str] = field(default_factory=dict)
    """Chart templates by file name (``templates/x.yaml``); stored base64-encoded."""
    description: str = ""
    """Info description, e.g. ``Install complete``; derived from status when empty."""
    notes: str = ""
    """Rendered NOTES.txt."""
    first_deployed: str = "2021-03-01T10:00:00.000000000Z"
    """RFC 3339 time of the first deployment of the release."""
    last_deployed: str = "2021-03-01T10:00:00.000000000Z"
    """RFC 3339 time of this revision."""
    driver: str = "secret"
    """Storage driver: ``secret`` or ``configmap``."""
    labels: dict[str, str] = field(default_factory=dict)
    """Custom release labels (``helm install --labels``), stored on the record only."""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HelmRelease:
        """Build from a fixture mapping (keys as in this dataclass, ``chart`` nested)."""
        chart = data.get("chart") or {}
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(data) - known - {"chart"}
        if unknown:
            raise ValueError(f"helm release {data.get('name')!r}: unknown keys {sorted(unknown)}")
        kwargs = {k: v for k, v in data.items() if k != "chart"}
        for src, dst in (
            ("name", "chart_name"),
            ("version", "chart_version"),
            ("appVersion", "app_version"),
            ("kubeVersion", "kube_version"),
            ("description", "chart_description"),
            ("values", "chart_values"),
        ):
            if src in chart:
                kwargs[dst] = chart[src]
        rel = cls(**kwargs)
        if rel.status not in STATUSES:
            raise ValueError(f"helm release {rel.name!r}: unknown status {rel.status!r}")
        if rel.driver not in ("secret", "configmap"):
            raise ValueError(f"helm release {rel.name!r}: unknown driver {rel.driver!r}")
        return rel


def storage_name(name: str, revision: int) -> str:
    """Name of the Secret/ConfigMap holding a revision (Helm's ``makeKey``)."""
    return f"sh.helm.release.v1.{name}.v{revision}"


_DESCRIPTIONS = {
    "deployed": "Upgrade complete",
    "superseded": "Upgrade complete",
    "failed": "Upgrade failed",
    "pending-install": "Initial install underway",
    "pending-upgrade": "Preparing upgrade",
    "pending-rollback": "Rollback in progress",
    "uninstalling": "Deletion in progress (or silently failed)",
    "uninstalled": "Uninstallation complete",
}


def release_json(rel: HelmRelease) -> dict[str, Any]:
    """The release as Helm's ``release.Release`` marshals, as an ordered mapping."""
    description = rel.description or (
        "Install complete" if rel.revision == 1 and rel.status in ("deployed", "superseded")
        else _DESCRIPTIONS.get(rel.status, "")
    )
    info: dict[str, Any] = {
        "first_deployed": rel.first_deployed,
        "last_deployed": rel.last_deployed,
        "deleted": "",  # helm's time.Time marshals the zero time as ""
    }
    if description:
        info["description"] = description
    info["status"] = rel.status
    if rel.notes:
        info["notes"] = rel.notes

    metadata: dict[str, Any] = {"name": rel.chart_name, "version": rel.chart_version}
    if rel.chart_description:
        metadata["description"] = rel.chart_description
    metadata["apiVersion"] = "v2"
    if rel.app_version:
        metadata["appVersion"] = rel.app_version
    if rel.kube_version:
        metadata["kubeVersion"] = rel.kube_version
    metadata["type"] = "application"

    templates = rel.templates or ({"templates/manifest.yaml": rel.manifest} if rel.manifest else {})
    chart: dict[str, Any] = {
        "metadata": metadata,
        "lock": None,
        "templates": [
            {"name": name, "data": base64.b64encode(text.encode()).decode()}
            for name, text in templates.items()
        ],
        "values": _sorted(rel.chart_values),
        "schema": None,
        "files": None,
    }
    out: dict[str, Any] = {"name": rel.name, "info": info, "chart": chart}
    if rel.values:
        out["config"] = _sorted(rel.values)
    if rel.manifest:
        out["manifest"] = rel.manifest
    out["version"] = rel.revision
    out["namespace"] = rel.namespace
    return out


def _sorted(value: Any) -> Any:
    # Go marshals map[string]interface{} with sorted keys.
    if isinstance(value, dict):
        return {str(k): _sorted(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def go_json(value: Any) -> bytes:
    """JSON as Go's ``json.Marshal`` writes it: compact, HTML-escaped, UTF-8."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for raw, esc in (
        ("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
        ("\u2028", "\\u2028"), ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, esc)
    return text.encode()


def encode_release(rel: HelmRelease | dict[str, Any]) -> str:
    """Helm's ``encodeRelease``: base64(gzip(json)), gzip at best compression."""
    doc = release_json(rel) if isinstance(rel, HelmRelease) else rel
    return base64.b64encode(gzip.compress(go_json(doc), compresslevel=9, mtime=0)).decode()


def decode_release(data: str | bytes) -> dict[str, Any]:
    """Helm's ``decodeRelease``: base64, gunzip when gzip magic is present, JSON."""
    raw = base64.b64decode(data)
    if raw[:3] == b"\x1f\x8b\x08":
        raw = gzip.decompress(raw)
    result: dict[str, Any] = json.loads(raw)
    return result


def _labels(rel: HelmRelease) -> dict[str, str]:
    # Helm's Create sets createdAt; Update (every later status change) sets modifiedAt
    # instead. Only a record stuck in a pending state was never updated.
    stamp = str(_unix(rel.last_deployed))
    labels = dict(rel.labels)
    labels["createdAt" if rel.status.startswith("pending-") else "modifiedAt"] = stamp
    labels.update(
        {"name": rel.name, "owner": "helm", "status": rel.status, "version": str(rel.revision)}
    )
    return dict(sorted(labels.items()))


def _unix(stamp: str) -> int:
    # fromisoformat takes at most microseconds, and Go writes nanoseconds: drop the fraction
    text = re.sub(r"\.\d+", "", stamp.replace("Z", "+00:00"))
    return calendar.timegm(dt.datetime.fromisoformat(text).utctimetuple())


def _metadata(rel: HelmRelease, kind: str) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "f:data": {".": {}, "f:release": {}},
        "f:metadata": {"f:labels": {".": {}, **{f"f:{k}": {} for k in _labels(rel)}}},
    }
    if kind == "Secret":
        fields["f:type"] = {}
    created = rel.last_deployed.split(".")[0].rstrip("Z") + "Z"
    return {
        "name": storage_name(rel.name, rel.revision),
        "namespace": rel.namespace,
        "labels": _labels(rel),
        "creationTimestamp": created,
        "managedFields": [
            {
                "manager": "helm",
                "operation": "Update",
                "apiVersion": "v1",
                "time": created,
                "fieldsType": "FieldsV1",
                "fieldsV1": fields,
            }
        ],
    }


def release_secret(rel: HelmRelease) -> dict[str, Any]:
    """The Secret the Secret driver stores, as the API server returns it."""
    encoded = encode_release(rel)
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": _metadata(rel, "Secret"),
        # Secret data is base64 of the stored bytes, which are Helm's base64 text.
        "data": {"release": base64.b64encode(encoded.encode()).decode()},
        "type": SECRET_TYPE,
    }


def release_configmap(rel: HelmRelease) -> dict[str, Any]:
    """The ConfigMap the ConfigMap driver stores, as the API server returns it."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _metadata(rel, "ConfigMap"),
        "data": {"release": encode_release(rel)},
    }


def release_object(rel: HelmRelease) -> dict[str, Any]:
    """The record for ``rel`` in its driver's form."""
    return release_secret(rel) if rel.driver == "secret" else release_configmap(rel)


def release_objects(releases: list[HelmRelease]) -> list[dict[str, Any]]:
    """The records of all releases."""
    return [release_object(r) for r in releases]


def decode_record(obj: dict[str, Any]) -> dict[str, Any]:
    """Decode a Secret or ConfigMap record fetched from the API back to release JSON."""
    data = obj["data"]["release"]
    if obj.get("kind") == "Secret" or obj.get("type") == SECRET_TYPE:
        data = base64.b64decode(data).decode()
    return decode_release(data)

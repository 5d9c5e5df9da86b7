"""Trim an object to what the checks need, so a snapshot never carries Secret data.

What is kept is listed (an allow-list), never what is dropped: an unknown field of an
unknown kind cannot leak by being forgotten here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
"""The `kubectl apply` annotation: a full copy of the object, Secret data included."""

_KEPT_METADATA = (
    "name",
    "namespace",
    "generateName",
    "labels",
    "annotations",
    "ownerReferences",
    "uid",
    "creationTimestamp",
)

_SECRET_METADATA = ("name", "namespace", "labels")

# Kinds whose checked content lives outside spec/status (PSP `use` grants in RBAC rules,
# in-tree volume provisioners, admission webhooks, ...). StorageClass `parameters` stay
# out: some in-tree provisioners took credentials there.
_KIND_FIELDS: Mapping[str, tuple[str, ...]] = {
    "Role": ("rules",),
    "ClusterRole": ("rules", "aggregationRule"),
    "RoleBinding": ("subjects", "roleRef"),
    "ClusterRoleBinding": ("subjects", "roleRef"),
    "ValidatingWebhookConfiguration": ("webhooks",),
    "MutatingWebhookConfiguration": ("webhooks",),
    "StorageClass": ("provisioner", "reclaimPolicy", "volumeBindingMode", "allowVolumeExpansion"),
    "RuntimeClass": ("handler", "overhead", "scheduling"),
    "PriorityClass": ("value", "globalDefault", "preemptionPolicy"),
    # Whether a webhook's service has ready endpoints.
    "EndpointSlice": ("addressType", "endpoints", "ports"),
    "Endpoints": ("subsets",),
}

# ConfigMaps whose data the checks read (kube-proxy mode, CoreDNS plugins), and the keys
# kept: every other key, and every other ConfigMap, keeps only the names of its keys.
_CONFIGMAPS_WITH_DATA: Mapping[tuple[str, str], frozenset[str]] = {
    ("kube-system", "kube-proxy"): frozenset({"config.conf"}),  # kubeadm
    ("kube-system", "kube-proxy-config"): frozenset({"config"}),  # EKS
    ("kube-system", "coredns"): frozenset({"Corefile"}),
}


def trim_object(
    obj: Mapping[str, Any], api_version: str | None = None, kind: str | None = None
) -> dict[str, Any]:
    """The object's apiVersion, kind, trimmed metadata, spec and status (and per-kind extras).

    `api_version` and `kind` stand in for the object's own (list items carry none).
    A Secret keeps only its metadata and `type`; a ConfigMap only its data's key names
    (`dataKeys`, `binaryDataKeys`), except kube-proxy's and CoreDNS's in kube-system.
    `managedFields` and the last-applied annotation are always dropped.
    """
    kind = kind or obj.get("kind")
    body = {"apiVersion": api_version or obj.get("apiVersion"), "kind": kind}
    body = {key: value for key, value in body.items() if value is not None}
    metadata = trim_metadata(obj.get("metadata"))
    if metadata is not None:
        body["metadata"] = metadata
    if kind == "Secret":
        # Name, namespace, labels and type: nothing else of a Secret is ever kept.
        if metadata is not None:
            body["metadata"] = {k: metadata[k] for k in _SECRET_METADATA if k in metadata}
        if "type" in obj:
            body["type"] = obj["type"]
        return body
    extras = _KIND_FIELDS.get(kind, ()) if isinstance(kind, str) else ()
    for key in ("spec", "status", *extras):
        if key in obj:
            body[key] = obj[key]
    if kind == "ConfigMap":
        body.update(_trim_configmap_data(obj, metadata or {}))
    return body


def trim_metadata(metadata: Any) -> dict[str, Any] | None:
    """The metadata fields the checks use, without managedFields or last-applied."""
    if not isinstance(metadata, Mapping):
        return None
    kept = {key: metadata[key] for key in _KEPT_METADATA if key in metadata}
    annotations = kept.get("annotations")
    if isinstance(annotations, Mapping):
        kept["annotations"] = {k: v for k, v in annotations.items() if k != LAST_APPLIED}
    elif "annotations" in kept:
        del kept["annotations"]
    return kept


def _trim_configmap_data(obj: Mapping[str, Any], metadata: Mapping[str, Any]) -> dict[str, Any]:
    data, binary = obj.get("data"), obj.get("binaryData")
    trimmed: dict[str, Any] = {}
    where = (str(metadata.get("namespace")), str(metadata.get("name")))
    readable = _CONFIGMAPS_WITH_DATA.get(where)
    if isinstance(data, Mapping):
        kept = {k: v for k, v in data.items() if readable and k in readable}
        if kept:
            trimmed["data"] = kept
        if len(kept) < len(data):
            trimmed["dataKeys"] = _key_names(data)
    if isinstance(binary, Mapping):
        trimmed["binaryDataKeys"] = _key_names(binary)
    return trimmed


def _key_names(mapping: Mapping[Any, Any]) -> list[str]:
    # YAML reads `80: x` with an int key (ingress-nginx tcp-services); str() keeps the sort
    # total and the output JSON-friendly.
    return sorted(str(key) for key in mapping)

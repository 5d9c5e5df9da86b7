"""The add-ons a cluster runs (CoreDNS, kube-proxy, CNI and CSI drivers, ...) and the
versions their images name, for the plan's add-on phase."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from upgradecheck.model import AddonVersion, ObservedObject, Snapshot
from upgradecheck.shapes import as_maps, as_str, dig

# Workload name patterns of well-known add-ons, and what to call them.
_KNOWN: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), name)
    for pattern, name in (
        (r"^coredns$|^kube-dns$", "CoreDNS"),
        (r"^kube-proxy", "kube-proxy"),
        (r"^aws-node$", "Amazon VPC CNI"),
        (r"^calico-node$|^calico-kube-controllers$", "Calico"),
        (r"^cilium$|^cilium-operator$", "Cilium"),
        (r"^kube-flannel", "Flannel"),
        (r"^weave-net$", "Weave Net"),
        (r"^antrea", "Antrea"),
        (r"^ebs-csi", "Amazon EBS CSI driver"),
        (r"^efs-csi", "Amazon EFS CSI driver"),
        (r"^csi-azure|^csi-azuredisk|^csi-azurefile", "Azure CSI driver"),
        (r"^pdcsi|^gce-pd-csi", "GCE PD CSI driver"),
        (r"^metrics-server$", "metrics-server"),
        (r"^cluster-autoscaler", "cluster-autoscaler"),
        (r"^aws-load-balancer-controller$", "AWS Load Balancer Controller"),
        (r"^ingress-nginx-controller$|^nginx-ingress", "ingress-nginx"),
        (r"^cert-manager$", "cert-manager"),
    )
)
_KINDS = ("Deployment", "DaemonSet", "StatefulSet")


def _containers(obj: ObservedObject) -> list[Mapping[str, Any]]:
    return as_maps(dig(obj.body, "spec", "template", "spec", "containers"))


def _tag(image: str) -> str:
    name = image.split("@", 1)[0]
    _repo, sep, tag = name.rpartition(":")
    return tag if sep and "/" not in tag else "unknown"


def addon_versions(snapshot: Snapshot) -> tuple[AddonVersion, ...]:
    """Every well-known add-on workload, with its first container's image tag."""
    return tuple(sorted(_find(snapshot), key=lambda a: (a.name, a.workload)))


def _find(snapshot: Snapshot) -> Iterator[AddonVersion]:
    for obj in snapshot.of_kind(*_KINDS):
        name = next((label for pattern, label in _KNOWN if pattern.search(obj.ref.name)), None)
        if name is None:
            continue
        containers = _containers(obj)
        if not containers:
            continue
        image = as_str(containers[0].get("image")) or ""
        yield AddonVersion(name, obj.ref.display(), image, _tag(image))

"""The add-ons a cluster runs (CoreDNS, kube-proxy, CNI and CSI drivers, ...) and the
versions their images name, for the plan's add-on phase."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from upgradecheck.model import AddonVersion, ObservedObject, Snapshot
from upgradecheck.shapes import as_maps, as_str, dig

# Workload name patterns of well-known add-ons, and what to call them.
_KNOWN: tuple[tuple[str, str], ...] = (
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
_KINDS = ("Deployment", "DaemonSet", "StatefulSet")

# The patterns as one, each a group: every alternative of every pattern is anchored at the
# start of the name, so the one pattern is matched there only, and the first group to match
# is the first pattern that matches (one match per workload of a large cluster instead of a
# search per pattern: a sixth of the time).
_ANY_KNOWN = re.compile("|".join(f"(?P<a{i}>{pattern})" for i, (pattern, _) in enumerate(_KNOWN)))
_NAMES = {f"a{i}": name for i, (_, name) in enumerate(_KNOWN)}


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
        found = _ANY_KNOWN.match(obj.ref.name)
        if found is None or found.lastgroup is None:
            continue
        name = _NAMES[found.lastgroup]
        containers = _containers(obj)
        if not containers:
            continue
        image = as_str(containers[0].get("image")) or ""
        yield AddonVersion(name, obj.ref.display(), image, _tag(image))

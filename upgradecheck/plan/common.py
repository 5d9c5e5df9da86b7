"""What every part of the plan shares: platform names, commands, the context, and small
helpers on versions and counts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from upgradecheck.model import Finding, Report, Severity
from upgradecheck.versions import minor_key

# Platforms whose control plane (and etcd) the provider runs, with their names.
MANAGED_PLATFORMS = {"eks": "EKS", "gke": "GKE", "aks": "AKS"}
CHANGELOG = "https://github.com/kubernetes/kubernetes/tree/master/CHANGELOG"
ETCD_CERTS = (
    "--endpoints=https://127.0.0.1:2379 --cacert=/etc/kubernetes/pki/etcd/ca.crt "
    "--cert=/etc/kubernetes/pki/etcd/server.crt --key=/etc/kubernetes/pki/etcd/server.key"
)
IMAGE_PATH = "-o jsonpath='{.spec.template.spec.containers[0].image}'"
DRAIN = "kubectl drain NODE --ignore-daemonsets --delete-emptydir-data"
BEFORE_SNAPSHOT = "before.json.gz"
"""The snapshot `collect -o` records before the first hop; each hop's is `after_snapshot`."""


def after_snapshot(hop: str) -> str:
    """The snapshot recorded once the cluster is at `hop`: `after-1.30.json.gz`."""
    return f"after-{hop}.json.gz"


@dataclass(frozen=True)
class Context:
    """What every phase builder needs to know of the report."""

    report: Report
    platform: str
    """The platform name (eks, gke, aks, ...) or `unknown`."""

    @property
    def managed(self) -> bool:
        """Whether the provider runs the control plane and etcd."""
        return self.platform in MANAGED_PLATFORMS

    @property
    def name(self) -> str:
        """The platform's name for people: `EKS`, or as the report gives it."""
        return MANAGED_PLATFORMS.get(self.platform, self.platform)

    @property
    def current(self) -> str:
        """The current version, or words for it when unknown."""
        return self.report.current_version or "the current version"


def due_hop(hop: str | None, hops: Sequence[str]) -> str | None:
    """The hop a fix must be done before: the first hop at or after the one it bites in.

    An API already gone before the first hop must be fixed before the first hop; a finding
    that bites after the target keeps its own hop.
    """
    if hop is None:
        return None
    for candidate in hops:
        if minor_key(candidate) >= minor_key(hop):
            return candidate
    return hop


def count(n: int, singular: str, plural: str | None = None) -> str:
    """`1 node`, `3 nodes`."""
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def worst(findings: Iterable[Finding]) -> Severity | None:
    """The worst severity among `findings`, None when there are none."""
    return max((f.severity for f in findings), key=lambda s: s.rank, default=None)


def api_of(finding: Finding) -> str | None:
    if finding.object is not None:
        return finding.object.api_version
    return finding.evidence[0].api_version if finding.evidence else None

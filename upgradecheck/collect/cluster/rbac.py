"""The read-only ClusterRole the collector needs: exactly the resources it may list and the
non-resource URLs it reads, derived from the same data that decides what is listed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from upgradecheck.collect.cluster.selection import wanted
from upgradecheck.knowledge.model import KnowledgeBase

ROLE_NAME = "upgradecheck-reader"

# Resources that cannot be listed (create-only reviews and subresource-like APIs).
_NOT_LISTABLE = frozenset(
    {
        "tokenreviews", "selfsubjectreviews", "subjectaccessreviews",
        "localsubjectaccessreviews", "selfsubjectaccessreviews", "selfsubjectrulesreviews",
        "evictions", "evictionrequests", "bindings",
    }
)
# Read separately from the resource lists: nodes, Helm's release records (Secrets and
# ConfigMaps labelled owner=helm; RBAC cannot narrow a grant by label), kube-system
# ConfigMaps (kube-proxy, CoreDNS).
_ALWAYS = (("", "nodes"), ("", "secrets"), ("", "configmaps"))
NON_RESOURCE_URLS = ("/version", "/api", "/api/*", "/apis", "/apis/*", "/metrics")


def granted_resources(kb: KnowledgeBase) -> dict[str, set[str]]:
    """group → resources the collector may list: the resource of each (group, kind) it lists;
    `*` for add-on groups whose deprecated or removed versions name no kinds."""
    want = wanted(kb)
    out: dict[str, set[str]] = {}
    for group, resource in (*_ALWAYS, *((g, r) for (g, _), r in want.kinds.items())):
        if resource not in _NOT_LISTABLE:
            out.setdefault(group, set()).add(resource)
    for group in want.groups:
        out[group] = {"*"}
    return out


def _rules(groups: dict[str, set[str]]) -> Iterable[dict[str, Any]]:
    for group in sorted(groups):
        yield {
            "apiGroups": [group],
            "resources": sorted(groups[group]),
            "verbs": ["get", "list"],
        }


def cluster_role(kb: KnowledgeBase) -> dict[str, Any]:
    """The ClusterRole document."""
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": ROLE_NAME, "labels": {"app.kubernetes.io/name": "upgradecheck"}},
        "rules": [
            *_rules(granted_resources(kb)),
            {"nonResourceURLs": list(NON_RESOURCE_URLS), "verbs": ["get"]},
        ],
    }



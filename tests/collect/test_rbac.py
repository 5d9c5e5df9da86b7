"""The documented ClusterRole grants exactly what the collector reads, and docs/rbac.md
holds the role `upgradecheck rbac` prints."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from upgradecheck.collect.cluster.collector import CollectOptions, collect_cluster
from upgradecheck.collect.cluster.rbac import cluster_role
from upgradecheck.collect.cluster.transport import TransportOptions
from upgradecheck.knowledge import load_knowledge_base

REPO = Path(__file__).resolve().parents[2]
_LIST = re.compile(
    r"^/apis?/(?:(?P<group>[^/]+)/)?(?P<version>v[^/]+)/(?:namespaces/[^/]+/)?"
    r"(?P<resource>[^/]+)$"
)


def _allowed(role: dict[str, Any], path: str) -> bool:
    if any(
        path == u or (u.endswith("*") and path.startswith(u[:-1]))
        for rule in role["rules"]
        for u in rule.get("nonResourceURLs", ())
    ):
        return True
    m = _LIST.match(path)
    if not m:
        return False
    group = m["group"] if path.startswith("/apis/") else ""
    if path.startswith("/api/"):
        group = ""
    return any(
        group in rule.get("apiGroups", ())
        and (m["resource"] in rule["resources"] or "*" in rule["resources"])
        and "list" in rule["verbs"]
        for rule in role["rules"]
    )


@pytest.mark.parametrize("cluster", ["v1.21", "v1.31"])
def test_every_request_is_granted(fakeapi: Any, cluster: str) -> None:
    kb = load_knowledge_base()
    api = fakeapi(cluster)
    collect_cluster(
        CollectOptions(
            kubeconfig=str(api.kubeconfig_path),
            probe_clients=False,
            transport=TransportOptions(retries=1),
        ),
        kb,
    )
    role = cluster_role(kb)
    paths = {r.path for r in api.requests}
    denied = sorted(p for p in paths if not _allowed(role, p))
    assert not denied
    assert all(set(rule["verbs"]) <= {"get", "list"} for rule in role["rules"])


def test_docs_hold_the_generated_role() -> None:
    doc = (REPO / "docs" / "rbac.md").read_text()
    block = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert yaml.safe_load(block) == cluster_role(load_knowledge_base())

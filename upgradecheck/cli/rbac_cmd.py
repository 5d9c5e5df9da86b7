"""`upgradecheck rbac`: print the read-only ClusterRole the collector needs."""

from __future__ import annotations

import typer
import yaml

from upgradecheck.collect.cluster.rbac import cluster_role
from upgradecheck.knowledge import load_knowledge_base


def rbac() -> None:
    """Print the ClusterRole (YAML) granting exactly what `collect` and `plan` read.

    Examples:

      upgradecheck rbac | kubectl apply -f -

      kubectl create clusterrolebinding upgradecheck --clusterrole upgradecheck-reader \\
        --serviceaccount platform:upgradecheck
    """
    typer.echo(yaml.safe_dump(cluster_role(load_knowledge_base()), sort_keys=False), nl=False)

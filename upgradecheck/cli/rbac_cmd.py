"""`upgradecheck rbac`: print the ClusterRole the collector needs (and, with --publish, the
publisher's)."""

from __future__ import annotations

from typing import Annotated

import typer
import yaml

from upgradecheck.collect.cluster.rbac import cluster_role
from upgradecheck.knowledge import load_knowledge_base
from upgradecheck.publish.rbac import publisher_role

Publish = Annotated[
    bool,
    typer.Option(
        "--publish",
        help="Print the role for publishing PolicyReports instead (upgradecheck-publisher): "
        "the read-only rules plus writing wgpolicyk8s.io PolicyReports.",
    ),
]


def rbac(publish: Publish = False) -> None:
    """Print the ClusterRole (YAML) granting exactly what `collect` and `plan` read.

    Examples:

    \b
      upgradecheck rbac | kubectl apply -f -
      kubectl create clusterrolebinding upgradecheck \\
        --clusterrole upgradecheck-reader --serviceaccount platform:upgradecheck
      upgradecheck rbac --publish | kubectl apply -f -
    """
    kb = load_knowledge_base()
    role = publisher_role(kb) if publish else cluster_role(kb)
    typer.echo(yaml.safe_dump(role, sort_keys=False), nl=False)

"""The first phase: read the notes, rehearse, back up, snapshot the cluster as it is."""

from __future__ import annotations

from upgradecheck.plan.common import BEFORE_SNAPSHOT, CHANGELOG, ETCD_CERTS, Context, count
from upgradecheck.plan.model import Step


def before_steps(ctx: Context) -> tuple[Step, ...]:
    report = ctx.report
    changelogs = ", ".join(f"CHANGELOG-{hop}.md" for hop in report.hops) or "the changelog"
    steps = [
        Step(
            f"Read the urgent upgrade notes of every release on the path ({changelogs} at "
            f"{CHANGELOG}).",
        ),
        Step(
            f"Rehearse on a test cluster at {ctx.current} first: follow this plan there; its "
            "snapshots from before and after each hop, compared, show what the upgrade broke.",
            "kubectl --context TEST_CONTEXT version",
        ),
    ]
    if report.gaps:
        steps.append(gaps_step(ctx))
    steps.extend(backup_steps(ctx))
    steps.append(
        Step(
            "Snapshot the cluster as it is now (GET requests only), to compare with after "
            "each hop.",
            f"upgradecheck collect -o {BEFORE_SNAPSHOT}",
        )
    )
    steps.append(
        Step(
            "Record the nodes and pods as they are now.",
            "kubectl get nodes,pods -A -o wide > state-before-upgrade.txt",
        )
    )
    return tuple(steps)


def gaps_step(ctx: Context) -> Step:
    """Close the coverage gaps, or check by hand what they hide."""
    return Step(
        f"Close the {count(len(ctx.report.gaps), 'coverage gap')} listed in the report "
        "(re-run with the missing access) or check those items by hand: this plan cannot "
        "see them.",
        "kubectl auth can-i --list",
    )


def backup_steps(ctx: Context) -> list[Step]:
    target = ctx.report.target_version
    objects = Step(
        "Export the manifests of your workloads and their configuration (Secrets excluded); "
        "keep the sources in version control.",
        "kubectl get deployments,statefulsets,daemonsets,cronjobs,jobs,services,ingresses,"
        "configmaps,poddisruptionbudgets,customresourcedefinitions -A -o yaml "
        "> objects-before-upgrade.yaml",
    )
    if ctx.managed:
        return [
            Step(
                f"The provider runs etcd on {ctx.name}: back up the cluster's objects and "
                "volumes with a backup tool such as Velero.",
                f"velero backup create before-{target}",
            ),
            objects,
        ]
    return [
        Step(
            "Back up etcd (self-managed control plane: on a control-plane node).",
            f"sudo ETCDCTL_API=3 etcdctl snapshot save etcd-before-upgrade.db {ETCD_CERTS}",
        ),
        objects,
    ]

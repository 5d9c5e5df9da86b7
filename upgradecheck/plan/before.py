"""The first phase: read the notes, rehearse, back up, record a baseline."""

from __future__ import annotations

from upgradecheck.plan.common import CHANGELOG, ETCD_CERTS, Context, count
from upgradecheck.plan.model import Step


def before_steps(ctx: Context) -> tuple[Step, ...]:
    report = ctx.report
    target = report.target_version
    changelogs = ", ".join(f"CHANGELOG-{hop}.md" for hop in report.hops) or "the changelog"
    steps = [
        Step(
            f"Read the urgent upgrade notes of every release on the path ({changelogs} at "
            f"{CHANGELOG}).",
        ),
        Step(
            f"Rehearse on a test cluster at {ctx.current} first: follow this plan there, "
            "then run upgradecheck again after its upgrade.",
            "kubectl --context TEST_CONTEXT version",
        ),
    ]
    if report.gaps:
        steps.append(
            Step(
                f"Close the {count(len(report.gaps), 'coverage gap')} listed in the "
                "report (re-run with the missing access) or check those items by hand: "
                "this plan cannot see them.",
                "kubectl auth can-i --list",
            )
        )
    steps.extend(backup_steps(ctx))
    steps.append(
        Step(
            "Record a baseline report to compare with after each hop.",
            f"upgradecheck plan --target {target} --format json -o baseline.json",
        )
    )
    steps.append(
        Step(
            "Record the nodes and pods as they are now.",
            "kubectl get nodes,pods -A -o wide > state-before-upgrade.txt",
        )
    )
    return tuple(steps)


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

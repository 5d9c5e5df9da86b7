"""The phases of one hop: control plane, add-ons, node pools, verification, rollback."""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from upgradecheck.checks.disruption_budgets import PDB_BLOCKS_DRAIN
from upgradecheck.model import Finding, NodeInfo, Report, Severity
from upgradecheck.nodepools import by_pool
from upgradecheck.plan.common import (
    BEFORE_SNAPSHOT,
    DRAIN,
    ETCD_CERTS,
    IMAGE_PATH,
    Context,
    after_snapshot,
    count,
    due_hop,
    worst,
)
from upgradecheck.plan.model import Phase, Step
from upgradecheck.versions import minor_key


def hop_phases(ctx: Context, previous: str, hop: str, blockers: Sequence[Finding]) -> list[Phase]:
    return [
        Phase(
            f"control-plane-{hop}",
            f"Control plane to {hop}",
            hop,
            _control_plane_steps(ctx, previous, hop, blockers),
        ),
        Phase(f"addons-{hop}", f"Add-ons for {hop}", hop, _addon_steps(ctx, hop)),
        Phase(f"nodes-{hop}", f"Node pools to {hop}", hop, _node_steps(ctx, hop)),
        Phase(f"verify-{hop}", f"Verify {hop}", hop, _verify_steps(ctx, previous, hop)),
        Phase(f"rollback-{hop}", f"Rollback plan for {hop}", hop, _rollback_steps(ctx, hop)),
    ]


def _gate(report: Report, hop: str, blockers: Sequence[Finding]) -> Step | None:
    first = report.hops[0] if report.hops else hop
    due = [
        f
        for f in blockers
        if due_hop(f.hop, report.hops) == hop or (f.hop is None and hop == first)
    ]
    if not due:
        return None
    return Step(
        f"Confirm that every blocker fix due before {hop} is done "
        f"({count(len(due), 'finding')}); stop here if not.",
        f"upgradecheck plan --target {hop} --fail-on blocker",
        tuple(due),
        Severity.BLOCKER,
    )


_CONTROL_PLANE = {
    "eks": "aws eks update-cluster-version --name CLUSTER --kubernetes-version {hop}",
    "gke": "gcloud container clusters upgrade CLUSTER --master --cluster-version {hop}",
    "aks": "az aks upgrade --resource-group RESOURCE_GROUP --name CLUSTER "
    "--control-plane-only --kubernetes-version {hop}.PATCH",
}
_UPGRADE_CHECK = {
    "eks": (
        "Read the EKS upgrade insights for {hop} and resolve what they flag.",
        "aws eks list-insights --cluster-name CLUSTER",
    ),
    "gke": (
        "Check that GKE offers {hop} in the cluster's release channel.",
        "gcloud container get-server-config",
    ),
    "aks": (
        "Check that AKS offers {hop} as an upgrade for this cluster.",
        "az aks get-upgrades --resource-group RESOURCE_GROUP --name CLUSTER",
    ),
}


def _control_plane_steps(
    ctx: Context, previous: str, hop: str, blockers: Sequence[Finding]
) -> tuple[Step, ...]:
    steps = []
    gate = _gate(ctx.report, hop, blockers)
    if gate is not None:
        steps.append(gate)
    if ctx.managed:
        text, check = _UPGRADE_CHECK[ctx.platform]
        steps.append(Step(text.format(hop=hop), check))
        command = _CONTROL_PLANE[ctx.platform].format(hop=hop)
        how = f"Upgrade the control plane from {previous} to {hop}"
    else:
        steps.append(
            Step(
                f"Take an etcd snapshot just before the upgrade to {hop}.",
                f"sudo ETCDCTL_API=3 etcdctl snapshot save etcd-before-{hop}.db {ETCD_CERTS}",
            )
        )
        steps.append(
            Step(
                "Back up the control-plane configuration and static pod manifests on each "
                "control-plane node.",
                f"sudo cp -a /etc/kubernetes /etc/kubernetes.before-{hop}",
            )
        )
        steps.append(Step("See what kubeadm will upgrade.", "sudo kubeadm upgrade plan"))
        command = f"sudo kubeadm upgrade apply v{hop}.PATCH"
        how = (
            f"Upgrade the first control-plane node from {previous} to {hop} (then run "
            "kubeadm upgrade node on the others)"
        )
    steps.append(Step(f"{how}: one minor version, never more.", command))
    steps.append(Step(f"Check that the API server reports {hop}.", "kubectl version"))
    steps.append(
        Step("Check that the API server is healthy.", "kubectl get --raw '/readyz?verbose'")
    )
    return tuple(steps)


def _seen(ctx: Context, *names: str) -> str:
    """` (seen: v1.8.7 in Deployment kube-system/coredns)` for the add-ons named, or ''."""
    found = [a for a in ctx.report.addons if a.name in names or not names]
    if not found:
        return ""
    return " (seen: " + "; ".join(f"{a.name} {a.version} in {a.workload}" for a in found) + ")"


_CNI = ("Amazon VPC CNI", "Calico", "Cilium", "Flannel", "Weave Net", "Antrea")
_NAMED = ("CoreDNS", "kube-proxy", *_CNI)


def _addon_steps(ctx: Context, hop: str) -> tuple[Step, ...]:
    others = [a for a in ctx.report.addons if a.name not in _NAMED]
    steps = [
        Step(
            f"CoreDNS{_seen(ctx, 'CoreDNS')}: check that its version is the one supported "
            f"with {hop}.",
            f"kubectl -n kube-system get deployment coredns {IMAGE_PATH}",
        ),
        Step(
            f"kube-proxy{_seen(ctx, 'kube-proxy')}: upgrade it to {hop}; it must never be "
            "newer than the API server.",
            f"kubectl -n kube-system get daemonset kube-proxy {IMAGE_PATH}",
        ),
        Step(
            f"CNI plugin{_seen(ctx, *_CNI) or ' (Calico, Cilium, VPC CNI, ...)'}: check that "
            f"the installed version supports {hop}, and upgrade it first if not.",
            "kubectl -n kube-system get daemonsets -o wide",
        ),
        *(
            Step(
                f"{a.name} {a.version} ({a.workload}): check that this version supports {hop}.",
                None,
            )
            for a in others
        ),
        Step(
            f"CSI drivers: check that each installed driver supports {hop}.",
            "kubectl get csidrivers",
        ),
        Step(
            f"Controllers installed with Helm (ingress, cert-manager, monitoring, ...): check "
            f"that their chart versions support {hop}.",
            "helm list -A",
        ),
    ]
    if ctx.platform == "eks":
        steps.append(
            Step(
                f"Update the EKS add-ons to the versions published for {hop}.",
                f"aws eks describe-addon-versions --kubernetes-version {hop}",
            )
        )
    return tuple(steps)


_NODE_POOL = {
    "eks": "aws eks update-nodegroup-version --cluster-name CLUSTER --nodegroup-name {pool} "
    "--kubernetes-version {hop}",
    "gke": "gcloud container clusters upgrade CLUSTER --node-pool {pool} --cluster-version {hop}",
    "aks": "az aks nodepool upgrade --resource-group RESOURCE_GROUP --cluster-name CLUSTER "
    "--name {pool} --kubernetes-version {hop}.PATCH",
}


def pools(nodes: Sequence[NodeInfo]) -> dict[str, list[NodeInfo]]:
    """Nodes by pool name, in the order skew requires: the pool with the oldest kubelet first
    (it is the first to fall out of the allowed skew), then by name; nodes with no pool are
    under `""`."""
    grouped = by_pool(nodes)

    def oldest(item: tuple[str, list[NodeInfo]]) -> tuple[tuple[int, int], str]:
        return (min(minor_key(n.kubelet_version) for n in item[1]), item[0])

    return dict(sorted(grouped.items(), key=oldest))


def _pool_step(ctx: Context, hop: str, pool: str, nodes: Sequence[NodeInfo]) -> Step:
    names = ", ".join(n.name for n in nodes[:5]) + (", ..." if len(nodes) > 5 else "")
    kubelets = ", ".join(sorted({n.kubelet_version for n in nodes}))
    label = f"node pool {pool}" if pool else "the nodes with no pool label"
    text = f"Upgrade {label} to {hop}: {count(len(nodes), 'node')} ({names}), kubelet {kubelets}."
    template = _NODE_POOL.get(ctx.platform)
    if template is None:
        return Step(text, "sudo kubeadm upgrade node")
    return Step(text, template.format(pool=shlex.quote(pool) if pool else "POOL", hop=hop))


def _node_steps(ctx: Context, hop: str) -> tuple[Step, ...]:
    pdbs = tuple(f for f in ctx.report.findings if f.rule == PDB_BLOCKS_DRAIN.id)
    steps = [
        Step(
            "Check that PodDisruptionBudgets allow evictions (ALLOWED DISRUPTIONS above 0), "
            "or drains will hang.",
            "kubectl get pdb -A",
            pdbs,
            worst(pdbs),
        )
    ]
    by_pool = pools(ctx.report.nodes)
    if not by_pool:
        steps.append(
            Step(f"List the node pools and upgrade each to {hop}.", "kubectl get nodes -o wide")
        )
    steps.extend(_pool_step(ctx, hop, pool, nodes) for pool, nodes in by_pool.items())
    drain = "Drain each node before it is upgraded or replaced, one at a time"
    if ctx.managed:
        drain += " (managed node pools do this themselves; self-managed nodes need it)"
    steps.append(Step(f"{drain}.", DRAIN))
    if not ctx.managed:
        steps.append(
            Step(
                f"On each drained node: upgrade the kubelet and kubectl packages to {hop}, "
                "then restart the kubelet.",
                "sudo systemctl daemon-reload && sudo systemctl restart kubelet",
            )
        )
    steps.append(
        Step(f"Return each node to service once it is Ready at {hop}.", "kubectl uncordon NODE")
    )
    return tuple(steps)


def _verify_steps(ctx: Context, previous: str, hop: str) -> tuple[Step, ...]:
    target = ctx.report.target_version
    report = ctx.report
    before = BEFORE_SNAPSHOT if hop == report.hops[0] else after_snapshot(previous)
    after = after_snapshot(hop)
    rest = (
        f"what remains to fix on the way to {target}"
        if hop != target
        else f"the cluster at {target}, as it is now"
    )
    return (
        Step(f"Every node is Ready and its kubelet reports {hop}.", "kubectl get nodes -o wide"),
        Step(
            "No pod is stuck pending or failing.",
            "kubectl get pods -A --field-selector=status.phase!=Running,status.phase!=Succeeded",
        ),
        Step(
            "No new warning events (failed mounts, image pulls, scheduling).",
            "kubectl get events -A --field-selector type=Warning",
        ),
        Step("The API server reports itself ready.", "kubectl get --raw '/readyz?verbose'"),
        Step(
            f"Snapshot the cluster at {hop} (GET requests only).",
            f"upgradecheck collect -o {after}",
        ),
        Step(
            "Compare it with the snapshot from before this hop: each difference (a node or "
            "workload no longer ready, a new crash loop, a lost volume, a failed Helm "
            "release, a vanished object) is something this hop broke.",
            f"upgradecheck compare {before} {after}",
        ),
        Step(
            f"Assess the new snapshot: {rest}.",
            f"upgradecheck assess {after} --target {target}",
        ),
    )


def _rollback_steps(ctx: Context, hop: str) -> tuple[Step, ...]:
    keep = Step(
        f"Keep the old nodes (or the old node pool) until {hop} is verified; delete them only then."
    )
    back = Step(
        "If workloads fail on the upgraded nodes: cordon those and move the workloads back to "
        "the old nodes.",
        "kubectl cordon NODE",
    )
    if ctx.managed:
        restore = Step(
            f"The {ctx.name} control plane cannot be downgraded: if {hop} fails, restore "
            "the backup into a cluster at the previous version.",
            f"velero restore create --from-backup before-{ctx.report.target_version}",
        )
        return (keep, back, restore)
    return (
        keep,
        back,
        Step(
            f"If the control plane fails at {hop}: stop the API servers and restore the etcd "
            f"snapshot taken before {hop}.",
            f"sudo etcdutl snapshot restore etcd-before-{hop}.db --data-dir /var/lib/etcd-restore",
        ),
        Step(
            "Then restore the static pod manifests saved before the upgrade.",
            f"sudo cp -a /etc/kubernetes.before-{hop}/manifests/. /etc/kubernetes/manifests/",
        ),
    )

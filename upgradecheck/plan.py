"""The phased upgrade plan, built from a Report: what to do, in the order the upgrade needs.

Pure: the same Report always gives the same Plan. Phases: before you start, fix blockers,
review warnings, then for each hop the control plane, add-ons, node pools, verification and
the rollback plan. Commands are real where one exists; UPPERCASE words are placeholders.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from upgradecheck.model import Finding, NodeInfo, Report, Severity
from upgradecheck.versions import VersionError, parse_minor

# Platforms whose control plane (and etcd) the provider runs, with their names.
MANAGED_PLATFORMS = {"eks": "EKS", "gke": "GKE", "aks": "AKS"}
# Rules about an API (group/version) that objects are written in: one fix per API and kind.
API_RULES = frozenset(
    {
        "api-removed",
        "api-deprecated",
        "helm-release-removed-api",
        "addon-api-removed",
        "addon-api-deprecated",
    }
)
CHANGELOG = "https://github.com/kubernetes/kubernetes/tree/master/CHANGELOG"
ETCD_CERTS = (
    "--endpoints=https://127.0.0.1:2379 --cacert=/etc/kubernetes/pki/etcd/ca.crt "
    "--cert=/etc/kubernetes/pki/etcd/server.crt --key=/etc/kubernetes/pki/etcd/server.key"
)
IMAGE_PATH = "-o jsonpath='{.spec.template.spec.containers[0].image}'"
DRAIN = "kubectl drain NODE --ignore-daemonsets --delete-emptydir-data"


@dataclass(frozen=True)
class Step:
    """One action of the plan."""

    text: str
    """What to do, in one sentence."""
    command: str | None = None
    """The command that does or checks it (UPPERCASE words are placeholders), if any."""
    findings: tuple[Finding, ...] = ()
    """The findings this step resolves or checks."""
    severity: Severity | None = None
    """The worst severity among `findings` (None for routine steps)."""
    hop: str | None = None
    """For fixes: the hop it must be done before (None when no hop depends on it)."""


@dataclass(frozen=True)
class Phase:
    """A group of steps done together, in order."""

    key: str
    """A stable identifier, e.g. `fix-blockers` or `control-plane-1.30`."""
    title: str
    """The heading, e.g. `Control plane to 1.30`."""
    hop: str | None
    """The hop this phase belongs to (None for the phases before the first hop)."""
    steps: tuple[Step, ...]
    """The steps, in order."""


@dataclass(frozen=True)
class Plan:
    """The whole plan: phases in the order they must be done."""

    phases: tuple[Phase, ...]
    """Before you start, fix blockers, review warnings, then five phases per hop."""


@dataclass(frozen=True)
class _Context:
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


def build_plan(report: Report) -> Plan:
    """The phased plan for `report`: every hop in order, blockers fixed before they bite."""
    platform = report.cluster.platform if report.cluster is not None else "unknown"
    ctx = _Context(report, platform)
    blockers = [f for f in report.findings if f.severity is Severity.BLOCKER]
    warnings = [f for f in report.findings if f.severity is Severity.WARNING]
    phases = [Phase("before", "Before you start", None, _before_steps(ctx))]
    if blockers:
        phases.append(Phase("fix-blockers", "Fix blockers", None, _fix_steps(blockers, report)))
    if warnings:
        phases.append(
            Phase("review-warnings", "Review warnings", None, _fix_steps(warnings, report))
        )
    previous = ctx.current
    for hop in report.hops:
        phases.extend(_hop_phases(ctx, previous, hop, blockers))
        previous = hop
    return Plan(tuple(phases))


# --- helpers -------------------------------------------------------------------------------


def minor_key(version: str | None) -> tuple[int, int]:
    """A sort key for a minor version string; None and unreadable versions sort first."""
    if version is None:
        return (-1, -1)
    try:
        minor = parse_minor(version)
    except VersionError:
        return (-1, -1)
    return (minor.major, minor.minor)


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


def _api_of(finding: Finding) -> str | None:
    if finding.object is not None:
        return finding.object.api_version
    return finding.evidence[0].api_version if finding.evidence else None


# --- before you start ----------------------------------------------------------------------


def _before_steps(ctx: _Context) -> tuple[Step, ...]:
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
    steps.extend(_backup_steps(ctx))
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


def _backup_steps(ctx: _Context) -> list[Step]:
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


# --- fix blockers, review warnings ---------------------------------------------------------

_FixKey = tuple[tuple[int, int], str, str, str, str, str]


def _fix_key(finding: Finding, hops: Sequence[str]) -> _FixKey:
    due = due_hop(finding.hop, hops)
    if finding.rule not in API_RULES:
        return (minor_key(due), due or "", finding.rule, "", "", "")
    kind = finding.object.kind if finding.object is not None else ""
    return (
        minor_key(due),
        due or "",
        finding.rule,
        _api_of(finding) or "",
        kind,
        finding.replacement or "",
    )


def _fix_steps(findings: Sequence[Finding], report: Report) -> tuple[Step, ...]:
    """One step per distinct fix, in hop order: findings grouped by hop, rule and API."""
    groups: dict[_FixKey, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(_fix_key(finding, report.hops), []).append(finding)
    steps = []
    for key in sorted(groups):
        members = tuple(groups[key])
        text, command = _fix_text(members)
        steps.append(Step(text, command, members, worst(members), key[1] or None))
    return tuple(steps)


def _fix_text(findings: Sequence[Finding]) -> tuple[str, str | None]:
    """What to do about a group of findings of one rule (and one API), and the command."""
    first = findings[0]
    if first.rule in API_RULES:
        return _api_fix(findings)
    describe = _RULE_FIXES.get(first.rule)
    if describe is not None:
        return describe(findings)
    remedies = {f.remediation for f in findings}
    if len(remedies) == 1:
        return first.remediation, None
    return f"Resolve {count(len(findings), f'{first.rule} finding')}.", None


def _api_fix(findings: Sequence[Finding]) -> tuple[str, str | None]:
    first = findings[0]
    api = _api_of(first) or "an old API"
    to = first.replacement
    if first.object is None:
        clients = count(len(findings), "request series", "request series")
        target = f" to {to}" if to else ""
        return (
            f"Find the clients that still request {api} ({clients} seen by the API server) "
            f"and move them{target}.",
            "kubectl get --raw /metrics | grep apiserver_requested_deprecated_apis",
        )
    objects = count(len(findings), f"{first.object.kind} object")
    if first.rule == "helm-release-removed-api":
        releases = sorted({f.subject or "" for f in findings} - {""})
        names = count(len(releases), "Helm release") if releases else "the Helm releases"
        return (
            f"Upgrade {names} that deployed {objects} in {api} to chart versions that use "
            f"{to or 'a served API'}.",
            _mapkubeapis(releases),
        )
    if to is None:
        return f"Remove or replace {objects} in {api} (it has no replacement API).", None
    if first.rule.startswith("addon-"):
        # kubectl convert knows built-in kinds only; the add-on's guide gives its converter.
        return f"Migrate {objects} from {api} to {to} (see the add-on's upgrade guide).", None
    return (
        f"Migrate {objects} from {api} to {to}.",
        f"kubectl convert -f FILE --output-version {to}  # the kubectl-convert plugin",
    )


def _mapkubeapis(releases: Sequence[str]) -> str:
    if len(releases) == 1:
        namespace, _, name = releases[0].removeprefix("helm release ").partition("/")
        if name:
            return f"helm mapkubeapis {shlex.quote(name)} --namespace {shlex.quote(namespace)}"
    return "helm mapkubeapis RELEASE --namespace NAMESPACE"


def _nodes_fix(component: str, command: str) -> Callable[[Sequence[Finding]], tuple[str, str]]:
    def describe(findings: Sequence[Finding]) -> tuple[str, str]:
        hop = findings[0].hop
        at = f" for {hop}" if hop else ""
        # Skew findings are per node pool (or the kube-proxy DaemonSet) and version.
        where = sorted({f.subject or (f.object.display() if f.object else "") for f in findings})
        return (
            f"Upgrade {component} on {', '.join(w for w in where if w)} (outside the version "
            f"skew policy{at}).",
            command,
        )

    return describe


def _kubectl_fix(findings: Sequence[Finding]) -> tuple[str, str]:
    hop = findings[0].hop
    at = f" of {hop}" if hop else " of the cluster"
    return f"Use a kubectl within one minor version{at}.", "kubectl version --client"


def _pdb_fix(findings: Sequence[Finding]) -> tuple[str, str]:
    pdbs = count(len(findings), "PodDisruptionBudget")
    return (
        f"Relax {pdbs} allowing no disruption, or node drains will hang.",
        "kubectl get pdb -A",
    )


def _crd_fix(findings: Sequence[Finding]) -> tuple[str, str]:
    crds = count(len(findings), "CustomResourceDefinition")
    name = "CRD"
    if len(findings) == 1 and findings[0].object is not None:
        name = shlex.quote(findings[0].object.name)
    return (
        f"Migrate the stored objects of {crds} off old versions, then drop those versions "
        "from status.storedVersions.",
        f"kubectl get crd {name} -o jsonpath='{{.status.storedVersions}}'",
    )


def _path_fix(findings: Sequence[Finding]) -> tuple[str, None]:
    return "Upgrade one minor version at a time, completing each hop before the next.", None


_RULE_FIXES: dict[str, Callable[[Sequence[Finding]], tuple[str, str | None]]] = {
    "kubelet-skew": _nodes_fix(
        "the kubelet",
        "kubectl get nodes -o custom-columns=NAME:.metadata.name,"
        "KUBELET:.status.nodeInfo.kubeletVersion",
    ),
    "kube-proxy-skew": _nodes_fix(
        "kube-proxy", f"kubectl -n kube-system get daemonset kube-proxy {IMAGE_PATH}"
    ),
    "kubectl-skew": _kubectl_fix,
    "pdb-blocks-drain": _pdb_fix,
    "crd-stored-version": _crd_fix,
    "upgrade-path": _path_fix,
}


# --- one hop -------------------------------------------------------------------------------


def _hop_phases(ctx: _Context, previous: str, hop: str, blockers: Sequence[Finding]) -> list[Phase]:
    return [
        Phase(
            f"control-plane-{hop}",
            f"Control plane to {hop}",
            hop,
            _control_plane_steps(ctx, previous, hop, blockers),
        ),
        Phase(f"addons-{hop}", f"Add-ons for {hop}", hop, _addon_steps(ctx, hop)),
        Phase(f"nodes-{hop}", f"Node pools to {hop}", hop, _node_steps(ctx, hop)),
        Phase(f"verify-{hop}", f"Verify {hop}", hop, _verify_steps(ctx, hop)),
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
    ctx: _Context, previous: str, hop: str, blockers: Sequence[Finding]
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


def _seen(ctx: _Context, *names: str) -> str:
    """` (seen: v1.8.7 in Deployment kube-system/coredns)` for the add-ons named, or ''."""
    found = [a for a in ctx.report.addons if a.name in names or not names]
    if not found:
        return ""
    return " (seen: " + "; ".join(f"{a.name} {a.version} in {a.workload}" for a in found) + ")"


_CNI = ("Amazon VPC CNI", "Calico", "Cilium", "Flannel", "Weave Net", "Antrea")
_NAMED = ("CoreDNS", "kube-proxy", *_CNI)


def _addon_steps(ctx: _Context, hop: str) -> tuple[Step, ...]:
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
    by_pool: dict[str, list[NodeInfo]] = {}
    for node in sorted(nodes, key=lambda n: (n.pool or "", n.name)):
        by_pool.setdefault(node.pool or "", []).append(node)

    def oldest(item: tuple[str, list[NodeInfo]]) -> tuple[tuple[int, int], str]:
        return (min(minor_key(n.kubelet_version) for n in item[1]), item[0])

    return dict(sorted(by_pool.items(), key=oldest))


def _pool_step(ctx: _Context, hop: str, pool: str, nodes: Sequence[NodeInfo]) -> Step:
    names = ", ".join(n.name for n in nodes[:5]) + (", ..." if len(nodes) > 5 else "")
    kubelets = ", ".join(sorted({n.kubelet_version for n in nodes}))
    label = f"node pool {pool}" if pool else "the nodes with no pool label"
    text = f"Upgrade {label} to {hop}: {count(len(nodes), 'node')} ({names}), kubelet {kubelets}."
    template = _NODE_POOL.get(ctx.platform)
    if template is None:
        return Step(text, "sudo kubeadm upgrade node")
    return Step(text, template.format(pool=shlex.quote(pool) if pool else "POOL", hop=hop))


def _node_steps(ctx: _Context, hop: str) -> tuple[Step, ...]:
    pdbs = tuple(f for f in ctx.report.findings if f.rule == "pdb-blocks-drain")
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


def _verify_steps(ctx: _Context, hop: str) -> tuple[Step, ...]:
    target = ctx.report.target_version
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
            "Run upgradecheck again and compare with baseline.json: a new finding is "
            "something this hop broke.",
            f"upgradecheck plan --target {target} --format json -o after-{hop}.json",
        ),
    )


def _rollback_steps(ctx: _Context, hop: str) -> tuple[Step, ...]:
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

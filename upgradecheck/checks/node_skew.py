"""`kubelet-skew` and `kube-proxy-skew`: nodes whose kubelet or kube-proxy is outside the
version skew policy (from the knowledge base) already, against the control plane as it is
(no hop), or would fall outside it once the control plane moves to a hop, or that run newer
than the control plane. One finding per node pool and version, in the hop it bites, so that
the plan can say which pools to upgrade first."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from upgradecheck.checks.evidence import field_evidence
from upgradecheck.checks.interface import Check, CheckContext
from upgradecheck.checks.rule import Rule, StepWriter
from upgradecheck.checks.skew_policy import (
    allowance,
    governing,
    image_tag,
    judged_minor,
    not_judged,
    oldest_allowed,
    shortened,
    within,
)
from upgradecheck.knowledge.model import SkewRule
from upgradecheck.model import Evidence, EvidenceSource, Finding, NodeInfo, ObjectRef, Severity
from upgradecheck.nodepools import by_pool_and, pool_label
from upgradecheck.shapes import as_str
from upgradecheck.versions import Minor, minor_or_none
from upgradecheck.wording import names, plural
from upgradecheck.workloads import Workloads, containers

APISERVER = "kube-apiserver"


def _plan_step(component: str, command: str) -> StepWriter:
    """Upgrade `component` on the node pools (or the DaemonSet) the findings name."""

    def step(findings: Sequence[Finding]) -> tuple[str, str]:
        hop = findings[0].hop
        at = f" for {hop}" if hop else ""
        where = sorted({f.subject or (f.object.display() if f.object else "") for f in findings})
        return (
            f"Upgrade {component} on {', '.join(w for w in where if w)} (outside the version "
            f"skew policy{at}).",
            command,
        )

    return step


KUBELET_SKEW = Rule(
    id="kubelet-skew",
    title="Kubelet outside the version skew policy",
    what="Nodes whose kubelet is further behind the control plane than the skew policy "
    "allows (n-3 for kubelets 1.25 and later, n-2 before): already, at the current "
    "version (no hop), or once the control plane reaches a hop; or that run a kubelet "
    "newer than the control plane. One finding per node pool and version, in the first "
    "hop it bites (none when it is wrong today).",
    why="A kubelet outside the skew is unsupported: API changes the control plane makes "
    "at the hop can break node registration, pod status updates and volume handling.",
    fix="Upgrade the named node pools first, to at least the version the message gives, "
    "before the control plane moves to the hop; never add nodes newer than the control "
    "plane.",
    source="https://kubernetes.io/releases/version-skew-policy/#kubelet",
    severity=Severity.BLOCKER,
    plan_step=_plan_step(
        "the kubelet",
        "kubectl get nodes -o custom-columns=NAME:.metadata.name,"
        "KUBELET:.status.nodeInfo.kubeletVersion",
    ),
)

KUBE_PROXY_SKEW = Rule(
    id="kube-proxy-skew",
    title="kube-proxy outside the version skew policy",
    what="kube-proxy (the kube-system DaemonSet's image, else each node's reported "
    "version, else its kubelet's) further behind the control plane than the skew policy "
    "allows, now (no hop) or at a hop; newer than the control plane; or too far from its "
    "node's kubelet.",
    why="An unsupported kube-proxy may mis-program Service routing after the control "
    "plane upgrade: traffic to Services breaks cluster-wide.",
    fix="Upgrade kube-proxy (the DaemonSet, or the node pools) to the version the "
    "message gives before the hop.",
    source="https://kubernetes.io/releases/version-skew-policy/#kube-proxy",
    severity=Severity.BLOCKER,
    plan_step=_plan_step(
        "kube-proxy",
        "kubectl -n kube-system get daemonset kube-proxy "
        "-o jsonpath='{.spec.template.spec.containers[0].image}'",
    ),
)

RULE_OF = {"kubelet": KUBELET_SKEW, "kube-proxy": KUBE_PROXY_SKEW}


@dataclass(frozen=True)
class Group:
    """Nodes of one pool running one minor of a component, or a kube-proxy DaemonSet."""

    component: str
    """`kubelet` or `kube-proxy`."""
    version: Minor
    """The component's minor release."""
    label: str
    """Who, for people: `node pool batch`, `DaemonSet kube-system/kube-proxy`."""
    nodes: tuple[NodeInfo, ...] = ()
    """The nodes, for groups read from nodes."""
    obj: ObjectRef | None = None
    """The DaemonSet, for kube-proxy read from its image."""
    evidence: tuple[Evidence, ...] = ()
    """Where the version was read."""

    @property
    def who(self) -> str:
        """`3 nodes of node pool batch (a, b and c)` or the DaemonSet's label."""
        if not self.nodes:
            return self.label
        listed = names(sorted(n.name for n in self.nodes))
        return f"{plural(len(self.nodes), 'node')} of {self.label} ({listed})"

    @property
    def runs(self) -> str:
        """`3 nodes of ... run` or `DaemonSet ... runs`: the subject with its verb."""
        return f"{self.who} {'run' if len(self.nodes) > 1 else 'runs'}"


def node_groups(
    ctx: CheckContext, component: str, nodes: Iterable[NodeInfo], version_of: dict[str, str]
) -> list[Group]:
    """Nodes grouped by (pool, minor of the component), in a stable order. Versions that
    cannot be judged are coverage gaps, one per value, naming its nodes."""
    unjudged: dict[str, list[str]] = {}

    def judged(node: NodeInfo) -> Minor | None:
        value = version_of.get(node.name)
        version = minor_or_none(value)
        if version is not None and version.major == ctx.target.major:
            return version
        if value:
            unjudged.setdefault(value, []).append(node.name)
        return None

    grouped = by_pool_and(nodes, judged)
    for value, unread in unjudged.items():
        listed = names(sorted(unread))
        who = f"node {listed}" if len(unread) == 1 else f"{len(unread)} nodes ({listed})"
        ctx.cannot_judge(who, not_judged(ctx, f"{component} version", value))
    groups = []
    for (pool, version), members in grouped.items():
        evidence = tuple(
            Evidence(EvidenceSource.NODE, n.name, version_of[n.name], component)
            for n in members
        )
        groups.append(
            Group(component, version, pool_label(pool), tuple(members), None, evidence)
        )
    return groups


def kube_proxy_workloads(ctx: CheckContext, workloads: Workloads) -> list[Group]:
    """kube-proxy as deployed in kube-system (a DaemonSet, or its pods), from image tags; a
    tag that cannot be judged is a coverage gap of its workload."""
    groups = []
    for pod in workloads.pod_specs():
        if pod.workload.namespace != "kube-system":
            continue
        for c in containers(pod.spec):
            if c.get("name") != "kube-proxy":
                continue
            image = as_str(c.get("image")) or ""
            where = pod.field("containers[kube-proxy].image")
            what = f"the image tag of {where} ({shortened(image)})"
            version = judged_minor(ctx, image_tag(image), pod.workload.display(), what)
            if version is not None:
                groups.append(
                    Group(
                        "kube-proxy",
                        version,
                        pod.workload.display(),
                        obj=pod.workload,
                        evidence=(field_evidence(pod.workload, where, image),),
                    )
                )
    return groups


def _scope(rule: SkewRule) -> str:
    """`for kube-proxy before 1.25`, `for kubelet 1.25 and later`, or `for kubelet`."""
    text = f"for {rule.component}"
    if rule.component_from is not None:
        text += f" {rule.component_from} and later"
    if rule.component_until is not None:
        text += f" before {rule.component_until}"
    return text


class NodeSkewCheck(Check):
    """Kubelets and kube-proxies against the control plane of each hop."""

    rules = (KUBELET_SKEW, KUBE_PROXY_SKEW)

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        nodes = ctx.snapshot.nodes
        kubelets = node_groups(ctx, "kubelet", nodes, {n.name: n.kubelet_version for n in nodes})
        for group in kubelets:
            yield from self._judge(ctx, group)
        proxies = kube_proxy_workloads(ctx, ctx.workloads)
        if not proxies:
            # Without a kube-proxy DaemonSet in sight, each node's report stands in (the
            # kubelet's version when the node reports none: kube-proxy ships with it).
            reported = {n.name: n.kube_proxy_version or n.kubelet_version for n in nodes}
            proxies = node_groups(ctx, "kube-proxy", nodes, reported)
        for group in proxies:
            yield from self._judge(ctx, group)
        kubelet_of = {n.name: group.version for group in kubelets for n in group.nodes}
        yield from self._proxy_vs_kubelet(ctx, proxies, kubelet_of)

    def _judge(self, ctx: CheckContext, group: Group) -> Iterator[Finding]:
        rule = governing(ctx.kb, group.component, APISERVER, group.version)
        if rule is None:
            return
        if ctx.current is not None:
            # Wrong today first: a component already outside the policy is reported as it
            # is now (no hop), not as if the next hop were what breaks it.
            if group.version > ctx.current:
                yield self._newer(ctx, group, rule)
            elif not within(rule, group.version, ctx.current):
                yield self._behind_now(ctx, group, rule, ctx.current)
            else:
                yield from self._behind_at_hop(ctx, group, rule)
            return
        if any(group.version > hop for hop in ctx.hops):
            yield self._newer(ctx, group, rule)
            return
        yield from self._behind_at_hop(ctx, group, rule)

    def _behind_at_hop(self, ctx: CheckContext, group: Group, rule: SkewRule) -> Iterator[Finding]:
        for hop in ctx.hops:
            if not within(rule, group.version, hop):
                yield self._behind(ctx, group, rule, hop)
                return

    @staticmethod
    def _least(ctx: CheckContext, group: Group, reference: Minor) -> Minor:
        """The oldest version of the component the policy allows against `reference`."""
        v = group.version
        found = oldest_allowed(ctx.kb, group.component, APISERVER, reference, v.next())
        return found or reference.previous()

    def _behind_now(self, ctx: CheckContext, group: Group, rule: SkewRule, now: Minor) -> Finding:
        v, component = group.version, group.component
        lag = now.minus(v)
        message = (
            f"{group.runs} {component} {v} under a control plane at {now}: "
            f"{plural(lag, 'minor')} behind, already outside the version skew policy, which "
            f"allows {allowance(rule)} {_scope(rule)}."
        )
        first = ctx.first_hop
        least = self._least(ctx, group, first or now)
        who = "the kube-proxy DaemonSet" if group.obj else group.label
        before = (
            f" before the control plane moves to {first}" if first else "; it is unsupported now"
        )
        remediation = (
            f"Upgrade {who} now: to {component} {least} or newer (better {now}, the control "
            f"plane's version){before}."
        )
        return self._finding(group, Severity.BLOCKER, message, remediation, None, rule)

    def _behind(self, ctx: CheckContext, group: Group, rule: SkewRule, hop: Minor) -> Finding:
        v, component = group.version, group.component
        lag = hop.minus(v)
        message = (
            f"{group.runs} {component} {v}. Once the control plane is at {hop}, "
            f"{component} {v} is {plural(lag, 'minor')} behind; the skew policy allows "
            f"{allowance(rule)} {_scope(rule)}."
        )
        least = self._least(ctx, group, hop)
        who = "the kube-proxy DaemonSet" if group.obj else group.label
        remediation = (
            f"Upgrade {who} first: to {component} {least} or newer (better "
            f"{hop.previous()}, the control plane's version just before) before the control "
            f"plane moves to {hop}."
        )
        return self._finding(group, Severity.BLOCKER, message, remediation, hop, rule)

    def _newer(self, ctx: CheckContext, group: Group, rule: SkewRule) -> Finding:
        v, component = group.version, group.component
        now = ctx.current or ctx.hops[0]
        message = (
            f"{group.runs} {component} {v}, newer than the control plane at {now}: already "
            f"outside the skew policy, which never allows {component} newer than "
            "kube-apiserver."
        )
        if not ctx.hops:
            remediation = (
                f"Upgrade the control plane to {v} (then these nodes are supported), or "
                f"replace them with nodes at {now}; do not add nodes newer than the control "
                "plane."
            )
            severity = Severity.BLOCKER
        elif v > ctx.target:
            message += f" It is still newer than the target {ctx.target}."
            remediation = (
                f"Replace these nodes with nodes at {ctx.target} (or older within the skew), "
                f"or upgrade to a target of at least {v}."
            )
            severity = Severity.BLOCKER
        else:
            remediation = (
                f"Upgrade the control plane first: at {v} these nodes are supported again. "
                "Until then do not add nodes newer than the control plane."
            )
            severity = Severity.WARNING
        # Newer than the control plane is outside the policy today: no hop makes it so.
        return self._finding(group, severity, message, remediation, None, rule)

    def _proxy_vs_kubelet(
        self, ctx: CheckContext, proxies: Sequence[Group], kubelet_of: Mapping[str, Minor]
    ) -> Iterator[Finding]:
        """kube-proxy too far from the kubelet of its node (a rule that holds at every hop),
        against the kubelets whose versions could be judged."""
        for proxy in proxies:
            rule = governing(ctx.kb, "kube-proxy", "kubelet", proxy.version)
            if rule is None:
                continue
            members = proxy.nodes or ctx.snapshot.nodes
            outside = sorted(
                {
                    str(k)
                    for n in members
                    if (k := kubelet_of.get(n.name)) is not None
                    and not within(rule, proxy.version, k)
                }
            )
            if not outside:
                continue
            message = (
                f"{proxy.runs} kube-proxy {proxy.version} next to kubelets "
                f"{', '.join(outside)}; the skew policy allows kube-proxy {allowance(rule)} "
                f"than the kubelet on its node ({_scope(rule)}): already outside the policy, "
                "whatever the control plane's version."
            )
            remediation = (
                "Bring kube-proxy and the kubelets within the policy on every node before the "
                "upgrade: upgrade the oldest node pools, or pin kube-proxy closer to them."
            )
            yield self._finding(proxy, Severity.BLOCKER, message, remediation, None, rule)

    def _finding(
        self,
        group: Group,
        severity: Severity,
        message: str,
        remediation: str,
        hop: Minor | None,
        rule: SkewRule,
    ) -> Finding:
        return RULE_OF[group.component].finding(
            message,
            remediation,
            severity=severity,
            obj=group.obj,
            subject=None if group.obj else group.label,
            hop=hop,
            evidence=group.evidence,
            link=rule.source,
        )

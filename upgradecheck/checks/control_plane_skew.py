"""`control-plane-skew`: control-plane components in kube-system (kubeadm's static pods, found
by their `component` label, or the deployments of a cloud-controller-manager) whose image
version is out of step with the API server, judged by the knowledge base's skew policy."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from upgradecheck.checks.evidence import field_evidence
from upgradecheck.checks.interface import Check, CheckContext
from upgradecheck.checks.rule import Rule
from upgradecheck.checks.skew_policy import (
    allowance,
    governing,
    image_tag,
    judged_minor,
    shortened,
    within,
)
from upgradecheck.model import Evidence, Finding, ObjectRef, Severity
from upgradecheck.shapes import as_str
from upgradecheck.versions import Minor
from upgradecheck.wording import names, plural
from upgradecheck.workloads import PodSpec, containers, labels_of

CONTROL_PLANE_SKEW = Rule(
    id="control-plane-skew",
    title="Control-plane component out of step with the API server",
    what="kube-apiserver, kube-controller-manager, kube-scheduler or "
    "cloud-controller-manager pods in kube-system (static pods by their `component` "
    "label) whose image is at a different minor than the API server.",
    why="Controllers and the scheduler must never be newer than the API server and may "
    "be at most one minor older; a component already behind falls out of the policy the "
    "moment the API server moves to the next hop. Often a previous upgrade left unfinished.",
    fix="Bring every control-plane component to the API server's version on every "
    "control-plane node before starting the next hop.",
    source="https://kubernetes.io/releases/version-skew-policy/"
    "#kube-controller-manager-kube-scheduler-and-cloud-controller-manager",
    severity=Severity.BLOCKER,
)
COMPONENTS = (
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "cloud-controller-manager",
)
_LABELS = ("component", "k8s-app", "app.kubernetes.io/name")


@dataclass
class _Seen:
    """The workloads running one minor of one component."""

    refs: list[ObjectRef] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


def component_of(pod: PodSpec) -> str | None:
    """Which control-plane component a kube-system pod (template) runs, if any."""
    labels = labels_of(pod.metadata)
    for key in _LABELS:
        if labels.get(key) in COMPONENTS:
            return labels[key]
    for c in containers(pod.spec):
        name = as_str(c.get("name"))
        if name in COMPONENTS:
            return name
    return None


def image_of(pod: PodSpec, component: str) -> tuple[str, str] | None:
    """The image of the component's container (else the first container) and its location."""
    found = containers(pod.spec)
    chosen = next((c for c in found if c.get("name") == component), found[0] if found else None)
    image = as_str(chosen.get("image")) if chosen is not None else None
    if chosen is None or not image:
        return None
    return image, pod.field(f"containers[{chosen.get('name')}].image")


def control_plane(ctx: CheckContext) -> dict[tuple[str, Minor], _Seen]:
    """Control-plane workloads in kube-system by (component, minor of the image)."""
    seen: dict[tuple[str, Minor], _Seen] = {}
    for pod in ctx.workloads.pod_specs():
        if pod.workload.namespace != "kube-system":
            continue
        component = component_of(pod)
        image = image_of(pod, component) if component else None
        if component is None or image is None:
            continue
        what = f"the image tag of {image[1]} ({shortened(image[0])})"
        version = judged_minor(ctx, image_tag(image[0]), pod.workload.display(), what)
        if version is None:
            continue
        entry = seen.setdefault((component, version), _Seen())
        entry.refs.append(pod.workload)
        entry.evidence.append(field_evidence(pod.workload, image[1], image[0]))
    return seen


class ControlPlaneSkewCheck(Check):
    """Control-plane components against the API server's version."""

    rules = (CONTROL_PLANE_SKEW,)

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        if ctx.current is None:
            return
        for (component, version), entry in sorted(control_plane(ctx).items()):
            if version != ctx.current:
                yield from self._judge(ctx, component, version, entry)

    def _judge(
        self, ctx: CheckContext, component: str, version: Minor, entry: _Seen
    ) -> Iterator[Finding]:
        current, first = ctx.current, ctx.first_hop
        rule = governing(ctx.kb, component, "kube-apiserver", version)
        if rule is None or current is None:
            return
        pods = names(sorted(r.name for r in entry.refs))
        message = (
            f"{component} {version} ({plural(len(entry.refs), 'workload')}: {pods}) is out of "
            f"step with the API server at {current}; the skew policy allows {component} "
            f"{allowance(rule)} than kube-apiserver."
        )
        # Outside the policy now is wrong today (no hop); otherwise it is due before the
        # first hop, when there is one.
        hop: Minor | None = first
        if not within(rule, version, current):
            severity, hop = Severity.BLOCKER, None
            message += " It is already outside the policy."
        elif first is not None and not within(rule, version, first):
            severity = Severity.BLOCKER
            message += f" Once kube-apiserver is at {first} it is outside the policy."
        else:
            severity = Severity.WARNING
            message += " A previous control-plane upgrade looks unfinished."
        before = f" before upgrading the API server to {first}" if first else ""
        remediation = (
            f"Bring {component} to {current}, the API server's version, on every control-plane "
            f"node{before}; no control-plane component may be newer than kube-apiserver."
        )
        yield CONTROL_PLANE_SKEW.finding(
            message,
            remediation,
            severity=severity,
            obj=entry.refs[0] if len(entry.refs) == 1 else None,
            subject=None if len(entry.refs) == 1 else component,
            hop=hop,
            evidence=entry.evidence,
            link=rule.source,
        )

"""The fix phases: one step per distinct fix of the blockers (and warnings), each with the
hop it must be done before."""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence

from upgradecheck.model import Finding, Report
from upgradecheck.plan.common import API_RULES, IMAGE_PATH, api_of, count, due_hop, minor_key, worst
from upgradecheck.plan.model import Step

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
        api_of(finding) or "",
        kind,
        finding.replacement or "",
    )


def fix_steps(findings: Sequence[Finding], report: Report) -> tuple[Step, ...]:
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
    api = api_of(first) or "an old API"
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

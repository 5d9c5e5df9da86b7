"""`kubectl-skew` and `helm-client-skew`: local kubectl and helm binaries that do not support
the target or a hop on the way: kubectl by the skew policy of the knowledge base (within one
minor of the API server), helm by Helm's own table of supported Kubernetes minors (also in
the knowledge base)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from upgradecheck.checks.interface import Check, CheckContext
from upgradecheck.checks.rule import Rule
from upgradecheck.checks.skew_policy import allowance, governing, minor_of, within
from upgradecheck.knowledge.model import HelmSupportTable, SkewRule
from upgradecheck.model import ClientBinary, Evidence, EvidenceSource, Finding, Severity
from upgradecheck.versions import Minor


def _kubectl_step(findings: Sequence[Finding]) -> tuple[str, str]:
    hop = findings[0].hop
    at = f" of {hop}" if hop else " of the cluster"
    return f"Use a kubectl within one minor version{at}.", "kubectl version --client"


KUBECTL_SKEW = Rule(
    id="kubectl-skew",
    title="kubectl outside the supported skew",
    what="A local kubectl binary more than one minor away from the target, or from a hop "
    "on the way; the finding names the binary and its path.",
    why="kubectl is supported within one minor of the API server; older clients "
    "mis-handle new fields and removed APIs (e.g. `kubectl apply` or `drain` misbehave "
    "mid-upgrade).",
    fix="Install the kubectl version the remediation names (one that is within one minor "
    "of every hop when such a version exists).",
    source="https://kubernetes.io/releases/version-skew-policy/#kubectl",
    severity=Severity.WARNING,
    plan_step=_kubectl_step,
)

HELM_CLIENT_SKEW = Rule(
    id="helm-client-skew",
    title="Helm client does not support the target",
    what="A local helm binary whose minor release does not support the target or a hop "
    "(Helm 3 and 4 support the Kubernetes minor they were built against and the three "
    "before it), by the table in `deprecations/helm-support.yaml`.",
    why="Helm makes no compatibility promise outside its range; an old helm builds "
    "requests from old client libraries and may fail or mis-render against the new API.",
    fix="Install the Helm release the remediation names before upgrading the cluster.",
    source="https://helm.sh/docs/topics/version_skew/",
    severity=Severity.WARNING,
)


def _evidence(client: ClientBinary) -> Evidence:
    return Evidence(EvidenceSource.CLIENT, client.path, client.version or "", client.name)


def _listed(hops: Iterable[Minor]) -> str:
    return ", ".join(str(h) for h in hops)


def kubectl_versions(rule: SkewRule, hops: tuple[Minor, ...]) -> tuple[Minor, Minor] | None:
    """The range of kubectl minors within `rule` of every hop, or None when none is."""
    low = max(hops).plus(-rule.max_older)
    high = min(hops).plus(rule.max_newer)
    return (low, high) if low <= high else None


def kubectl_advice(rule: SkewRule, ctx: CheckContext) -> str:
    """Which kubectl to install for the whole path, or one per hop when none fits all."""
    fits = kubectl_versions(rule, ctx.hops)
    if fits is None:
        per_hop = ", ".join(f"{h} for the hop to {h}" for h in ctx.hops)
        return f"Use a kubectl matching each hop ({per_hop}); keep kubectl {ctx.target} after."
    low, high = fits
    best = ctx.target if low <= ctx.target <= high else high
    also = f" (any of {low} to {high} works for every hop)" if low != high else ""
    after = "" if best == ctx.target else f"; move to kubectl {ctx.target} at the end"
    return f"Install kubectl {best}{also}{after}."


class ClientSkewCheck(Check):
    """Local client binaries against the target and each hop."""

    rules = (KUBECTL_SKEW, HELM_CLIENT_SKEW)

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        for client in ctx.snapshot.clients:
            if client.name == "kubectl":
                yield from self._kubectl(ctx, client)
            elif client.name == "helm":
                yield from self._helm(ctx, client, ctx.kb.helm_support)

    def _kubectl(self, ctx: CheckContext, client: ClientBinary) -> Iterator[Finding]:
        version = minor_of(client.version)
        if version is None:
            return
        rule = governing(ctx.kb, "kubectl", "kube-apiserver", version)
        if rule is None:
            return
        outside = [h for h in ctx.hops if not within(rule, version, h)]
        if not outside:
            return
        yield KUBECTL_SKEW.finding(
            f"kubectl {version} at {client.path} is outside the supported skew for an API "
            f"server at {_listed(outside)}: kubectl is supported {allowance(rule)} than the "
            "API server it talks to.",
            kubectl_advice(rule, ctx),
            subject=f"kubectl {client.path}",
            hop=outside[0],
            evidence=(_evidence(client),),
            link=rule.source,
        )

    def _helm(
        self, ctx: CheckContext, client: ClientBinary, table: HelmSupportTable
    ) -> Iterator[Finding]:
        version = minor_of(client.version)
        row = table.of(version) if version is not None else None
        if row is None:
            return  # a Helm release the table does not know: no claim either way
        outside = [h for h in ctx.hops if not row.supports(h)]
        if not outside:
            return
        best = table.newest_supporting(*ctx.hops) or table.newest_supporting(ctx.target)
        if best is None:
            remediation = f"Use a Helm release that supports Kubernetes {ctx.target}."
        else:
            remediation = f"Install Helm {best.helm} (it supports Kubernetes {best.range})."
        yield HELM_CLIENT_SKEW.finding(
            f"helm {version} at {client.path} supports Kubernetes {row.range}, not "
            f"{_listed(outside)}: Helm promises no compatibility outside that range, and "
            "`helm upgrade` against a newer cluster may mis-handle its APIs.",
            remediation,
            subject=f"helm {client.path}",
            hop=outside[0],
            evidence=(_evidence(client),),
            link=table.source,
        )

"""`kubectl-skew` and `helm-client-skew`: local kubectl and helm binaries that do not support
the cluster as it is (no hop: wrong today), the target or a hop on the way: kubectl by the
skew policy of the knowledge base (within one minor of the API server), helm by Helm's own
table of supported Kubernetes minors (also in the knowledge base)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from upgradecheck.checks.interface import Check, CheckContext
from upgradecheck.checks.rule import Rule
from upgradecheck.checks.skew_policy import allowance, governing, judged_minor, within
from upgradecheck.knowledge.model import HelmSupportTable, SkewRule
from upgradecheck.model import ClientBinary, Evidence, EvidenceSource, Finding, Severity
from upgradecheck.versions import Minor, minor_or_none


def _kubectl_step(findings: Sequence[Finding]) -> tuple[str, str]:
    hop = findings[0].hop
    at = f" of {hop}" if hop else " of the cluster"
    return f"Use a kubectl within one minor version{at}.", "kubectl version --client"


KUBECTL_SKEW = Rule(
    id="kubectl-skew",
    title="kubectl outside the supported skew",
    what="A local kubectl binary more than one minor away from the API server: already "
    "(no hop), or at the target or a hop on the way; the finding names the binary and "
    "its path.",
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
    what="A local helm binary whose minor release does not support the cluster's current "
    "version (no hop), the target or a hop (Helm 3 and 4 support the Kubernetes minor "
    "they were built against and the three before it), by the table in "
    "`deprecations/helm-support.yaml`.",
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


def kubectl_versions(rule: SkewRule, servers: Sequence[Minor]) -> tuple[Minor, Minor] | None:
    """The range of kubectl minors within `rule` of every API server version in `servers`,
    or None when none is."""
    low = max(servers).plus(-rule.max_older)
    high = min(servers).plus(rule.max_newer)
    return (low, high) if low <= high else None


def servers_ahead(ctx: CheckContext) -> tuple[Minor, ...]:
    """The API server versions a client must work with from now on: each hop, or the
    current version alone when the target is the current version (no hop)."""
    if ctx.hops:
        return ctx.hops
    return (ctx.current,) if ctx.current is not None else (ctx.target,)


def kubectl_advice(rule: SkewRule, ctx: CheckContext) -> str:
    """Which kubectl to install for the whole path, or one per hop when none fits all."""
    servers = servers_ahead(ctx)
    fits = kubectl_versions(rule, servers)
    if fits is None:
        per_hop = ", ".join(f"{h} for the hop to {h}" for h in ctx.hops)
        return f"Use a kubectl matching each hop ({per_hop}); keep kubectl {ctx.target} after."
    low, high = fits
    best = ctx.target if low <= ctx.target <= high else high
    every = "every hop" if ctx.hops else f"the API server at {ctx.target}"
    also = f" (any of {low} to {high} works for {every})" if low != high else ""
    after = "" if best == ctx.target else f"; move to kubectl {ctx.target} at the end"
    return f"Install kubectl {best}{also}{after}."


def _outside_words(now: Minor | None, outside: Sequence[Minor]) -> tuple[str, Minor | None]:
    """`already, for the API server at 1.24 now (and at the hops to 1.25, 1.26)` or `for an
    API server at 1.25`, and the finding's hop: None when the client is already outside
    (wrong today)."""
    if now is None:
        return f"for an API server at {_listed(outside)}", outside[0]
    hops = "hop" if len(outside) == 1 else "hops"
    later = f" (and at the {hops} to {_listed(outside)})" if outside else ""
    return f"already, for the API server at {now} now{later}", None


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
        version = judged_minor(ctx, client.version, f"kubectl {client.path}", "its version")
        if version is None:
            return
        rule = governing(ctx.kb, "kubectl", "kube-apiserver", version)
        if rule is None:
            return
        outside = [h for h in ctx.hops if not within(rule, version, h)]
        now = ctx.current if ctx.current and not within(rule, version, ctx.current) else None
        if not outside and now is None:
            return
        where, hop = _outside_words(now, outside)
        yield KUBECTL_SKEW.finding(
            f"kubectl {version} at {client.path} is outside the supported skew {where}: "
            f"kubectl is supported {allowance(rule)} than the API server it talks to.",
            kubectl_advice(rule, ctx),
            subject=f"kubectl {client.path}",
            hop=hop,
            evidence=(_evidence(client),),
            link=rule.source,
        )

    def _helm(
        self, ctx: CheckContext, client: ClientBinary, table: HelmSupportTable
    ) -> Iterator[Finding]:
        version = minor_or_none(client.version)
        row = table.of(version) if version is not None else None
        if row is None:
            return  # a Helm release the table does not know: no claim either way
        outside = [h for h in ctx.hops if not row.supports(h)]
        now = ctx.current if ctx.current and not row.supports(ctx.current) else None
        if not outside and now is None:
            return
        servers = servers_ahead(ctx)
        best = table.newest_supporting(*servers) or table.newest_supporting(ctx.target)
        if best is None:
            remediation = f"Use a Helm release that supports Kubernetes {ctx.target}."
        else:
            remediation = f"Install Helm {best.helm} (it supports Kubernetes {best.range})."
        if now is not None:
            later = f" (nor {_listed(outside)}, the hops ahead)" if outside else ""
            what = f"not the cluster's {now}: already outside its support{later}"
        else:
            what = f"not {_listed(outside)}"
        yield HELM_CLIENT_SKEW.finding(
            f"helm {version} at {client.path} supports Kubernetes {row.range}, {what}. Helm "
            "promises no compatibility outside that range, and `helm upgrade` against such "
            "a cluster may mis-handle its APIs.",
            remediation,
            subject=f"helm {client.path}",
            hop=outside[0] if now is None else None,
            evidence=(_evidence(client),),
            link=table.source,
        )

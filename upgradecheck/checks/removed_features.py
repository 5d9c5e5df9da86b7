"""`removed-feature`: removed or changed behaviour that is not an API version (dockershim,
PodSecurityPolicy, in-tree volume plugins and cloud providers, seccomp annotations, gitRepo
volumes, kube-proxy modes, ...), found by the detectors of each knowledge-base removal and
gated by hop: breaking at or before the target, the removal's own severity in the hop it
breaks in (no hop when the current version already broke it: wrong today); breaking
later, or with no date yet, info.

One rule id covers the family; the removal's own id leads the message (`[dockershim] ...`)
and its dates fill the finding's `deprecated_in` and `removed_in`. A removal seen in more
than MAX_PLACES places (every pod of a PodSecurityPolicy cluster carries `kubernetes.io/psp`)
becomes one finding that counts and lists them, not one per place."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator

from upgradecheck.checks.feature_detectors import DETECTORS, Hit, Scene
from upgradecheck.checks.interface import Check, CheckContext
from upgradecheck.checks.rule import Rule
from upgradecheck.checks.usage import left_out
from upgradecheck.knowledge.model import Removal
from upgradecheck.model import Finding, ObservedObject, Severity
from upgradecheck.versions import Minor
from upgradecheck.wording import names, plural

MAX_PLACES = 10

REMOVED_FEATURE = Rule(
    id="removed-feature",
    title="Removed or changed behaviour in use",
    what="A removal from the knowledge base (`deprecations/removals.yaml`: dockershim, "
    "PodSecurityPolicy, in-tree volume plugins and cloud providers, seccomp and AppArmor "
    "annotations, gitRepo volumes, kube-proxy modes, removed flags, ...) seen in the "
    "snapshot by its detectors: node runtimes and OS images, objects of a kind, pod "
    "volumes and annotations (pods and pod templates), PersistentVolumes, StorageClass "
    "provisioners, the kube-proxy ConfigMap, control-plane command lines, and request "
    "metrics. One rule id for the family: the message starts with the removal's own id "
    "(`[dockershim]`), and `deprecated_in`/`removed_in` carry its dates. Severity is the "
    "removal's own when it breaks at or before the target (in the hop it breaks in), "
    "info when it breaks later or has no date. Removals detectable only by hand are not "
    "findings: the plan shows them as checklist steps.",
    why="Unlike a removed API, these do not fail at `kubectl apply`: nodes fail to come "
    "up, volumes fail to mount, components refuse to start, or security settings are "
    "silently ignored after the upgrade.",
    fix="Follow the removal's remediation before the hop it breaks in; the link is the "
    "removal's own source.",
    source="https://kubernetes.io/docs/reference/using-api/deprecation-policy/"
    "#deprecating-a-feature-or-behavior",
    severity=Severity.BLOCKER,
)


def gate(removal: Removal, ctx: CheckContext) -> tuple[Severity, Minor | None, str]:
    """The severity, the hop and a sentence on timing for a removal seen in the snapshot."""
    breaks = removal.breaks_in
    if breaks is None:
        return Severity.INFO, None, "No Kubernetes release breaks it yet."
    if breaks > ctx.target:
        return Severity.INFO, None, f"It breaks in {breaks}, after the target {ctx.target}."
    hop = ctx.hop_for(breaks)
    if hop is None:
        return (
            Severity(removal.severity),
            None,
            f"Already broken: Kubernetes {breaks} removed it, and the cluster is at {ctx.current}.",
        )
    return Severity(removal.severity), hop, f"It breaks in {breaks}."


def hits_of(removal: Removal, scene: Scene) -> list[Hit]:
    """Every place the removal's detectors see it, one hit per place (evidence merged)."""
    merged: dict[tuple[str, ...], Hit] = {}
    for detector in removal.detect:
        for hit in DETECTORS[detector.type](detector.params, scene):
            seen = merged.get(hit.key)
            if seen is None:
                merged[hit.key] = hit
            else:
                evidence = seen.evidence + tuple(e for e in hit.evidence if e not in seen.evidence)
                merged[hit.key] = dataclasses.replace(seen, evidence=evidence)
    return list(merged.values())


class RemovedFeatureCheck(Check):
    """Every knowledge-base removal whose detectors fire on the snapshot."""

    rules = (REMOVED_FEATURE,)

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        scene = Scene(ctx.snapshot, ctx.workloads, _left_out_of(ctx))
        for removal in ctx.kb.removals:
            yield from self._removal(ctx, removal, scene)

    def _removal(self, ctx: CheckContext, removal: Removal, scene: Scene) -> Iterator[Finding]:
        hits = hits_of(removal, scene)
        if len(hits) > MAX_PLACES:
            hits = [collapse(hits)]
        severity, hop, timing = gate(removal, ctx)
        for hit in hits:
            yield REMOVED_FEATURE.finding(
                f"[{removal.id}] {removal.title}: {hit.where}. {removal.what_breaks} {timing}",
                removal.remediation,
                severity=severity,
                obj=hit.obj,
                subject=hit.subject,
                hop=hop,
                evidence=hit.evidence,
                link=removal.source,
                deprecated_in=removal.deprecated_in,
                removed_in=removal.breaks_in,
                data_source=removal.origin,
            )


def _left_out_of(ctx: CheckContext) -> Callable[[ObservedObject], bool]:
    """Objects of chart branches that neither the target nor the current version renders
    (their conditions on `.Capabilities` pick another version): no cluster on the way has
    them, so they use no removed feature. The `api-*` rules still show their apiVersion."""
    versions = [ctx.target] if ctx.current is None else [ctx.target, ctx.current]
    return lambda obj: all(left_out(obj.evidence, v) for v in versions)


def collapse(hits: list[Hit]) -> Hit:
    """Many places as one hit: counted, the first named, one piece of evidence each."""
    shown = sorted(hits, key=lambda h: h.where)
    return Hit(
        key=("many",),
        where=f"{plural(len(hits), 'place')}: {names([h.where for h in shown])}",
        evidence=tuple(h.evidence[0] for h in shown if h.evidence),
        subject=plural(len(hits), "place"),
    )

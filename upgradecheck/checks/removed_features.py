"""`removed-feature`: removed or changed behaviour that is not an API version (dockershim,
PodSecurityPolicy, in-tree volume plugins and cloud providers, seccomp annotations, gitRepo
volumes, kube-proxy modes, ...), found by the detectors of each knowledge-base removal and
gated by hop: breaking at or before the target, the removal's own severity in the hop it
breaks in; breaking later, or with no date yet, info.

One rule id covers the family; the removal's own id leads the message (`[dockershim] ...`)
and its dates fill the finding's `deprecated_in` and `removed_in`. A removal seen in more
than MAX_PLACES places (every pod of a PodSecurityPolicy cluster carries `kubernetes.io/psp`)
becomes one finding that counts and lists them, not one per place."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator

from upgradecheck.checks.feature_detectors import DETECTORS, Hit, Scene
from upgradecheck.checks.findings import finding
from upgradecheck.checks.interface import Check, CheckContext
from upgradecheck.knowledge.model import Removal
from upgradecheck.model import Finding, Severity
from upgradecheck.versions import Minor
from upgradecheck.wording import names, plural

RULE = "removed-feature"
MAX_PLACES = 10


def gate(removal: Removal, ctx: CheckContext) -> tuple[Severity, Minor | None, str]:
    """The severity, the hop and a sentence on timing for a removal seen in the snapshot."""
    breaks = removal.breaks_in
    if breaks is None:
        return Severity.INFO, None, "No Kubernetes release breaks it yet."
    if breaks > ctx.target:
        return Severity.INFO, None, f"It breaks in {breaks}, after the target {ctx.target}."
    hop = ctx.hop_for(breaks)
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

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        scene = Scene(ctx.snapshot, ctx.workloads)
        for removal in ctx.kb.removals:
            yield from self._removal(ctx, removal, scene)

    def _removal(self, ctx: CheckContext, removal: Removal, scene: Scene) -> Iterator[Finding]:
        hits = hits_of(removal, scene)
        if len(hits) > MAX_PLACES:
            hits = [collapse(hits)]
        severity, hop, timing = gate(removal, ctx)
        for hit in hits:
            found = finding(
                RULE,
                severity,
                f"[{removal.id}] {removal.title}: {hit.where}. {removal.what_breaks} {timing}",
                removal.remediation,
                obj=hit.obj,
                subject=hit.subject,
                hop=hop,
                evidence=hit.evidence,
                link=removal.source,
            )
            yield dataclasses.replace(
                found,
                deprecated_in=str(removal.deprecated_in) if removal.deprecated_in else None,
                removed_in=str(removal.breaks_in) if removal.breaks_in else None,
            )


def collapse(hits: list[Hit]) -> Hit:
    """Many places as one hit: counted, the first named, one piece of evidence each."""
    shown = sorted(hits, key=lambda h: h.where)
    return Hit(
        key=("many",),
        where=f"{plural(len(hits), 'place')}: {names([h.where for h in shown])}",
        evidence=tuple(h.evidence[0] for h in shown if h.evidence),
        subject=plural(len(hits), "place"),
    )

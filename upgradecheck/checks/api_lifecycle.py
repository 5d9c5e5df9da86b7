"""`api-removed` and `api-deprecated`: objects written, and APIs requested, in built-in
group/versions that the target no longer serves or has deprecated."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from upgradecheck.checks.freshness import Judgement, judge_removed
from upgradecheck.checks.interface import Check, CheckContext
from upgradecheck.checks.replacement import Migration, migration_text, plan_migration
from upgradecheck.knowledge.model import ApiLifecycle
from upgradecheck.model import Evidence, EvidenceSource, Finding, ObjectRef, Severity
from upgradecheck.versions import Minor

REMOVED = "api-removed"
DEPRECATED = "api-deprecated"


def classify(entry: ApiLifecycle, ctx: CheckContext) -> tuple[str, Severity, Minor | None] | None:
    """The rule, severity and hop of using `entry` when upgrading to the target, if any."""
    removed, deprecated = entry.removed_in, entry.deprecated_in
    if removed is not None and removed <= ctx.target:
        return REMOVED, Severity.BLOCKER, ctx.hop_for(removed)
    if deprecated is not None and deprecated <= ctx.target:
        # Deprecated with a removal date: act soon. Deprecated for good (Endpoints): know it.
        severity = Severity.WARNING if removed is not None else Severity.INFO
        return DEPRECATED, severity, ctx.hop_for(deprecated)
    if deprecated is not None or removed is not None:
        return DEPRECATED, Severity.INFO, None  # comes after the target: what is next
    return None


def describe(
    entry: ApiLifecycle, ctx: CheckContext, rule: str, migration: Migration, hop: Minor | None
) -> tuple[str, str]:
    """The message and remediation for a use of `entry`."""
    name = f"{entry.kind} {entry.api_version}"
    if rule == REMOVED:
        removed = entry.removed_in
        when = f"is not served from Kubernetes {removed}"
        if ctx.current is not None and removed is not None and removed <= ctx.current:
            when = f"has not been served since {removed}, before the current {ctx.current}"
        message = f"{name} {when}."
    elif entry.deprecated_in is not None and entry.deprecated_in <= ctx.target:
        later = f"; removed in {entry.removed_in}" if entry.removed_in else "; no removal planned"
        message = f"{name} is deprecated since {entry.deprecated_in}{later}."
    else:
        parts = [f"deprecated in {entry.deprecated_in}"] if entry.deprecated_in else []
        if entry.removed_in:
            parts.append(f"removed in {entry.removed_in}")
        message = f"{name} is {' and '.join(parts)}, after the target {ctx.target}."
    if migration.target is None and entry.note:
        return message, entry.note  # the note says what to do instead
    fix = migration_text(entry, migration, hop)
    return message, f"{fix} {entry.note}" if entry.note else fix


def _weigh(finding: Finding, judgement: Judgement) -> Finding:
    """Apply the evidence's weight: severity, rule, and the reason in the message."""
    return replace(
        finding,
        rule=judgement.rule,
        severity=judgement.severity,
        message=f"{finding.message} {judgement.why}".strip(),
        remediation=judgement.remediation or finding.remediation,
    )


def _request_detail(count: int | None, removed_release: str | None) -> str:
    parts = []
    if count is not None:
        parts.append(f"{count} requests since the API server started")
    if removed_release:
        parts.append(f"removed_release={removed_release}")
    return "; ".join(parts)


class ApiLifecycleCheck(Check):
    """Built-in API removals and deprecations, from object evidence and request metrics."""

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        yield from self._objects(ctx)
        yield from self._requests(ctx)

    def _finding(
        self,
        entry: ApiLifecycle,
        ctx: CheckContext,
        evidence: tuple[Evidence, ...],
        obj: ObjectRef | None,
        subject: str | None = None,
    ) -> Finding | None:
        verdict = classify(entry, ctx)
        if verdict is None:
            return None
        rule, severity, hop = verdict
        migration = plan_migration(entry, ctx)
        message, fix = describe(entry, ctx, rule, migration, hop)
        return Finding(
            rule=rule,
            severity=severity,
            message=message,
            remediation=fix,
            hop=str(hop) if hop is not None else None,
            object=obj,
            evidence=evidence,
            link=entry.source,
            replacement=migration.target,
            deprecated_in=str(entry.deprecated_in) if entry.deprecated_in else None,
            removed_in=str(entry.removed_in) if entry.removed_in else None,
            subject=subject,
        )

    def _objects(self, ctx: CheckContext) -> Iterator[Finding]:
        for usage in ctx.usages:
            entry = ctx.kb.api(usage.api_version, usage.object.kind)
            if entry is None:
                continue
            shown = ObjectRef(
                usage.api_version, usage.object.kind, usage.object.namespace, usage.object.name
            )
            finding = self._finding(entry, ctx, usage.evidence, shown)
            if finding is not None and finding.rule == REMOVED:
                finding = _weigh(finding, judge_removed(usage, ctx.snapshot.collected_at))
            if finding is not None:
                yield finding

    def _requests(self, ctx: CheckContext) -> Iterator[Finding]:
        by_resource = {(a.group, a.version, a.resource): a for a in ctx.kb.apis if not a.list_kind}
        for req in ctx.snapshot.api_requests:
            entry = by_resource.get((req.group, req.version, req.resource))
            if entry is None:
                continue
            resource = f"{req.resource}/{req.subresource}" if req.subresource else req.resource
            api_version = f"{req.group}/{req.version}" if req.group else req.version
            evidence = Evidence(
                source=EvidenceSource.APISERVER_METRICS,
                location=f"apiserver_requested_deprecated_apis {api_version} {resource}",
                api_version=api_version,
                detail=_request_detail(req.count, req.removed_release),
            )
            finding = self._finding(
                entry, ctx, (evidence,), None, subject=f"requests to {api_version} {resource}"
            )
            if finding is not None:
                yield finding

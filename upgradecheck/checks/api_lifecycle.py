"""`api-removed` and `api-deprecated`: objects written, and APIs requested, in built-in
group/versions that the target no longer serves or has deprecated; `stale-last-applied` when
only a leftover last-applied annotation shows the removed version. A chart's template branch
that the chart itself leaves out at the target (its condition on `.Capabilities` picks
another version there) is shown as info, not held against the target."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from upgradecheck.checks.freshness import judge_removed
from upgradecheck.checks.interface import Check, CheckContext
from upgradecheck.checks.replacement import Migration, migration_text, plan_migration
from upgradecheck.checks.rule import Rule
from upgradecheck.checks.usage import Usage, left_out_at
from upgradecheck.knowledge.model import ApiLifecycle
from upgradecheck.model import (
    ConfigUse,
    Evidence,
    EvidenceSource,
    Finding,
    ObjectRef,
    Severity,
)
from upgradecheck.versions import Minor

DEPRECATION_GUIDE = "https://kubernetes.io/docs/reference/using-api/deprecation-guide/"

API_REMOVED = Rule(
    id="api-removed",
    title="API no longer served at the target",
    what="An object is written, applied or requested through a group/version that the "
    "target release (or a hop on the way) no longer serves.",
    why="After the control plane moves past the removal, every create, update and apply "
    "through the old version fails: CI pipelines, operators and `helm upgrade` break, "
    "although the stored objects themselves survive.",
    fix="Rewrite the manifests (and the clients that write them) to the replacement "
    "version before the hop, applying the migration notes; `kubectl convert` helps.",
    source=DEPRECATION_GUIDE,
    severity=Severity.BLOCKER,
    about_api=True,
)

STALE_LAST_APPLIED = Rule(
    id="stale-last-applied",
    title="Stale last-applied annotation in a removed API",
    what="An object's kubectl.kubernetes.io/last-applied-configuration names an apiVersion "
    "the target no longer serves, but every current field manager writes a served "
    "version and no kubectl manager uses the annotation's version.",
    why="The object was migrated; the annotation is a leftover. It is not a blocker, but "
    "the next `kubectl apply` computes its three-way patch from that stale base.",
    fix="Re-apply the manifest in a served version, or remove the annotation.",
    source="https://kubernetes.io/docs/tasks/manage-kubernetes-objects/declarative-config/",
    severity=Severity.WARNING,
)

API_DEPRECATED = Rule(
    id="api-deprecated",
    title="Deprecated API still in use",
    what="An object is written through a group/version that is deprecated at the target; "
    "as info, APIs whose deprecation or removal comes after the target.",
    why="Deprecated APIs are removed in a later release; migrating now keeps the next "
    "upgrade from being blocked.",
    fix="Move to the replacement version at the next change of the manifests.",
    source=DEPRECATION_GUIDE,
    severity=Severity.WARNING,
    about_api=True,
)


def classify(entry: ApiLifecycle, ctx: CheckContext) -> tuple[Rule, Severity, Minor | None] | None:
    """The rule, severity and hop of using `entry` when upgrading to the target, if any."""
    removed, deprecated = entry.removed_in, entry.deprecated_in
    if removed is not None and removed <= ctx.target:
        return API_REMOVED, Severity.BLOCKER, ctx.hop_for(removed)
    if deprecated is not None and deprecated <= ctx.target:
        # Deprecated with a removal date: act soon. Deprecated for good (Endpoints): know it.
        severity = Severity.WARNING if removed is not None else Severity.INFO
        return API_DEPRECATED, severity, ctx.hop_for(deprecated)
    if deprecated is not None or removed is not None:
        return API_DEPRECATED, Severity.INFO, None  # comes after the target: what is next
    return None


def describe(
    entry: ApiLifecycle, ctx: CheckContext, rule: Rule, migration: Migration, hop: Minor | None
) -> tuple[str, str]:
    """The message and remediation for a use of `entry`."""
    name = f"{entry.kind} {entry.api_version}"
    if entry.config is not None:
        name += f" ({_config_use(entry.config)})"
    if rule is API_REMOVED and entry.config is not None:
        message = _config_removed(entry, entry.config, ctx)
    elif rule is API_REMOVED:
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


def _config_use(config: ConfigUse) -> str:
    """`the file kube-apiserver reads through --audit-policy-file`."""
    flags = " / ".join(config.flags)
    if config.use == "reads":
        return f"the file {config.component} reads through {flags}"
    return f"the format {config.component} writes when {flags} ask for it"


def _config_removed(entry: ApiLifecycle, config: ConfigUse, ctx: CheckContext) -> str:
    """What breaks when a component drops a version of a file it reads or a format it writes
    (never a served API: "not served" would say nothing)."""
    flags = " / ".join(config.flags)
    component, removed = config.component, entry.removed_in
    if config.use == "reads":
        what = f"a configuration file {component} reads at start ({flags})"
        breaks = f"{component} {removed} refuses to start with a file in this version"
    else:
        what = f"the format {component} writes when {flags} ask for it"
        breaks = (
            f"{component} {removed} no longer writes it and refuses to start when these "
            "flags name this version"
        )
    if ctx.current is not None and removed is not None and removed <= ctx.current:
        breaks += f" (already so at the current {ctx.current})"
    return f"{entry.kind} {entry.api_version} is {what}, not a served API: {breaks}."


def _left_out(
    usage: Usage, rule: Rule, ctx: CheckContext, message: str
) -> tuple[Severity, str, str]:
    """A use only in chart branches that the target does not render: info. With a current
    version that does render it, an upgrade that crosses the removal is a warning: a release
    installed today holds the old version until `helm upgrade` renders it again."""
    target = ctx.target
    message += (f" The chart writes it only for other Kubernetes versions, not for {target} "
                "(its condition on the cluster picks another version there; see the evidence).")
    if rule is API_REMOVED and ctx.current is not None and not left_out_at(usage, ctx.current):
        message += (f" At the current {ctx.current} it still does: a release installed now "
                    f"holds {usage.api_version}.")
        return Severity.WARNING, message, (
            f"Before the hop that removes {usage.api_version}, run `helm upgrade` on a "
            "version the chart renders the new API for, so that the release's stored "
            f"manifest no longer names {usage.api_version}; or `helm mapkubeapis` after.")
    return Severity.INFO, message, (
        f"Nothing to change for {target}: the chart already writes another version there. "
        "The branch can go once the chart no longer supports the versions that take it.")


def _request_detail(count: int | None, removed_release: str | None) -> str:
    parts = []
    if count is not None:
        parts.append(f"{count} requests since the API server started")
    if removed_release:
        parts.append(f"removed_release={removed_release}")
    return "; ".join(parts)


class _Judged(NamedTuple):
    rule: Rule
    severity: Severity
    hop: Minor | None
    migration: Migration
    message: str
    fix: str


class ApiLifecycleCheck(Check):
    """Built-in API removals and deprecations, from object evidence and request metrics."""

    rules = (API_REMOVED, STALE_LAST_APPLIED, API_DEPRECATED)

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        self._judged: dict[int, _Judged | None] = {}
        yield from self._objects(ctx)
        yield from self._requests(ctx)

    def _judge(self, entry: ApiLifecycle, ctx: CheckContext) -> _Judged | None:
        """What using `entry` means at the target, worked out once per entry (thousands of
        objects may use one)."""
        key = id(entry)
        if key not in self._judged:
            verdict = classify(entry, ctx)
            if verdict is None:
                self._judged[key] = None
            else:
                rule, severity, hop = verdict
                migration = plan_migration(entry, ctx)
                message, fix = describe(entry, ctx, rule, migration, hop)
                self._judged[key] = _Judged(rule, severity, hop, migration, message, fix)
        return self._judged[key]

    def _finding(
        self,
        entry: ApiLifecycle,
        ctx: CheckContext,
        evidence: tuple[Evidence, ...],
        obj: ObjectRef | None,
        subject: str | None = None,
        usage: Usage | None = None,
    ) -> Finding | None:
        judged = self._judge(entry, ctx)
        if judged is None:
            return None
        rule, severity, hop, migration, message, fix = judged
        if rule is API_REMOVED and usage is not None:
            # How the object was written decides how much its use of a removed API weighs.
            judgement = judge_removed(usage, ctx.snapshot.collected_at)
            rule = STALE_LAST_APPLIED if judgement.stale else API_REMOVED
            severity = judgement.severity
            message = f"{message} {judgement.why}".strip()
            fix = judgement.remediation or fix
        if usage is not None and severity is not Severity.INFO and left_out_at(usage, ctx.target):
            severity, message, fix = _left_out(usage, rule, ctx, message)
        return rule.finding(
            message,
            fix,
            severity=severity,
            obj=obj,
            subject=subject,
            hop=hop,
            evidence=evidence,
            link=entry.source,
            replacement=migration.target,
            replacement_since=migration.since,
            replacement_kind=migration.kind,
            data_source=entry.origin,
            deprecated_in=entry.deprecated_in,
            removed_in=entry.removed_in,
            evidence_cap=None,
            config=entry.config,
        )

    def _objects(self, ctx: CheckContext) -> Iterator[Finding]:
        for usage in ctx.usages:
            entry = ctx.kb.api(usage.api_version, usage.object.kind)
            if entry is None:
                continue
            shown = ObjectRef(
                usage.api_version, usage.object.kind, usage.object.namespace, usage.object.name
            )
            finding = self._finding(entry, ctx, usage.evidence, shown, usage=usage)
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

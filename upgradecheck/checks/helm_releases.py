"""`helm-release-removed-api`: a deployed Helm release whose stored manifest holds an API the
target no longer serves; the next `helm upgrade` of it fails after the cluster upgrade (or
already fails, when the current version no longer serves it)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from upgradecheck.checks.api_lifecycle import API_REMOVED, classify
from upgradecheck.checks.interface import Check, CheckContext
from upgradecheck.checks.replacement import plan_migration
from upgradecheck.checks.rule import Rule
from upgradecheck.knowledge.model import ApiLifecycle
from upgradecheck.model import (
    Evidence,
    EvidenceSource,
    Finding,
    HelmRelease,
    ObjectRef,
    Severity,
)
from upgradecheck.versions import Minor

HELM_RELEASE_REMOVED_API = Rule(
    id="helm-release-removed-api",
    title="Helm release deployed with a removed API",
    what="The manifest Helm stored for a deployed release holds an object in a "
    "group/version that the target no longer serves.",
    why="Helm compares the new chart against the stored manifest; after the cluster "
    "upgrade it cannot map the old kinds and `helm upgrade` or rollback fails.",
    fix="Upgrade the release to a chart using served APIs before the hop; after the "
    "fact, rewrite the release record with the helm-mapkubeapis plugin.",
    source="https://helm.sh/docs/topics/kubernetes_apis/",
    severity=Severity.BLOCKER,
    about_api=True,
)


def current_releases(releases: Iterable[HelmRelease]) -> Iterator[HelmRelease]:
    """The revision of each release that `helm upgrade` starts from: its newest deployed one."""
    newest: dict[tuple[str, str], HelmRelease] = {}
    for rel in releases:
        if rel.status != "deployed":
            continue
        key = (rel.namespace, rel.name)
        if key not in newest or rel.revision > newest[key].revision:
            newest[key] = rel
    yield from sorted(newest.values(), key=lambda r: (r.namespace, r.name))


def _words(
    rel: HelmRelease,
    obj: ObjectRef,
    entry: ApiLifecycle,
    replacement: str | None,
    hop: Minor | None,
    ctx: CheckContext,
) -> tuple[str, str]:
    """The message and remediation: before the removal, upgrade the chart; once the cluster
    is past it (no hop: already the case today), `helm upgrade` already fails, so the
    stored record must be rewritten first."""
    served = replacement or "a served API"
    what = (
        f"Helm release {rel.namespace}/{rel.name} (chart {rel.chart} {rel.chart_version}, "
        f"revision {rel.revision}) was deployed with {obj.kind} {obj.api_version}"
    )
    mapkubeapis = f"`helm mapkubeapis {rel.name} --namespace {rel.namespace}`"
    if hop is None and ctx.current is not None:
        return (
            f"{what}, which Kubernetes has not served since {entry.removed_in}: the cluster "
            f"is at {ctx.current}, so the next `helm upgrade` or rollback of it already fails.",
            "Rewrite the stored release record with the helm mapkubeapis plugin "
            f"({mapkubeapis}), then upgrade the release to a chart version that uses {served}.",
        )
    return (
        f"{what}, which Kubernetes {entry.removed_in} no longer serves: its next "
        "`helm upgrade` or rollback fails.",
        f"Before the hop, upgrade the release to a chart version that uses {served}; if the "
        "cluster is already upgraded, rewrite the stored release record with the helm "
        f"mapkubeapis plugin ({mapkubeapis}), then upgrade the chart.",
    )


class HelmReleaseCheck(Check):
    """Removed APIs in the manifests Helm has stored for its deployed releases."""

    rules = (HELM_RELEASE_REMOVED_API,)

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        for rel in current_releases(ctx.snapshot.helm_releases):
            where = f"release {rel.namespace}/{rel.name} rev {rel.revision}"
            for obj in rel.objects:
                entry = ctx.kb.api(obj.api_version, obj.kind)
                verdict = classify(entry, ctx) if entry is not None else None
                if entry is None or verdict is None or verdict[0] is not API_REMOVED:
                    continue
                _, _, hop = verdict
                migration = plan_migration(entry, ctx)
                message, remediation = _words(rel, obj, entry, migration.target, hop, ctx)
                yield HELM_RELEASE_REMOVED_API.finding(
                    message,
                    remediation,
                    hop=hop,
                    obj=obj,
                    evidence=(
                        Evidence(
                            source=EvidenceSource.HELM_RELEASE,
                            location=where,
                            api_version=obj.api_version,
                            detail=f"chart {rel.chart}-{rel.chart_version}, status {rel.status}",
                            time=rel.last_deployed,
                        ),
                    ),
                    replacement=migration.target,
                    replacement_since=migration.since,
                    replacement_kind=migration.kind,
                    data_source=entry.origin,
                    deprecated_in=entry.deprecated_in,
                    removed_in=entry.removed_in,
                    subject=f"helm release {rel.namespace}/{rel.name}",
                )

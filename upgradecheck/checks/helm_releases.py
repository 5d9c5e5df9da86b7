"""`helm-release-removed-api`: a deployed Helm release whose stored manifest holds an API the
target no longer serves; the next `helm upgrade` of it fails after the cluster upgrade."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from upgradecheck.checks.api_lifecycle import REMOVED, classify
from upgradecheck.checks.interface import Check, CheckContext
from upgradecheck.checks.replacement import plan_migration
from upgradecheck.model import Evidence, EvidenceSource, Finding, HelmRelease, Severity

HELM_APIS_DOC = "https://helm.sh/docs/topics/kubernetes_apis/"


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


class HelmReleaseCheck(Check):
    """Removed APIs in the manifests Helm has stored for its deployed releases."""

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        for rel in current_releases(ctx.snapshot.helm_releases):
            where = f"release {rel.namespace}/{rel.name} rev {rel.revision}"
            for obj in rel.objects:
                entry = ctx.kb.api(obj.api_version, obj.kind)
                verdict = classify(entry, ctx) if entry is not None else None
                if entry is None or verdict is None or verdict[0] != REMOVED:
                    continue
                _, _, hop = verdict
                migration = plan_migration(entry, ctx)
                served = migration.target or "a served API"
                yield Finding(
                    rule="helm-release-removed-api",
                    severity=Severity.BLOCKER,
                    message=(
                        f"Helm release {rel.namespace}/{rel.name} (chart {rel.chart} "
                        f"{rel.chart_version}, revision {rel.revision}) was deployed with "
                        f"{obj.kind} {obj.api_version}, which Kubernetes {entry.removed_in} "
                        "no longer serves: its next `helm upgrade` or rollback fails."
                    ),
                    remediation=(
                        f"Before the hop, upgrade the release to a chart version that uses "
                        f"{served}; if the cluster is already "
                        "upgraded, rewrite the stored release record with the helm "
                        "mapkubeapis plugin (`helm mapkubeapis "
                        f"{rel.name} --namespace {rel.namespace}`), then upgrade the chart."
                    ),
                    hop=str(hop) if hop is not None else None,
                    object=obj,
                    evidence=(
                        Evidence(
                            source=EvidenceSource.HELM_RELEASE,
                            location=where,
                            api_version=obj.api_version,
                            detail=f"chart {rel.chart}-{rel.chart_version}, status {rel.status}",
                            time=rel.last_deployed,
                        ),
                    ),
                    link=HELM_APIS_DOC,
                    replacement=migration.target,
                    deprecated_in=str(entry.deprecated_in) if entry.deprecated_in else None,
                    removed_in=str(entry.removed_in) if entry.removed_in else None,
                    subject=f"helm release {rel.namespace}/{rel.name}",
                )

"""The state of Helm releases that blocks their next upgrade: several revisions marked
deployed, a release stuck pending or failed, and a chart `kubeVersion` the target breaks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from upgradecheck.checks.helm_releases import current_releases
from upgradecheck.checks.interface import Check, CheckContext
from upgradecheck.checks.semver_range import ConstraintError, SemVer, parse_constraint
from upgradecheck.model import Evidence, EvidenceSource, Finding, HelmRelease, Severity
from upgradecheck.versions import Minor

HELM_DOCS = "https://helm.sh/docs/topics/charts/#the-kubeversion-field"
STUCK = frozenset({"pending-install", "pending-upgrade", "pending-rollback", "failed"})
# The prerelease-like suffix managed platforms put in their server version (v1.29.4-eks-..):
# a chart constraint without `-0` refuses them, exactly as `helm upgrade` would.
_PLATFORM_SUFFIX = {"eks": ((1, "eks"), (0, 1)), "gke": ((1, "gke"), (0, 1))}


def _evidence(rel: HelmRelease, detail: str) -> Evidence:
    return Evidence(
        EvidenceSource.HELM_RELEASE,
        f"release {rel.namespace}/{rel.name} rev {rel.revision}",
        "",
        detail,
        rel.last_deployed,
    )


def _by_release(releases: Iterable[HelmRelease]) -> dict[tuple[str, str], list[HelmRelease]]:
    out: dict[tuple[str, str], list[HelmRelease]] = {}
    for rel in releases:
        out.setdefault((rel.namespace, rel.name), []).append(rel)
    for revisions in out.values():
        revisions.sort(key=lambda r: r.revision)
    return out


class HelmStateCheck(Check):
    """Release records that `helm upgrade` will trip over."""

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        releases = _by_release(ctx.snapshot.helm_releases)
        for revisions in releases.values():
            yield from self._duplicates(revisions)
            yield from self._stuck(revisions)
        for rel in current_releases(ctx.snapshot.helm_releases):
            yield from self._kube_version(rel, ctx)

    def _duplicates(self, revisions: list[HelmRelease]) -> Iterator[Finding]:
        deployed = [r for r in revisions if r.status == "deployed"]
        if len(deployed) < 2:
            return
        newest, older = deployed[-1], deployed[:-1]
        revs = ", ".join(str(r.revision) for r in older)
        records = " ".join(f"sh.helm.release.v1.{newest.name}.v{r.revision}" for r in older)
        yield Finding(
            rule="helm-release-duplicate-deployed",
            severity=Severity.WARNING,
            message=(
                f"Helm release {newest.namespace}/{newest.name} has {len(deployed)} revisions "
                f"marked deployed ({revs} and {newest.revision}); only revision "
                f"{newest.revision} was judged. Helm picks one of them arbitrarily on its next "
                "upgrade or rollback."
            ),
            remediation=(
                f"Back up, then mark the older records superseded: `kubectl -n "
                f"{newest.namespace} label secret {records} status=superseded --overwrite` "
                "(configmap for the configmap driver), or delete them if the history is not "
                "needed."
            ),
            evidence=tuple(_evidence(r, "status deployed") for r in deployed),
            link="https://helm.sh/docs/topics/advanced/#storage-backends",
            subject=f"helm release {newest.namespace}/{newest.name}",
        )

    def _stuck(self, revisions: list[HelmRelease]) -> Iterator[Finding]:
        newest = revisions[-1]
        if newest.status not in STUCK:
            return
        pending = newest.status != "failed"
        why = (
            "another operation is in progress (or died), so Helm refuses to upgrade it"
            if pending
            else "its last upgrade failed; the next one diffs against a half-applied release"
        )
        yield Finding(
            rule="helm-release-stuck",
            severity=Severity.WARNING,
            message=(
                f"Helm release {newest.namespace}/{newest.name} is {newest.status} at revision "
                f"{newest.revision}: {why}."
            ),
            remediation=(
                f"Resolve it before the cluster upgrade: `helm -n {newest.namespace} history "
                f"{newest.name}`, then `helm -n {newest.namespace} rollback {newest.name}` to "
                "the last good revision (or finish the interrupted operation)."
            ),
            evidence=(_evidence(newest, f"status {newest.status}"),),
            link="https://helm.sh/docs/helm/helm_rollback/",
            subject=f"helm release {newest.namespace}/{newest.name}",
        )

    def _kube_version(self, rel: HelmRelease, ctx: CheckContext) -> Iterator[Finding]:
        if not rel.kube_version:
            return
        try:
            constraint = parse_constraint(rel.kube_version)
        except ConstraintError:
            return
        platform = ctx.snapshot.cluster.platform if ctx.snapshot.cluster else "unknown"
        for hop in ctx.hops:
            version = _server_version(hop, platform)
            if constraint.allows(version):
                continue
            yield Finding(
                rule="helm-release-kube-version",
                severity=Severity.BLOCKER,
                message=(
                    f"Chart {rel.chart} {rel.chart_version} of Helm release "
                    f"{rel.namespace}/{rel.name} requires Kubernetes {rel.kube_version!r}; "
                    f"from {hop} `helm upgrade` of this release is refused."
                ),
                remediation=(
                    f"Before the {hop} hop, upgrade the release to a chart version whose "
                    f"kubeVersion admits {hop}."
                ),
                hop=str(hop),
                evidence=(
                    _evidence(
                        rel, f"chart {rel.chart}-{rel.chart_version} kubeVersion {rel.kube_version}"
                    ),
                ),
                link=HELM_DOCS,
                subject=f"helm release {rel.namespace}/{rel.name}",
            )
            return


def _server_version(hop: Minor, platform: str) -> SemVer:
    return SemVer(hop.major, hop.minor, 0, _PLATFORM_SUFFIX.get(platform, ()))

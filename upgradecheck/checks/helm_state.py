"""The state of Helm releases that blocks their next upgrade: several revisions marked
deployed, a release stuck pending or failed, and a chart `kubeVersion` the target breaks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from upgradecheck.checks.helm_releases import current_releases
from upgradecheck.checks.interface import Check, CheckContext
from upgradecheck.checks.kube_version import judge_kube_version, judges, points, suffix_shown
from upgradecheck.checks.rule import Rule
from upgradecheck.model import Evidence, EvidenceSource, Finding, HelmRelease, Severity
from upgradecheck.semver_range import ConstraintError, parse_constraint

HELM_RELEASE_KUBE_VERSION = Rule(
    id="helm-release-kube-version",
    title="Chart kubeVersion excludes the target",
    what="The chart of a deployed Helm release declares a kubeVersion constraint that the "
    "cluster does not satisfy, now or after a hop, judged as the local helm judges it: a "
    "managed platform's version suffix (`-eks-...`, `-gke.N`) is a pre-release, which Helm "
    "before 3.19 excludes from every comparator without `-0` and Helm 3.19 and later "
    "(Helm 4) from every group of comparators none of which has one.",
    why="`helm upgrade` refuses a chart whose kubeVersion does not admit the cluster: "
    "the release can no longer be changed after the hop (or already now).",
    fix="Upgrade the release to a chart version whose kubeVersion admits the target (on a "
    "managed platform: one written with `-0`, `>=1.19.0-0`) before the hop.",
    source="https://helm.sh/docs/topics/charts/#the-kubeversion-field",
    severity=Severity.BLOCKER,
)

HELM_RELEASE_DUPLICATE_DEPLOYED = Rule(
    id="helm-release-duplicate-deployed",
    title="Several revisions of one Helm release marked deployed",
    what="More than one stored revision of a release has status deployed (a known Helm "
    "inconsistency after interrupted operations).",
    why="Helm then picks one of them to diff against on the next upgrade or rollback; "
    "findings are judged on the newest only.",
    fix="Mark the older records superseded (their status label), or delete them.",
    source="https://helm.sh/docs/topics/advanced/#storage-backends",
    severity=Severity.WARNING,
)

HELM_RELEASE_STUCK = Rule(
    id="helm-release-stuck",
    title="Helm release pending or failed",
    what="The newest revision of a release is pending-install, pending-upgrade, "
    "pending-rollback or failed.",
    why="Helm refuses to upgrade a release with an operation in progress, and a failed "
    "release upgrades from a half-applied state: fix it before changing the cluster.",
    fix="Roll back to the last good revision (`helm rollback`), or finish the operation.",
    source="https://helm.sh/docs/helm/helm_rollback/",
    severity=Severity.WARNING,
)
STUCK = frozenset({"pending-install", "pending-upgrade", "pending-rollback", "failed"})


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

    rules = (HELM_RELEASE_KUBE_VERSION, HELM_RELEASE_DUPLICATE_DEPLOYED, HELM_RELEASE_STUCK)

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
        yield HELM_RELEASE_DUPLICATE_DEPLOYED.finding(
            (
                f"Helm release {newest.namespace}/{newest.name} has {len(deployed)} revisions "
                f"marked deployed ({revs} and {newest.revision}); only revision "
                f"{newest.revision} was judged. Helm picks one of them arbitrarily on its next "
                "upgrade or rollback."
            ),
            (
                f"Back up, then mark the older records superseded: `kubectl -n "
                f"{newest.namespace} label secret {records} status=superseded --overwrite` "
                "(configmap for the configmap driver), or delete them if the history is not "
                "needed."
            ),
            evidence=(_evidence(r, "status deployed") for r in deployed),
            evidence_cap=None,
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
        yield HELM_RELEASE_STUCK.finding(
            (
                f"Helm release {newest.namespace}/{newest.name} is {newest.status} at revision "
                f"{newest.revision}: {why}."
            ),
            (
                f"Resolve it before the cluster upgrade: `helm -n {newest.namespace} history "
                f"{newest.name}`, then `helm -n {newest.namespace} rollback {newest.name}` to "
                "the last good revision (or finish the interrupted operation)."
            ),
            evidence=(_evidence(newest, f"status {newest.status}"),),
            subject=f"helm release {newest.namespace}/{newest.name}",
        )

    def _kube_version(self, rel: HelmRelease, ctx: CheckContext) -> Iterator[Finding]:
        if not rel.kube_version:
            return
        try:
            constraint = parse_constraint(rel.kube_version)
        except (ConstraintError, ValueError):  # ValueError: a number too long to read
            ctx.cannot_judge(
                f"helm release {rel.namespace}/{rel.name}",
                f"chart kubeVersion {rel.kube_version[:100]!r} is not a version constraint, so "
                "whether `helm upgrade` accepts the target is not judged",
            )
            return
        verdict = judge_kube_version(
            constraint, judges(ctx.snapshot.clients), points(ctx), suffix_shown(ctx)
        )
        if verdict is None:
            return
        release = f"{rel.namespace}/{rel.name}"
        yield HELM_RELEASE_KUBE_VERSION.finding(
            (
                f"Chart {rel.chart} {rel.chart_version} of Helm release {release} requires "
                f"Kubernetes {rel.kube_version!r}: {verdict.describe()}"
            ),
            verdict.remediation(ctx.target),
            severity=verdict.severity,
            hop=verdict.first.hop,
            evidence=(
                _evidence(
                    rel, f"chart {rel.chart}-{rel.chart_version} kubeVersion {rel.kube_version}"
                ),
                *verdict.client_evidence(),
            ),
            subject=f"helm release {release}",
        )

"""`addon-api-removed` and `addon-api-deprecated`: objects of third-party CRD APIs that the
add-on's own releases deprecate or remove (cert-manager, Istio, Gateway API, ...)."""

from __future__ import annotations

from collections.abc import Iterable

from upgradecheck.checks.interface import Check, CheckContext
from upgradecheck.checks.rule import Rule
from upgradecheck.knowledge.model import AddonApi
from upgradecheck.model import AddonLifecycle, Finding, ObjectRef, Severity

CUSTOM_RESOURCES = (
    "https://kubernetes.io/docs/concepts/extend-kubernetes/api-extension/custom-resources/"
)

ADDON_API_REMOVED = Rule(
    id="addon-api-removed",
    title="Add-on API removed by the add-on's own releases",
    what="An object uses a CRD group/version of a third-party add-on (cert-manager, "
    "Istio, Gateway API, ...) that newer releases of that add-on no longer serve. The "
    "releases named are the add-on's own (cert-manager 1.6), not Kubernetes releases: the "
    "JSON report gives them in the finding's `addon` object (`name`, `deprecated_in`, "
    "`removed_in`, `replacement_since`) and keeps `deprecated_in`, `removed_in` and "
    "`replacement_since` for Kubernetes releases (null here).",
    why="Upgrading Kubernetes usually forces add-on upgrades (their supported "
    "Kubernetes ranges move); the add-on upgrade then rejects or drops these objects.",
    fix="Migrate the objects to the add-on's replacement version (and kind, where it "
    "changes: a Provisioner becomes a NodePool) before upgrading the add-on, following "
    "its upgrade guide.",
    source=CUSTOM_RESOURCES,
    severity=Severity.WARNING,
    about_api=True,
)

ADDON_API_DEPRECATED = Rule(
    id="addon-api-deprecated",
    title="Add-on API deprecated",
    what="An object uses a CRD group/version that its add-on has deprecated (the release "
    "named is the add-on's, given in the JSON finding's `addon` object).",
    why="A later add-on release will remove it.",
    fix="Move to the replacement version at the next change of the manifests.",
    source=CUSTOM_RESOURCES,
    severity=Severity.INFO,
    about_api=True,
)


def _fix(entry: AddonApi, kind: str) -> str:
    """What to move to: the replacement apiVersion, the kind where it changes, and since
    which add-on release it is served where the data says."""
    if not entry.replacement:
        fix = "See the add-on's upgrade guide."
    else:
        renamed = entry.replacement_kind not in (None, kind)
        target = f"{entry.replacement} {entry.replacement_kind}" if renamed else entry.replacement
        since = (
            f" (served since {entry.addon} {entry.replacement_since})"
            if entry.replacement_since
            else ""
        )
        fix = f"Move to {target}{since}."
    return f"{fix} {entry.note}" if entry.note else fix


class AddonApiCheck(Check):
    """Add-on CRD versions, judged against the add-on's releases (not Kubernetes')."""

    rules = (ADDON_API_REMOVED, ADDON_API_DEPRECATED)

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        for usage in ctx.usages:
            entry = ctx.kb.addon_api(usage.api_version, usage.object.kind)
            if entry is None or (entry.removed_in is None and entry.deprecated_in is None):
                continue
            if entry.removed_in is not None:
                rule = ADDON_API_REMOVED
                message = (
                    f"{usage.object.kind} {usage.api_version} is not served by "
                    f"{entry.addon} {entry.removed_in} and later"
                )
            else:
                rule = ADDON_API_DEPRECATED
                message = (
                    f"{usage.object.kind} {usage.api_version} is deprecated by "
                    f"{entry.addon} {entry.deprecated_in}"
                )
            if entry.deprecated_in and entry.removed_in:
                message += f" (deprecated in {entry.deprecated_in})"
            renamed = entry.replacement_kind not in (None, usage.object.kind)
            yield rule.finding(
                message + ".",
                _fix(entry, usage.object.kind),
                obj=ObjectRef(
                    usage.api_version,
                    usage.object.kind,
                    usage.object.namespace,
                    usage.object.name,
                ),
                evidence=usage.evidence,
                evidence_cap=None,
                link=entry.source,
                replacement=entry.replacement,
                replacement_kind=entry.replacement_kind if renamed else None,
                subject=entry.addon,
                data_source=entry.origin,
                addon=AddonLifecycle(
                    entry.addon, entry.deprecated_in, entry.removed_in, entry.replacement_since
                ),
            )

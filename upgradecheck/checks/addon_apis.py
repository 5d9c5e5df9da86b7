"""`addon-api-removed` and `addon-api-deprecated`: objects of third-party CRD APIs that the
add-on's own releases deprecate or remove (cert-manager, Istio, Gateway API, ...)."""

from __future__ import annotations

from collections.abc import Iterable

from upgradecheck.checks.interface import Check, CheckContext
from upgradecheck.model import Finding, ObjectRef, Severity


class AddonApiCheck(Check):
    """Add-on CRD versions, judged against the add-on's releases (not Kubernetes')."""

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        for usage in ctx.usages:
            entry = ctx.kb.addon_api(usage.api_version, usage.object.kind)
            if entry is None or (entry.removed_in is None and entry.deprecated_in is None):
                continue
            if entry.removed_in is not None:
                rule, severity = "addon-api-removed", Severity.WARNING
                message = (
                    f"{usage.object.kind} {usage.api_version} is not served by "
                    f"{entry.addon} {entry.removed_in} and later"
                )
            else:
                rule, severity = "addon-api-deprecated", Severity.INFO
                message = (
                    f"{usage.object.kind} {usage.api_version} is deprecated by "
                    f"{entry.addon} {entry.deprecated_in}"
                )
            if entry.deprecated_in and entry.removed_in:
                message += f" (deprecated in {entry.deprecated_in})"
            fix = "See the add-on's upgrade guide."
            if entry.replacement:
                fix = f"Move to {entry.replacement}."
            if entry.note:
                fix = f"{fix} {entry.note}"
            yield Finding(
                rule=rule,
                severity=severity,
                message=message + ".",
                remediation=fix,
                object=ObjectRef(
                    usage.api_version, usage.object.kind, usage.object.namespace,
                    usage.object.name,
                ),
                evidence=usage.evidence,
                link=entry.source,
                replacement=entry.replacement,
                subject=entry.addon,
            )
